"""Reading grades out of nbgrader's gradebook."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from dl4text.folder import CourseFolder
from dl4text.nbgrader.cli import put_env_bin_on_path


def gradebook(root: Path) -> Gradebook:
    """The course's gradebook (``gradebook.db`` in the course folder).

    A new gradebook is stamped with ``alembic`` run from PATH: this environment's ``bin/`` is put there.
    """
    put_env_bin_on_path()
    return Gradebook(f"sqlite:///{CourseFolder(root).gradebook_file}")


@dataclass
class Grades:
    """One submission's grades as the gradebook holds them."""

    score: float
    max_score: float
    #: ``notebook/grade_id`` -> auto score (None: not autograded) of every graded cell
    auto_scores: dict[str, float | None] = field(default_factory=dict)
    #: autograded cells that lost points, as ``grade_id score/max``
    lost: list[str] = field(default_factory=list)

    @property
    def auto_total(self) -> float:
        return float(sum(s for s in self.auto_scores.values() if s is not None))


def submission_grades(root: Path, assignment: str, student: str) -> Grades | None:
    """The grades of one submission, or None if the gradebook has none (one read of the gradebook)."""
    if not CourseFolder(root).gradebook_file.is_file():
        return None
    with gradebook(root) as gb:
        try:
            sub = gb.find_submission(assignment, student)
        except MissingEntry:
            return None
        grades = Grades(float(sub.score), float(sub.max_score))
        for nb in sub.notebooks:
            for grade in nb.grades:
                auto = None if grade.auto_score is None else float(grade.auto_score)
                grades.auto_scores[f"{nb.name}/{grade.name}"] = auto
                if auto is not None and auto < grade.max_score - 1e-6:
                    grades.lost.append(f"{grade.name} {auto:g}/{grade.max_score:g}")
        return grades


def notebooks_known(root: Path, assignment: str) -> list[str]:
    """The notebooks of ``assignment`` the gradebook knows (``generate_assignment`` put them there)."""
    if not CourseFolder(root).gradebook_file.is_file():
        return []
    with gradebook(root) as gb:
        try:
            return sorted(nb.name for nb in gb.find_assignment(assignment).notebooks)
        except MissingEntry:
            return []
