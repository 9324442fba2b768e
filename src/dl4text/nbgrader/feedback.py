"""nbgrader's HTML feedback for a class: each check's outcome and reason, nothing of the graders."""

from __future__ import annotations

from pathlib import Path

from dl4text.folder import CourseFolder
from dl4text.nbgrader.cli import run_nbgrader


def feedback(root: Path, assignment: str, student: str | None = None) -> list[Path]:
    """Generate the feedback HTML; return the files written."""
    course = CourseFolder(root)
    course.assignments([assignment])
    args = ["generate_feedback", assignment, "--force"]
    if student:
        args += ["--student", student]
    run_nbgrader(args, root, quiet=True)
    return sorted(course.feedback().glob(f"{student or '*'}/{assignment}/*.html"))
