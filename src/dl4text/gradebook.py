"""Reading grades out of nbgrader's gradebook."""

from __future__ import annotations

from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry


def gradebook(root: Path) -> Gradebook:
    """The course's gradebook (``gradebook.db`` in the course folder)."""
    return Gradebook(f"sqlite:///{root / 'gradebook.db'}")


def submission_score(root: Path, assignment: str, student: str) -> tuple[float, float] | None:
    """(score, max score) of one submission, or None if it has no grade."""
    with gradebook(root) as gb:
        try:
            sub = gb.find_submission(assignment, student)
        except MissingEntry:
            return None
        return float(sub.score), float(sub.max_score)


def failed_checks(root: Path, assignment: str, student: str) -> list[str]:
    """Autograded cells of a submission that lost points, as ``grade_id score/max``."""
    lines = []
    with gradebook(root) as gb:
        try:
            sub = gb.find_submission(assignment, student)
        except MissingEntry:
            return []
        for nb in sub.notebooks:
            for grade in nb.grades:
                if grade.auto_score is not None and grade.auto_score < grade.max_score:
                    lines.append(f"{grade.name} {grade.auto_score:g}/{grade.max_score:g}")
    return lines
