"""Run a grader module in its own process and turn its verdicts into points per test cell."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from dl4text import config
from dl4text.grading import warm


@dataclass
class Check:
    """One grader's verdict and its share of its cell's points."""

    name: str
    grade_id: str
    passed: bool
    reason: str
    score: float = 0.0
    max_score: float = 0.0


@dataclass
class CellVerdict:
    """The points of one autograded test cell and the checks behind them."""

    grade_id: str
    max_score: float
    checks: list[Check] = field(default_factory=list)
    note: str = ""

    @property
    def score(self) -> float:
        """Points earned in this cell: all of them when every check passed, never more."""
        if self.checks and all(c.passed for c in self.checks):
            return self.max_score
        return max(0.0, min(self.max_score, round(sum(c.score for c in self.checks), 4)))

    def report(self) -> str:
        """The text the student reads under the test cell."""
        lines = [f"Graded outside your notebook by the course's hidden graders: "
                 f"{_fmt(self.score)} / {_fmt(self.max_score)} points."]
        if self.note:
            lines.append(self.note)
        for check in self.checks:
            mark = "PASS" if check.passed else "FAIL"
            line = f"  [{mark}] {check.name} ({_fmt(check.score)}/{_fmt(check.max_score)})"
            if not check.passed and check.reason:
                line += f": {check.reason}"
            lines.append(line)
        return "\n".join(lines) + "\n"


def _fmt(x: float) -> str:
    return f"{x:g}"


def run_graders(grader_file: Path, private: Path, *, fast: bool, timeout: float = 1800,
                label_seed: int | None = None) -> dict:
    """Run ``grader_file`` with pytest, isolated from the kernel, on the run's private folder.

    Returns ``{"tests": [raw verdict, ...], "measured": [accuracy record, ...]}``.

    The graders run in a fresh interpreter state started with ``python -I`` (no working folder
    or user site on ``sys.path``, no ``PYTHON*`` variables), in ``private``, which the kernel
    never sees; the verdicts come back through a pipe that only this process and the graders
    hold. ``label_seed`` tells the graders how the kernel's test labels were shuffled. By
    default the state is a fork of this process's warm graders' server
    (:mod:`dl4text.grading.warm`); with ``DL4TEXT_WARM_GRADERS=0`` a new process.
    """
    args = pytest_args(grader_file, private, fast=fast)
    env = grader_env(fast=fast, label_seed=label_seed)
    if warm.enabled():
        outcome = warm.shared().run(args, private, env=env, timeout=timeout,
                                    imports=warm.heavy_imports(grader_file))
        if outcome.server_failed:  # the server cannot start here: this grading goes the cold way
            outcome = _run_cold(args, private, env=env, timeout=timeout)
    else:
        outcome = _run_cold(args, private, env=env, timeout=timeout)
    if outcome.timed_out:
        raise GraderFailure(outcome.failure)
    try:
        return json.loads(outcome.data)
    except ValueError:
        why = f" ({outcome.failure})" if outcome.failure else ""
        raise GraderFailure(f"the graders did not finish{why}:\n" + outcome.output[-3000:]) from None


def pytest_args(grader_file: Path, private: Path, *, fast: bool) -> list[str]:
    """pytest's arguments for ``grader_file`` on the run folder ``private`` (without the results fd)."""
    args = [str(grader_file), "-p", "dl4text.grading.plugin", f"--dl4text-run={private}", "--assert=plain",
            "-q", "--no-header", "-p", "no:cacheprovider", "-o", "addopts=", "--rootdir", str(grader_file.parent)]
    return [*args, "--dl4text-fast"] if fast else args


