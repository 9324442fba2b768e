"""``dl4text bench class``: what grading a whole class costs, with 1 and 2 workers (or other counts).

A throw-away course (the course's source, graders and configuration, a generated release)
gets a class: :data:`SOLVED` students who hand in every assignment's solution, and
students whose submissions are broken the ways real ones are (the release handed in
untouched; a file cut off in the middle). Each worker count grades the whole class, every
assignment in turn, with ``dl4text autograde --workers N`` in a fresh process and a copy of
the course of its own (the same empty gradebook for each). From the measured figures:

* seconds per student, and the speed-up of each worker count over the first (``--workers 1 4 8``
  on a larger machine gives the curve of a local Dask cluster);
* the graders' share: the seconds the hidden graders took (recorded by ``GradingExecute``
  in each autograded notebook's metadata) against the seconds of the whole grading;
* a projection of what 100 and 500 students cost on this machine and on a Dask cluster of
  M such machines, for a class that hands in working notebooks: the broken submissions end
  in seconds, so the class's plain mean per student would halve the cost. The whole class's
  seconds (at the most workers) are shared out in proportion to each student's seconds of
  kernel and graders (read from the autograded notebooks), and the solved students' share,
  per solved student, is projected; divided by M on M machines (a projection, as the table
  says: a real cluster adds its own transfer and start-up costs).
"""

from __future__ import annotations

import contextlib
import io
import shutil
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from dl4text.bench.child import ChildResult, child_env, run_command
from dl4text.bench.parallel import graded_count
from dl4text.bench.report import format_value, markdown_table

SOLVED = 2
BROKEN = ("untouched_release", "cut_off_file")
WORKERS = (1, 2)
CLASS_SIZES = (100, 500)
MACHINES = (1, 4, 16)


@dataclass
class ClassRun:
    """The whole class graded with one worker count."""

    workers: int
    seconds: float = 0.0
    per_assignment: dict[str, float] = field(default_factory=dict)
    graded: int = 0
    submissions: int = 0
    kernel_seconds: float = 0.0
    graders_seconds: float = 0.0
    #: student -> seconds of kernel and graders over all their autograded notebooks
    busy_by_student: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


@dataclass
class ClassBench:
    """A class benchmark: who was in the class, each worker count's run, and the projections."""

    students: list[str]
    assignments: list[str]
    fast: bool
    runs: list[ClassRun] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def seconds_per_student(self, run: ClassRun) -> float:
        """The whole class's seconds over its students, broken submissions included."""
        return run.seconds / max(1, len(self.students))

    @property
    def solved(self) -> list[str]:
        """The students who handed in the solutions."""
        return [s for s in self.students if s not in BROKEN]

    def seconds_per_solved_student(self, run: ClassRun) -> float:
        """What one student with working notebooks costs in ``run``: the class's seconds shared
        out by each student's seconds of kernel and graders, the solved students' share per
        solved student (the plain mean per student where no notebook recorded its seconds)."""
        busy = sum(run.busy_by_student.values())
        if busy <= 0 or not self.solved:
            return self.seconds_per_student(run)
        solved_busy = sum(run.busy_by_student.get(s, 0.0) for s in self.solved)
        return run.seconds * solved_busy / busy / len(self.solved)

    @property
    def speedup(self) -> float | None:
        """Seconds with the fewest workers over seconds with the most (None without both)."""
        if len(self.runs) < 2 or self.runs[-1].seconds <= 0:
            return None
        return self.runs[0].seconds / self.runs[-1].seconds

    def as_json(self) -> dict[str, Any]:
        return {"meta": self.meta, "students": self.students, "assignments": self.assignments,
                "fast": self.fast, "runs": [asdict(r) for r in self.runs], "speedup": self.speedup}


