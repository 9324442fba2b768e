"""The grading engine when its own steps fail: a grade and a reason, never a crashed run."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from dl4text.runners.standalone import grade_file
from tests.grading.sample_course import ASSIGNMENT, make_course, source_notebook


def test_a_failure_before_the_kernel_starts_grades_zero_with_the_reason(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    course = make_course(tmp_path / "course")
    notebook = tmp_path / f"{ASSIGNMENT}.ipynb"
    nbformat.write(source_notebook(), notebook)

    def broken_view(*args, **kwargs):
        raise RuntimeError("the data view broke")

    # an internal step that fails before the notebook was handed to the kernel client
    monkeypatch.setattr("dl4text.grading.execute.build_grading_view", broken_view)
    graded = grade_file(notebook, course, fast=True)
    assert graded.score == 0 and graded.max_score == 3
    for verdict in graded.verdicts:
        assert "execution failed (RuntimeError: the data view broke)" in verdict.note
    assert len(graded.executed.cells) == len(source_notebook().cells)
