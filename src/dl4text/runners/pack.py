"""The owner packs what workers need: the course's grading material once, each submission's files."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from dl4text.course.thresholds import THRESHOLDS_FILE
from dl4text.folder import CourseFolder
from dl4text.nbgrader import inprocess
from dl4text.runners.task import CoursePack, GradingTask, Limits, read_folder


def pack_course(root: Path, assignment: str, *, fast: bool,
                threads_by_host: dict[str, int] | None = None) -> CoursePack:
    """A scratch course for ``assignment``, ready for ``nbgrader autograde`` on any worker.

    It holds the source folder, ``grader_tests/``, ``nbgrader_config.py`` and a gradebook
    made by ``generate_assignment`` from the same source (the assignment's cells, no
    student): the worker sanitises and grades a submission exactly as the course would.
    """
    course = CourseFolder(root)
    scratch = Path(tempfile.mkdtemp(prefix="dl4text-pack-"))
    try:
        course.copy_to(scratch, assignment=assignment)
        inprocess.call(scratch, "generate_assignment", assignment, force=True, create=True)
        shutil.rmtree(CourseFolder(scratch).release(), ignore_errors=True)
        (scratch / ".nbgrader.log").unlink(missing_ok=True)
        files = read_folder(scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return CoursePack(assignment=assignment, notebooks=tuple(course.notebooks(assignment)), files=files,
                      thresholds=THRESHOLDS_FILE.read_bytes(), fast=fast,
                      threads_by_host=dict(threads_by_host or {}))


def pack_task(root: Path, assignment: str, student: str, digest: str, limits: Limits) -> GradingTask:
    """One submission's task: the regular files of ``submitted/<student>/<assignment>/``.

    Links, special files and files too big are left out (``task.skipped`` says which, and why);
    the kept originals of repaired notebooks (``*.unreadable``) are left out without a word.
    """
    from dl4text.nbgrader.submitted import KEPT_SUFFIX, open_folder, read_folder_at

    skipped: list[str] = []
    with open_folder(CourseFolder(root).submitted(), student, assignment) as fd:
        files = read_folder_at(fd, skipped)
    return GradingTask(student=student, digest=digest, files=files, limits=limits,
                       skipped=tuple(s for s in skipped if not s.split(": ", 1)[0].endswith(KEPT_SUFFIX)))