def make_class(root: Path, target: Path, assignments: list[str], solved: int = SOLVED) -> list[str]:
    """Write a course at ``target`` with a class for ``assignments``; return the students' ids."""
    from dl4text.folder import CourseFolder
    from dl4text.nbgrader.release import generate

    course = CourseFolder(root).copy_to(target)
    with contextlib.redirect_stdout(io.StringIO()):
        generate(target, assignments)
    students = [f"solved{i}" for i in range(1, solved + 1)] + list(BROKEN)
    for assignment in assignments:
        for name in course.notebooks(assignment):
            solution = course.source_notebook(assignment, name)
            for student in students:
                folder = course.submitted(student, assignment)
                folder.mkdir(parents=True, exist_ok=True)
                handed_in = folder / f"{name}.ipynb"
                if student == "untouched_release":
                    shutil.copy(course.release_notebook(assignment, name), handed_in)
                elif student == "cut_off_file":
                    text = solution.read_text()
                    handed_in.write_text(text[: len(text) // 2])
                else:
                    shutil.copy(solution, handed_in)
    return students


def grading_seconds(course: Path, assignments: list[str]) -> dict[str, tuple[float, float]]:
    """student -> the kernel's and the graders' seconds summed over their autograded notebooks
    of ``course`` (a student none of whose notebooks recorded its seconds is left out)."""
    from dl4text.grading.execute import TIMING_KEY

    seconds: dict[str, tuple[float, float]] = {}
    for assignment in assignments:
        for path in sorted((course / "autograded").glob(f"*/{assignment}/*.ipynb")):
            try:
                timing = nbformat.read(path, as_version=4).metadata.get(TIMING_KEY) or {}
            except Exception:  # noqa: BLE001 - an unreadable notebook adds nothing
                continue
            if isinstance(timing, dict):
                student = path.parent.parent.name
                kernel, graders = seconds.get(student, (0.0, 0.0))
                seconds[student] = (kernel + _seconds(timing.get("kernel_seconds")),
                                    graders + _seconds(timing.get("graders_seconds")))
    return seconds


def _seconds(value: object) -> float:
    """A recorded number of seconds; anything else (a notebook that was never graded) counts 0."""
    return float(value) if isinstance(value, int | float) and value >= 0 else 0.0


def grade_class(template: Path, course: Path, assignments: list[str], students: list[str], *,
                workers: int, fast: bool) -> ClassRun:
    """Grade the class in a copy of ``template`` at ``course`` with ``workers``; time each assignment."""
    shutil.copytree(template, course)
    env = child_env({"DL4TEXT_FAST": "1" if fast else "0"})
    run = ClassRun(workers=workers, submissions=len(students) * len(assignments))
    for assignment in assignments:
        child: ChildResult = run_command(
            [sys.executable, "-m", "dl4text.cli", "autograde", assignment, "--force", "--workers", str(workers),
             "--root", str(course), *(["--fast"] if fast else [])], env=env, cwd=course)
        run.per_assignment[assignment] = round(child.wall_s, 1)
        run.seconds += child.wall_s
        run.graded += graded_count(child.stdout)
        if not child.ok:
            run.failures.append(f"{assignment}: {child.failure()}")
    run.seconds = round(run.seconds, 1)
    by_student = grading_seconds(course, assignments)
    run.kernel_seconds = round(sum(k for k, _ in by_student.values()), 1)
    run.graders_seconds = round(sum(g for _, g in by_student.values()), 1)
    run.busy_by_student = {student: round(k + g, 1) for student, (k, g) in by_student.items()}
    return run


def measure(root: Path, workdir: Path, *, fast: bool, solved: int = SOLVED,
            workers: tuple[int, ...] = WORKERS, assignments: list[str] | None = None) -> ClassBench:
    """Build the class once, then grade it with each worker count."""
    from dl4text.folder import CourseFolder

    names = CourseFolder(root).assignments(assignments)
    template = workdir / "class"
    students = make_class(root, template, names, solved=solved)
    bench = ClassBench(students=students, assignments=names, fast=fast)
    for count in workers:
        bench.runs.append(grade_class(template, workdir / f"class-workers-{count}", names, students,
                                      workers=count, fast=fast))
    return bench


def _share(run: ClassRun) -> str:
    busy = run.kernel_seconds + run.graders_seconds
    return "-" if busy <= 0 else f"{run.graders_seconds / busy:.0%}"


def runs_table(bench: ClassBench) -> str:
    """One row per worker count: the class's seconds, per student (all, and those who handed in
    working notebooks), speed-up, the graders' share."""
    base = bench.runs[0].seconds if bench.runs else 0
    rows = []
    for run in bench.runs:
        speedup = f"{base / run.seconds:.2f}x" if run.seconds > 0 and base > 0 else "-"
        rows.append([str(run.workers), format_value(run.seconds), format_value(bench.seconds_per_student(run)),
                     format_value(bench.seconds_per_solved_student(run)), speedup, f"{run.graded}/{run.submissions}",
                     f"{format_value(run.graders_seconds)} of {format_value(run.graders_seconds + run.kernel_seconds)}"
                     f" ({_share(run)})",
                     "; ".join(run.failures) or "-"])
    return markdown_table(["workers", "whole class", "per student", "per solved student", "speed-up", "graded",
                           "graders' seconds of kernel + graders (share)", "failures"], rows)


def projection_table(bench: ClassBench) -> str:
    """What 100 and 500 students with working notebooks would cost, here and on M such machines
    (a projection)."""
    if not bench.runs:
        return ""
    run = bench.runs[-1]
    per_student = bench.seconds_per_solved_student(run)
    rows = []
    for size in CLASS_SIZES:
        cells = [str(size)]
        for machines in MACHINES:
            cells.append(_hours(size * per_student / machines))
        rows.append(cells)
    headers = ["students"] + [f"{m} machine{'s' if m > 1 else ''}" for m in MACHINES]
    return markdown_table(headers, rows) + (
        f"\n(projected from {format_value(per_student)} per student who hands in working notebooks, with "
        f"--workers {run.workers} on this machine: the class's seconds shared out by each student's seconds "
        "of kernel and graders; M machines: a Dask cluster of M such machines, assumed to scale linearly)")


def _hours(seconds: float) -> str:
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def format_class_report(bench: ClassBench) -> str:
    """The printed report of ``dl4text bench class``."""
    mode = "fast mode" if bench.fast else "full size"
    lines = [f"class: {len(bench.students)} students ({', '.join(bench.students)}), "
             f"{', '.join(bench.assignments)}, {mode}"]
    lines += ["", runs_table(bench), ""]
    if bench.speedup is not None:
        lines.append(f"speed-up of --workers {bench.runs[-1].workers} over --workers {bench.runs[0].workers}: "
                     f"{bench.speedup:.2f}x")
        lines.append("")
    lines += ["What a class costs (projection):", "", projection_table(bench), ""]
    return "\n".join(lines)
