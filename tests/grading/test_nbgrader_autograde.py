"""The grading engine inside real nbgrader commands, on a throw-away course.

generate_assignment, then autograde a class of fixture submissions (the solution, the
release, a partly right one and many broken or malicious ones), then generate_feedback
and export; the gradebook must hold exactly the points each earned.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from dl4text import authoring as a
from dl4text.nbgrader.cli import run_nbgrader

from .sample_course import ASSIGNMENT, make_course, source_notebook
from .submissions import CASES


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_course(tmp_path_factory.mktemp("course"))
    run_nbgrader(["generate_assignment", ASSIGNMENT, "--force"], root)
    source = source_notebook()
    for student, case in CASES.items():
        a.write(case.make(source), root / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    release = root / "submitted" / "release" / ASSIGNMENT
    release.mkdir(parents=True)
    shutil.copy(root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", release)
    run_nbgrader(["autograde", ASSIGNMENT, "--create", "--force"], root)
    run_nbgrader(["generate_feedback", ASSIGNMENT, "--force"], root)
    run_nbgrader(["export", "--to", "grades.csv"], root)
    return root


def _cell_score(root: Path, student: str, grade_id: str) -> float | None:
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        return gb.find_grade(grade_id, ASSIGNMENT, ASSIGNMENT, student).auto_score


def _report(root: Path, student: str, grade_id: str) -> str:
    nb = nbformat.read(root / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    try:
        cell = a.cell_by_id(nb, grade_id)
    except KeyError:
        return ""
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


@pytest.mark.parametrize("student", sorted(CASES))
def test_each_submission_gets_exactly_its_points(graded_course: Path, student: str) -> None:
    case = CASES[student]
    for grade_id, points in case.points.items():
        assert _cell_score(graded_course, student, grade_id) == pytest.approx(points), (
            f"{student}: {grade_id}\n{_report(graded_course, student, grade_id)}")
    for grade_id, words in case.reasons.items():
        assert words in _report(graded_course, student, grade_id), _report(graded_course, student, grade_id)


def test_untouched_release_scores_zero(graded_course: Path) -> None:
    for grade_id in ("test_double", "test_answer"):
        assert _cell_score(graded_course, "release", grade_id) == 0


def test_export_has_every_student_with_its_total(graded_course: Path) -> None:
    with (graded_course / "grades.csv").open() as handle:
        rows = {r["student_id"]: r for r in csv.DictReader(handle)}
    assert set(rows) == set(CASES) | {"release"}
    assert float(rows["solution"]["raw_score"]) == 3.0
    assert float(rows["partly_right"]["raw_score"]) == 2.0
    assert float(rows["release"]["raw_score"]) == 0.0


def test_feedback_gives_reasons_but_not_the_graders_source(graded_course: Path) -> None:
    html = (graded_course / "feedback" / "partly_right" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "answer is not the answer" in html
    grader_source = (graded_course / "grader_tests" / f"test_{ASSIGNMENT}.py").read_text()
    for line in grader_source.splitlines():
        line = line.strip()
        if len(line) > 25 and not line.startswith(('"""', "from ", "import ", "#", "@")):
            assert line not in html, f"grader source reached the feedback: {line}"
    leftovers = [p.name for p in (graded_course / "feedback" / "partly_right" / ASSIGNMENT).iterdir()]
    assert leftovers == [f"{ASSIGNMENT}.html"]
