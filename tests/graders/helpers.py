"""What the assignments' grader tests share: fixture notebooks from a source, graded in the fast mode."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbgrader.preprocessors import ClearSolutions

from dl4text import authoring as a
from dl4text.folder import PROJECT_ROOT
from dl4text.grading.judge import CellVerdict
from dl4text.runners.standalone import NotebookGrade, grade_file


class Notebooks:
    """Fixture notebooks of one assignment, made from its source notebook and graded."""

    def __init__(self, assignment: str) -> None:
        self.assignment = assignment
        self.path: Path = PROJECT_ROOT / "source" / assignment / f"{assignment}.ipynb"

    def source(self) -> nbformat.NotebookNode:
        """The instructor's notebook (the solution)."""
        return nbformat.read(self.path, as_version=4)

    def release(self) -> nbformat.NotebookNode:
        """The source with its solutions cleared by nbgrader's own ClearSolutions."""
        nb, _ = ClearSolutions().preprocess(self.source(), {})
        return nb

    def with_sources(self, replacements: dict[str, str]) -> nbformat.NotebookNode:
        """The source with the cells named by grade_id holding other code."""
        nb = self.source()
        for grade_id, source in replacements.items():
            nb = a.replace_source(nb, grade_id, source)
        return nb

    def grade(self, tmp_path_factory: pytest.TempPathFactory, name: str,
              nb: nbformat.NotebookNode) -> NotebookGrade:
        """Grade ``nb`` in the fast mode, saved under the assignment's notebook name."""
        path = tmp_path_factory.mktemp(name) / f"{self.assignment}.ipynb"
        nbformat.write(nb, path)
        return grade_file(path, PROJECT_ROOT, fast=True)


def points(grade: NotebookGrade, digits: int = 4) -> dict[str, float]:
    """grade_id -> points earned, rounded (a cell's checks share its points in thirds, sixths...)."""
    return {v.grade_id: round(v.score, digits) for v in grade.verdicts}


def reasons(grade: NotebookGrade, grade_id: str) -> str:
    """Every failing check's reason in the cell ``grade_id``, and the cell's note, in one string."""
    verdict = next(v for v in grade.verdicts if v.grade_id == grade_id)
    return " | ".join(c.reason for c in verdict.checks if not c.passed) + verdict.note


def book_fixtures(book: Notebooks) -> tuple:
    """The ``solution`` and ``release`` module fixtures of an assignment's grader tests.

    ``solution, release = book_fixtures(BOOK)`` at a test module's top level.
    """

    @pytest.fixture(scope="module")
    def solution(tmp_path_factory: pytest.TempPathFactory) -> NotebookGrade:
        return book.grade(tmp_path_factory, "solution", book.source())

    @pytest.fixture(scope="module")
    def release(tmp_path_factory: pytest.TempPathFactory) -> NotebookGrade:
        return book.grade(tmp_path_factory, "release", book.release())

    return solution, release


def failed_checks(grade: NotebookGrade, grade_id: str) -> list[str]:
    """The labels of the failing checks of the cell ``grade_id``."""
    return [c.name for c in _verdict(grade, grade_id).checks if not c.passed]


def passed(grade: NotebookGrade, grade_id: str) -> list[bool]:
    """Whether each check of the cell ``grade_id`` passed."""
    return [c.passed for c in _verdict(grade, grade_id).checks]


def _verdict(grade: NotebookGrade, grade_id: str) -> CellVerdict:
    return next(v for v in grade.verdicts if v.grade_id == grade_id)

