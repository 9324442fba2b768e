"""`dl4text solutions` on the sample course, and its verdict on solutions that fall short."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from dl4text import authoring as a
from dl4text.cli import main
from dl4text.commands.solutions import accuracy_table
from dl4text.grading.judge import CellVerdict, Check
from dl4text.runners.standalone import NotebookGrade
from tests.grading.sample_course import ASSIGNMENT, make_course


def test_solutions_are_generated_executed_and_reach_full_marks(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root = make_course(tmp_path / "course")
    assert main(["solutions", "--fast", "--root", str(root)]) == 0
    assert "all solutions reach full marks" in capsys.readouterr().out
    solution = nbformat.read(root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    assert "return 2 * np.asarray(x)" in a.cell_by_id(solution, "double").source
    assert a.cell_by_id(solution, "test_answer").outputs, "the solution notebook keeps its outputs"


def _grade(passed: bool, accuracy: float) -> NotebookGrade:
    check = Check(name="accuracy", grade_id="test_model", passed=passed, max_score=2,
                  score=2 if passed else 0,
                  reason="" if passed else "too low")
    return NotebookGrade(notebook="x.ipynb", assignment="x",
                         verdicts=[CellVerdict(grade_id="test_model", max_score=2, checks=[check])],
                         measured=[{"name": "x.model", "accuracy": accuracy, "threshold": 0.8,
                                    "reviews": 25000}])


@pytest.mark.parametrize(("passed", "accuracy", "ok"), [
    (True, 0.85, True), (True, 0.79, False), (False, 0.85, False)])
def test_full_marks_and_every_threshold_are_required(passed: bool, accuracy: float, ok: bool) -> None:
    table, all_ok = accuracy_table([_grade(passed, accuracy)])
    assert all_ok is ok
    assert ("NO" in table.split()) is (accuracy < 0.8)
