"""The gradebook's owner: the one process that writes grades, ``autograded/`` and the state.

Workers only send results back; :class:`Owner` writes each with ``nbgrader autograde``
(in this process, :class:`GradingExecute` in replay mode: nothing is executed again), then
records the submission's content hash in ``.dl4text/autograde-state.json``. The hash is
recorded only after the write succeeded, and a write is never cut by Ctrl-C, so an
interrupted batch resumes where it stopped: a submission is either written and recorded,
or graded again. An flock on ``.dl4text/autograde.lock`` keeps a second owner out.
"""

from __future__ import annotations

import copy
import fcntl
import os
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dl4text.gradebook import failed_checks, gradebook, submission_score
from dl4text.nbgrader_cli import NbgraderError
from dl4text.parallel import inprocess
from dl4text.parallel.replay import write_replay
from dl4text.parallel.task import FAILED, STOPPED, TaskResult
from dl4text.submissions import State

#: recorded while a submission is being written: matches no hash, so a cut write is redone
WRITING = "writing"


class Owner:
    """Writes workers' results into the course at ``root``; use as a context manager."""

    def __init__(self, root: Path, assignment: str) -> None:
        self.root, self.assignment = root, assignment
        self.state = State(root)
        self.written: set[str] = set()
        self._lock: int | None = None
        self._config: Any = None

    def __enter__(self) -> Owner:
        lock_path = self.root / ".dl4text" / "autograde.lock"
        lock_path.parent.mkdir(exist_ok=True)
        self._lock = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock)
            self._lock = None
            raise RuntimeError(f"another dl4text autograde is writing the gradebook of {self.root}") from None
        self._config = inprocess.course_config(self.root, GradingExecute__course_root=str(self.root))
        with gradebook(self.root) as gb:
            gb.update_or_create_assignment(self.assignment)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def key(self, student: str) -> str:
        return f"{self.assignment}/{student}"

    def unchanged(self, student: str, digest: str) -> bool:
        """True when this very submission was graded and written before (skip it)."""
        return ((self.root / "autograded" / student / self.assignment).is_dir()
                and self.state.unchanged(self.key(student), digest)
                and submission_score(self.root, self.assignment, student) is not None)

    def write(self, result: TaskResult) -> dict:
        """Write one result (a grade, or a zero with the reason); return its summary row."""
        started = time.monotonic()
        row: dict[str, Any] = {"student": result.student, "status": result.status, "notes": [],
                               "worker": result.worker, "grading_s": result.seconds, "fences": result.fences}
        if result.student in self.written:
            row["status"], row["notes"] = "duplicate", ["a second result for this student was ignored"]
        elif result.status == FAILED:
            row["notes"].append(result.reason)
        else:
            try:
                self._write(result)
                self.written.add(result.student)
            except NbgraderError as exc:
                row["status"] = FAILED
                row["notes"].append(str(exc).splitlines()[0] + " " + _last_line(str(exc)))
            if result.status == STOPPED:
                row["notes"].append(result.reason)
        score = submission_score(self.root, self.assignment, result.student)
        row["score"], row["max_score"] = score if score else (None, None)
        row["lost"] = failed_checks(self.root, self.assignment, result.student)
        row["seconds"] = round(result.seconds + time.monotonic() - started, 1)
        return row

    def _write(self, result: TaskResult) -> None:
        key = self.key(result.student)
        with tempfile.TemporaryDirectory(prefix="dl4text-replay-") as tmp:
            replay = write_replay(Path(tmp) / "result.json", result.student, notebooks=result.notebooks,
                                  failure=result.reason if result.status == STOPPED else "")
            cfg = copy.deepcopy(self._config)
            cfg.GradingExecute.replay = str(replay)
            with deferred_interrupt():
                self.state.record(key, WRITING)
                inprocess.call(self.root, "autograde", self.assignment, result.student, force=True,
                               create=True, config=cfg)
                self.state.record(key, result.digest)


@contextmanager
def deferred_interrupt() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) until the block is done, then raise it: no half-written grade.

    A process that inherited SIGINT ignored (started with ``&`` from a script) keeps ignoring it.
    """
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is signal.SIG_IGN):
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            raise KeyboardInterrupt


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if len(lines) > 1 else ""
