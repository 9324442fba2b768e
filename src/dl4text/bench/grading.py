"""Grading: ``dl4text grade`` on each solution notebook against plain ``jupyter nbconvert --execute``.

Both commands run the same source notebook in a fresh process and are timed whole, from
outside (interpreter start, kernel start, every cell; for the kit also its probes and the
hidden graders). The ratio is the kit's overhead on top of merely executing the notebook.
The full run grades every notebook of ``source/`` at full size, then in the fast mode; the
quick run grades the first one in the fast mode (``DL4TEXT_FAST=1`` for every command and
their kernels). ``dl4text grade`` runs with its warm graders (the default: a graders' server
started with the grading, TensorFlow imported while the kernel runs) and with cold ones
(``DL4TEXT_WARM_GRADERS=0``: a fresh ``python -m pytest`` after the kernel).

This machine's speed drifts between runs of the same command (a1 at full size, within an
hour: nbconvert 38.9-45.0 s, the same grading 34-52 s; a2 at full size, whose solution stops
training early after 4 to 6 epochs: 83.7 s and 99.7 s for two gradings in a row), so the warm
grading and nbconvert alternate :data:`REPEATS` times (the kit first: any warm-up, files read
for the first time, counts against it) and each side's figure is the median of its runs: one
slow run among three moves the median no more than the other two allow. A notebook whose first
two nbconvert runs took over :data:`LONG_RUN_S` on average alternates only twice (a3 at full
size: 4-5 minutes a run). The cold grading runs once, against the same baseline.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

from dl4text.bench.child import ChildResult, child_env, run_command
from dl4text.bench.report import Comparison
from dl4text.bench.targets import grading_claim
from dl4text.folder import CourseFolder
from dl4text.grading.warm import WARM_ENV

EXPECTED = ("a1_dense", "a2_embeddings", "a3_recurrent")
BASELINE = "jupyter nbconvert --execute"
NOTEBOOK_TIMEOUT = 3600
#: alternating runs of the warm grading and of nbconvert per notebook and mode (1 in a quick run)
REPEATS = 3
#: seconds of an nbconvert run past which two alternating runs are enough (a third costs minutes)
LONG_RUN_S = 150.0


def solution_notebooks(root: Path) -> list[Path]:
    """The instructor notebooks under ``root/source/``, assignment by assignment."""
    source = CourseFolder(root).source()
    if not source.is_dir():
        return []
    return sorted(p for p in source.glob("*/*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def missing_assignments(root: Path) -> list[str]:
    """The course's assignments that have no notebook in ``source/`` yet."""
    return [name for name in EXPECTED if not any(CourseFolder(root).source(name).glob("*.ipynb"))]


def nbconvert_command(notebook: Path, out_dir: Path) -> list[str]:
    """``jupyter nbconvert --to notebook --execute`` of ``notebook`` into ``out_dir``."""
    return [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
            f"--ExecutePreprocessor.timeout={NOTEBOOK_TIMEOUT}", "--output-dir", str(out_dir),
            "--output", f"{notebook.stem}-executed", str(notebook)]


def grade_command(notebook: Path, root: Path, *, fast: bool) -> list[str]:
    """``dl4text grade --json`` of ``notebook`` against the course at ``root``."""
    return [sys.executable, "-m", "dl4text.cli", "grade", "--json", "--root", str(root),
            *(["--fast"] if fast else []), str(notebook)]


def score_of(child: ChildResult) -> tuple[float, float] | None:
    """The (score, max score) that ``dl4text grade --json`` printed, None if it printed none."""
    text = child.stdout
    start = text.find("[")
    try:
        graded = json.loads(text[start:]) if start >= 0 else []
    except ValueError:
        return None
    if not graded:
        return None
    return (sum(g.get("score", 0) for g in graded), sum(g.get("max_score", 0) for g in graded))


def measure(root: Path, workdir: Path, *, quick: bool) -> list[Comparison]:
    """Rows per notebook and mode, warm and cold graders (the first notebook, fast, when ``quick``).

    The full run measures every notebook at full size, then in the fast mode.
    """
    notebooks = solution_notebooks(root)
    rows = []
    for fast in (True,) if quick else (False, True):
        for notebook in notebooks[:1] if quick else notebooks:
            rows += compare(notebook, root, workdir, fast=fast, repeats=1 if quick else REPEATS)
    for name in missing_assignments(root):
        rows.append(Comparison.unavailable("grading", f"dl4text grade {name}", BASELINE,
                                           f"skipped: source/{name}/ has no notebook yet"))
    if quick and len(notebooks) > 1:
        skipped = ", ".join(f"{p.parent.name}/{p.name}" for p in notebooks[1:])
        rows.append(Comparison.unavailable("grading", "the other notebooks", BASELINE,
                                           f"full run only ({skipped})"))
    return rows


def compare(notebook: Path, root: Path, workdir: Path, *, fast: bool, repeats: int = REPEATS) -> list[Comparison]:
    """``dl4text grade`` of ``notebook`` with warm graders and nbconvert, alternating ``repeats``
    times (twice past :data:`LONG_RUN_S`), then with cold graders: two rows, each side's figure
    the median of its runs."""
    env = child_env({"DL4TEXT_FAST": "1" if fast else "0"})
    name = f"{notebook.parent.name}/{notebook.name}"
    grade = grade_command(notebook, root, fast=fast)
    runs: dict[str, list[ChildResult]] = {"warm graders": [], "baseline": []}
    for i in range(max(1, repeats)):
        if i >= 2 and statistics.mean(b.wall_s for b in runs["baseline"]) > LONG_RUN_S:
            break
        runs["warm graders"].append(run_command(grade, env={**env, WARM_ENV: "1"}, cwd=root))
        runs["baseline"].append(run_command(nbconvert_command(notebook, workdir), env=env, cwd=root))
    runs["cold graders"] = [run_command(grade, env={**env, WARM_ENV: "0"}, cwd=root)]
    baselines = runs["baseline"]
    rows = []
    for label in ("warm graders", "cold graders"):
        kits = runs[label]
        notes = ["fast mode" if fast else "full size"]
        score = score_of(kits[0])
        if score:
            notes.append(f"graded {score[0]:g}/{score[1]:g}")
        if len(kits) > 1 or len(baselines) > 1:
            notes.append(f"median of {len(kits)} run(s) against {len(baselines)} of nbconvert")
        failed_kit = next((k for k in kits if not k.ok), kits[0])
        failed_base = next((b for b in baselines if not b.ok), baselines[0])
        row = Comparison.from_children("grading", f"dl4text grade {name} ({label}{', fast' if fast else ''})",
                                       BASELINE, failed_base, failed_kit, note=", ".join(notes))
        if all(k.ok for k in kits) and all(b.ok for b in baselines):
            row.kit = statistics.median(k.wall_s for k in kits)
            row.baseline = statistics.median(b.wall_s for b in baselines)
        row.details["kit"]["runs_wall_s"] = [round(k.wall_s, 3) for k in kits]
        row.details["baseline"]["runs_wall_s"] = [round(b.wall_s, 3) for b in baselines]
        row.details["claim"] = grading_claim(notebook.parent.name, fast=fast, warm=label == "warm graders")
        rows.append(row)
    return rows
