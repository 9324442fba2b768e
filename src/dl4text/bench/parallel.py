"""Parallel grading: the same class autograded with ``--workers 1`` and ``--workers 2``.

The class is :data:`COPIES` copies of the first assignment's solution, in a throw-away
course built as ``dl4text demo`` builds its own (source, hidden graders, nbgrader config,
a generated release), graded in the fast mode. Each worker count gets its own copy of that
course, so both start from the same empty gradebook. When ``dl4text autograde`` has no
``--workers`` option yet, the row says so instead of failing.

Each run also records how busy the machine's cores were during it (``/proc/stat``; whatever
else ran counts too): a serial grading that keeps a share ``b`` of the cores busy leaves at
most ``1 / b`` to gain from more workers on the same cores.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import sys
from pathlib import Path

from dl4text.bench.child import child_env, run_command
from dl4text.bench.report import Comparison
from dl4text.bench.targets import PARALLEL

COPIES = 4
WORKERS = (1, 2)
WHAT = f"autograde {COPIES} submissions, --workers 2"
BASELINE = "the same with --workers 1"


def workers_available() -> bool:
    """True when ``dl4text autograde`` takes ``--workers``."""
    child = run_command([sys.executable, "-m", "dl4text.cli", "autograde", "--help"], env=child_env())
    return child.ok and "--workers" in child.stdout


def make_class(root: Path, target: Path, assignment: str, copies: int = COPIES) -> Path:
    """A course at ``target`` with ``copies`` submissions of ``assignment``'s solution; return it."""
    from dl4text.folder import CourseFolder
    from dl4text.nbgrader.release import generate

    course = CourseFolder(root).copy_to(target)
    with contextlib.redirect_stdout(io.StringIO()):
        generate(target, [assignment])
    for i in range(1, copies + 1):
        folder = course.submitted(f"student{i}", assignment)
        folder.mkdir(parents=True)
        for name in course.notebooks(assignment):
            shutil.copy(course.source_notebook(assignment, name), folder / f"{name}.ipynb")
    return target


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of all the machine's cores so far (``/proc/stat``; (0, 0) elsewhere)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return 0, 0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields[:8]) - idle, sum(fields[:8])


def busy_share(before: tuple[int, int], after: tuple[int, int]) -> float | None:
    """The share of the cores' time that was busy between two :func:`cpu_times` readings."""
    total = after[1] - before[1]
    return round((after[0] - before[0]) / total, 3) if total > 0 else None


def graded_count(stdout: str) -> int:
    """How many student rows of autograde's summary say ``graded`` (student, score, status...)."""
    return sum(1 for line in stdout.splitlines() if re.match(r"\s+\S+\s+\S+\s+graded\s", line))


def measure(root: Path, workdir: Path, *, quick: bool) -> list[Comparison]:
    """Time the class with each worker count (full run only: eight gradings take minutes)."""
    if quick:
        return [Comparison.unavailable("parallel", WHAT, BASELINE,
                                       f"full run only ({COPIES * len(WORKERS)} gradings take minutes)")]
    if not workers_available():
        return [Comparison.unavailable("parallel", WHAT, BASELINE,
                                       "not available yet: dl4text autograde has no --workers")]
    from dl4text.folder import CourseFolder

    names = CourseFolder(root).assignments()
    if not names:
        return [Comparison.unavailable("parallel", WHAT, BASELINE, "no assignment in source/")]
    assignment = "a1_dense" if "a1_dense" in names else names[0]
    template = make_class(root, workdir / "class", assignment)
    env = child_env({"DL4TEXT_FAST": "1"})
    runs, busy = {}, {}
    for workers in WORKERS:
        course = workdir / f"class-workers-{workers}"
        shutil.copytree(template, course)
        before = cpu_times()
        runs[workers] = run_command([sys.executable, "-m", "dl4text.cli", "autograde", assignment,
                                     "--fast", "--force", "--workers", str(workers), "--root", str(course)],
                                    env=env, cwd=course)
        busy[workers] = busy_share(before, cpu_times())
    counts = {w: graded_count(r.stdout) for w, r in runs.items()}
    note = f"{assignment}, fast mode; graded: " + ", ".join(f"{counts[w]}/{COPIES} with --workers {w}"
                                                              for w in WORKERS)
    if busy[1]:
        note += f"; cores busy: {busy[1]:.0%} with --workers 1"
        if busy[2]:
            note += f", {busy[2]:.0%} with 2 (at most {1 / busy[1]:.2f}x to gain)"
    row = Comparison.from_children("parallel", WHAT, BASELINE, runs[1], runs[2], note=note)
    row.details["claim"] = PARALLEL
    row.details["cores_busy"] = {str(w): share for w, share in busy.items()}
    return [row]
