"""`dl4text solutions` on the sample course, and its verdict on solutions that fall short."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from dl4text import authoring as a
from dl4text.cli import main
from dl4text.commands.solutions import accuracy_table
from dl4text.grading.judge import CellVerdict, Check
from dl4text.runners.solutions import SeededGrade
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


def _grade(passed: bool, accuracy: float, seed: int = 0) -> SeededGrade:
    check = Check(name="accuracy", grade_id="test_model", passed=passed, max_score=2,
                  score=2 if passed else 0,
                  reason="" if passed else "too low")
    return SeededGrade(seed, NotebookGrade(
        notebook="x.ipynb", assignment="x",
        verdicts=[CellVerdict(grade_id="test_model", max_score=2, checks=[check])],
        measured=[{"name": "x.model", "accuracy": accuracy, "threshold": 0.8, "notes": 0.81,
                   "reviews": 25000}]))


@pytest.mark.parametrize(("passed", "accuracy", "ok"), [
    (True, 0.85, True), (True, 0.79, False), (False, 0.85, False)])
def test_full_marks_and_every_threshold_are_required(passed: bool, accuracy: float, ok: bool) -> None:
    table, all_ok = accuracy_table([_grade(passed, accuracy)])
    assert all_ok is ok
    assert ("NO" in table.split()) is (accuracy < 0.8)


def test_each_seed_gets_a_column_and_one_seed_below_fails_the_model() -> None:
    table, ok = accuracy_table([_grade(True, 0.85, 0), _grade(True, 0.83, 1), _grade(True, 0.79, 2)])
    head, row = table.splitlines()
    assert head.split()[1:7] == ["seed", "0", "seed", "1", "seed", "2"] and "notes" in head
    assert row.split() == ["x.model", "0.8500", "0.8300", "0.7900", "0.81", "0.800", "25000", "NO"]
    assert not ok


def test_the_seed_reaches_the_students_kernel(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """``--seeds`` trains once per seed: the kernel's ``course.seed_everything()`` returns it."""
    root = make_course(tmp_path / "course")
    config = root / "nbgrader_config.py"  # importing TensorFlow takes 10 s on a busy machine
    config.write_text(config.read_text().replace("timeout=10, notebook_timeout=25",
                                                 "timeout=120, notebook_timeout=300"))
    source = root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = nbformat.read(source, as_version=4)
    nb.cells.insert(0, a.code("from dl4text import course\nprint('seeded with', course.seed_everything())"))
    a.write(nb, source)
    assert main(["solutions", "--fast", "--seeds", "3", "5", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "with seed 3" in out and "with seed 5" in out
    solution = nbformat.read(root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in solution.cells for o in c.get("outputs", []))
    assert "seeded with 3" in printed, "the notebook written back is the first seed's"
