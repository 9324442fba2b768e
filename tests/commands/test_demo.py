"""`dl4text demo` on the sample course: the whole pipeline, in a folder of its own."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from dl4text.cli import main
from tests.grading.sample_course import ASSIGNMENT, make_course


def test_demo_runs_the_pipeline_and_says_where_each_file_is(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root = make_course(tmp_path / "course")
    out_dir = tmp_path / "demo"
    assert main(["demo", "--root", str(root), "--out", str(out_dir)]) == 0
    out = capsys.readouterr().out
    with (out_dir / "grades.csv").open() as handle:
        totals = {r["student_id"]: float(r["total"]) for r in csv.DictReader(handle)}
    assert totals == {"solution": 3.0, "untouched_release": 0.0, "partly_right": 2.0, "broken_file": 0.0}
    for student in totals:
        feedback = out_dir / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
        assert feedback.is_file() and str(feedback) in out
    assert f"grades CSV:  {out_dir / 'grades.csv'}" in out
    assert not (root / "gradebook.db").exists(), "the demo must not touch the course's gradebook"
