"""Grade a class: one plan, one way to grade a submission, one owner that writes the gradebook.

:func:`grade_class` is ``dl4text autograde``, serial or parallel alike:

1. **the opening check** (:func:`opening_check`): the assignment, its release, the
   gradebook's notebooks, the students asked for;
2. **the plan**, per student: a submission folder that is a link is refused (a zero with the
   reason, never followed); unreadable, linked, special or too big notebooks are repaired
   (the release notebook with a note); the content hash; the one "unchanged" rule
   (:meth:`Owner.unchanged`: same hash and the gradebook still holds what was written);
3. **the grading** of each changed submission by :func:`~dl4text.runners.worker.grade_task`
   in a scratch course, inside its fence, through an executor
   (:mod:`~dl4text.runners.executor`): in this process one after another (no Dask), or on
   Dask workers;
4. **the write** of each result by the :class:`~dl4text.runners.owner.Owner`, as it arrives
   (in this process, which alone writes the gradebook), so an interrupted batch loses at
   most the gradings in flight.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from dl4text.folder import CourseFolder
from dl4text.nbgrader.gradebook import notebooks_known
from dl4text.nbgrader.submitted import (
    Unsafe,
    refusal,
    refused_files,
    repair_unreadable,
    students,
    submission_hash,
)
from dl4text.runners.executor import Executor, executor_for
from dl4text.runners.owner import Owner
from dl4text.runners.pack import pack_course, pack_task
from dl4text.runners.summary import UNCHANGED, Row, totals
from dl4text.runners.task import REFUSED, GradingTask, Limits, TaskResult

__all__ = ["grade_class", "opening_check", "totals"]


@dataclass
class Planned:
    """A submission to grade: its task and what the plan found to say about it."""

    task: GradingTask
    notes: list[str]


def opening_check(root: Path, assignment: str, only: list[str] | None = None) -> list[str]:
    """Check that ``assignment`` can be graded in ``root``; return the students to grade, in order."""
    course = CourseFolder(root)
    course.assignments([assignment])
    if not course.release(assignment).is_dir():
        raise FileNotFoundError(f"release/{assignment} is missing: run `dl4text release {assignment}`")
    missing = set(course.notebooks(assignment)) - set(notebooks_known(root, assignment))
    if missing:
        raise FileNotFoundError(f"the gradebook {course.gradebook_file} has no notebook {', '.join(sorted(missing))} "
                                f"of {assignment}: run `dl4text release {assignment}`")
    everyone = students(root, assignment)
    if only and set(only) - set(everyone):
        raise LookupError(f"no submission of {assignment} from {', '.join(sorted(set(only) - set(everyone)))}")
    return [s for s in everyone if not only or s in only]


def grade_class(root: Path, assignment: str, *, only: list[str] | None = None, fast: bool = False,
                force: bool = False, workers: int | None = None, scheduler: str | None = None,
                limits: Limits | None = None, progress: bool = True) -> list[Row]:
    """Grade the changed submissions of ``assignment``; return one summary row per student, in order.

    In this process one after another without ``workers`` and ``scheduler``, else on Dask.
    """
    executor = executor_for(workers=workers, scheduler=scheduler)
    chosen = opening_check(root, assignment, only)
    limits = limits or Limits()
    rows: dict[str, Row] = {}
    with Owner(root, assignment, sandbox=limits.sandbox) as owner:
        todo = _plan(owner, chosen, rows, fast=fast, force=force, limits=limits)
        if todo:
            _grade(owner, executor, todo, rows, fast=fast, progress=progress)
    return [rows[s] for s in chosen]


def _plan(owner: Owner, chosen: list[str], rows: dict[str, Row], *, fast: bool, force: bool,
          limits: Limits) -> list[Planned]:
    """Refuse, repair, hash and skip; write the refused and the unchanged rows; return the rest."""
    root, assignment = owner.root, owner.assignment
    names = CourseFolder(root).notebooks(assignment)
    todo = []
    for student in chosen:
        refused = refusal(root, student, assignment)
        notes = [] if refused else repair_unreadable(root, student, assignment, names)
        digest = submission_hash(root, student, assignment, fast=fast)
        skip, why = (False, "") if force else owner.unchanged(student, digest)
        if skip:
            rows[student] = owner.row(student, UNCHANGED)
            continue
        notes += [why] if why else []
        if not refused:
            try:
                task = pack_task(root, assignment, student, digest, limits)
            except (Unsafe, OSError) as exc:  # changed since it was checked: refuse it now
                refused = str(exc)
            else:
                todo.append(Planned(task, notes + [f"left out: {s}" for s in task.skipped]))
                continue
        row = owner.write(TaskResult(student, digest, REFUSED, reason=refused),
                          refused_files(root, assignment, names, refused))
        row.notes = notes + row.notes
        rows[student] = row
    return todo


def _grade(owner: Owner, executor: Executor, todo: list[Planned], rows: dict[str, Row], *, fast: bool,
           progress: bool) -> None:
    notes = {planned.task.student: planned.notes for planned in todo}
    with ThreadPoolExecutor(1) as pool:
        packing = pool.submit(pack_course, owner.root, owner.assignment, fast=fast)  # while a cluster starts
        with executor:
            pack = dataclasses.replace(packing.result(), threads_by_host=executor.shares)
            bar = executor.progress(len(todo), owner.assignment) if progress else None
            try:
                with closing(executor.grade(pack, [p.task for p in todo],
                                            starting=bar.starting if bar else None)) as results:
                    for task, result in results:
                        row = owner.write(result, task.files)
                        row.notes = notes[task.student] + row.notes
                        rows[task.student] = row
                        if bar:
                            bar.advance(row)
            finally:
                if bar:
                    bar.close()
