"""`dl4text autograde`, `feedback` and `export` on the sample course."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from dl4text import authoring as a
from dl4text.cli import main
from dl4text.commands.autograde import autograde
from dl4text.commands.release import generate
from tests.grading.sample_course import ASSIGNMENT, make_course, source_notebook


def _submit(root: Path, student: str, nb) -> Path:
    return a.write(nb, root / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_course(tmp_path_factory.mktemp("course"))
    generate(root, [ASSIGNMENT])
    _submit(root, "ada", source_notebook())
    _submit(root, "bob", a.replace_source(source_notebook(), "answer", "answer = 7"))
    broken = root / "submitted" / "cyd" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    broken.parent.mkdir(parents=True)
    broken.write_text('{"cells": [')
    return root


def test_autograde_grades_each_student_and_repairs_unreadable_notebooks(
        course: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["autograde", ASSIGNMENT, "--root", str(course)]) == 0
    out = capsys.readouterr().out
    assert "ada" in out and "3/4" in out
    assert "bob" in out and "2/4" in out and "test_answer 0/1" in out
    assert "cyd" in out and "0/4" in out and f"note: cyd/{ASSIGNMENT}/{ASSIGNMENT}.ipynb: " in out
    kept = course / "submitted" / "cyd" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb.unreadable"
    assert kept.read_text() == '{"cells": ['
    graded = (course / "autograded" / "cyd" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    assert "could not be read when it was graded" in graded


def test_a_second_run_regrades_only_what_changed(course: Path) -> None:
    _submit(course, "bob", source_notebook())
    rows = {r["student"]: r for r in autograde(course, ASSIGNMENT)}
    assert rows["ada"]["status"] == "unchanged" and rows["cyd"]["status"] == "unchanged"
    assert rows["bob"]["status"] == "graded" and rows["bob"]["score"] == 3.0


def test_feedback_and_export(course: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["feedback", ASSIGNMENT, "--root", str(course)]) == 0
    for student in ("ada", "bob", "cyd"):
        html = (course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
        assert "hidden graders" in html
    target = tmp_path / "lms.csv"
    assert main(["export", "--to", str(target), "--root", str(course)]) == 0
    with target.open() as handle:
        rows = {r["student_id"]: r for r in csv.DictReader(handle)}
    assert list(rows["ada"]) == ["student_id", "last_name", "first_name", "email", ASSIGNMENT,
                                 "total", "max_total"]
    assert {s: float(r["total"]) for s, r in rows.items()} == {"ada": 3.0, "bob": 3.0, "cyd": 0.0}
    assert rows["ada"]["max_total"] == "4"


def test_unknown_student_is_a_clear_error(course: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["autograde", ASSIGNMENT, "--student", "zed", "--root", str(course)]) == 1
    assert "no submission of sample from zed" in capsys.readouterr().err