def grader_env(*, fast: bool, label_seed: int | None) -> dict[str, str]:
    """The graders' environment: this process's, with the mode and the seed, never the kernel's view.

    TensorFlow's pooling (BFC) allocator on the CPU: with the default one every tensor over 32 MiB
    (a batch of 1,024 multi-hot reviews, an Embedding(10000, 300) layer's output for 1,024 reviews)
    is fresh memory from the system, page-faulted in on every batch. Scoring a2's embedding model
    on the 25,000 test reviews, 1,024 a batch, took 2.0 s with it, 0.5 s with pooling.
    """
    env = dict(os.environ, DL4TEXT_FAST="1" if fast else "0", TF_CPP_MIN_LOG_LEVEL="2",
               TF_ENABLE_ONEDNN_OPTS=os.environ.get("TF_ENABLE_ONEDNN_OPTS", "0"),
               TF_CPU_ALLOCATOR_USE_BFC=os.environ.get("TF_CPU_ALLOCATOR_USE_BFC", "true"))
    env.pop(config.LABEL_SEED_ENV, None)
    env.pop(config.CORPUS_ENV, None)  # the graders read the real data, never a view
    if label_seed is not None:
        env[config.LABEL_SEED_ENV] = str(label_seed)
    return env


def prestart_graders(*, fast: bool, grader_file: Path | None = None) -> None:
    """Start this process's warm graders now, so that they import while the kernel runs.

    With ``grader_file``, the server imports TensorFlow (or gensim) only if those graders use it,
    and runs their ``warm_up(fast)`` (the data every grading reads, loaded before the forks).
    """
    warm.prestart(grader_env(fast=fast, label_seed=None), imports=warm.heavy_imports(grader_file),
                  grader_file=grader_file, fast=fast)


def _run_cold(args: list[str], private: Path, *, env: dict[str, str], timeout: float) -> warm.Outcome:
    """The graders in a new ``python -I -m pytest`` process."""
    read_fd, write_fd = os.pipe()
    command = [sys.executable, "-I", "-m", "pytest", *args, f"--dl4text-results-fd={write_fd}"]
    chunks: list[bytes] = []
    reader = threading.Thread(target=_drain, args=(read_fd, chunks), daemon=True)
    reader.start()
    try:
        done = subprocess.run(command, cwd=private, env=env, capture_output=True, text=True,
                              timeout=timeout, check=False, pass_fds=(write_fd,))
    except subprocess.TimeoutExpired:
        return warm.Outcome(b"", failure=f"the graders ran longer than {timeout:.0f} s", timed_out=True)
    finally:
        os.close(write_fd)
        reader.join(timeout=10)
    return warm.Outcome(b"".join(chunks), output=(done.stdout + done.stderr)[-3000:])


def _drain(fd: int, chunks: list[bytes]) -> None:
    with os.fdopen(fd, "rb") as pipe:
        while block := pipe.read(65536):
            chunks.append(block)


class GraderFailure(RuntimeError):
    """The hidden graders themselves could not run (an instructor's problem, not the student's)."""


def score_cells(cells: dict[str, float], raw: list[dict], failure: str | None = None
                ) -> list[CellVerdict]:
    """Share each cell's points among its graders by weight; a cell without graders scores 0."""
    verdicts = []
    for grade_id, points in cells.items():
        mine = [r for r in raw if r.get("grade_id") == grade_id]
        verdict = CellVerdict(grade_id=grade_id, max_score=points)
        if failure:
            verdict.note = f"Not graded: {failure}"
        elif not mine:
            verdict.note = "No grader is defined for this cell: tell your instructor."
        for r, share in zip(mine, shares(points, [float(r["weight"]) for r in mine]), strict=True):
            verdict.checks.append(Check(name=r["name"], grade_id=grade_id, passed=r["passed"],
                                        reason=r["reason"], max_score=share,
                                        score=share if r["passed"] is True else 0.0))
        verdicts.append(verdict)
    return verdicts


def shares(points: float, weights: list[float]) -> list[float]:
    """``points`` shared by ``weights``, each share to 4 decimals, the last taking the remainder.

    Shares rounded alone added up to 14.999998 of 15; these add up to ``points`` to the
    6 decimals every total of the kit is rounded to.
    """
    if not weights:
        return []
    clean = [max(0.0, w) for w in weights]
    if not sum(clean):  # no grader weighs anything: share alike
        clean = [1.0] * len(clean)
    rounded = [round(points * w / sum(clean), 4) for w in clean[:-1]]
    return [*rounded, round(points - sum(rounded), 4)]
