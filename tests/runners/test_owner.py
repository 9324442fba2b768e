"""The gradebook's owner: replayed writes, zero grades with a reason, the state, one owner at a time."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from dl4text import authoring as a
from dl4text.runners.owner import Owner
from dl4text.runners.state import State
from dl4text.runners.task import FAILED, STOPPED, TaskResult

from ..grading.sample_course import ASSIGNMENT
from .conftest import grades

REASON = "the grading ran longer than 5 s and was stopped"
pytestmark = pytest.mark.filterwarnings("ignore:Object of type:Warning")  # SQLAlchemy 2.1 on nbgrader, harmless


def test_a_stopped_submission_gets_zero_with_its_reason(course: Path) -> None:
    with Owner(course, ASSIGNMENT) as owner:
        row = owner.write(TaskResult("solution", "digest-1", STOPPED, reason=REASON))
        failed = owner.write(TaskResult("partly_right", "digest-2", FAILED, reason="nbgrader failed"))
    assert row.status == STOPPED and row.notes == [REASON] and (row.score, row.max_score) == (0.0, 4.0)
    assert grades(course)["solution"] == {"test_double": 0.0, "test_answer": 0.0}
    nb = nbformat.read(course / "autograded" / "solution" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    report = "".join(o.get("text", "") for o in a.cell_by_id(nb, "test_answer").outputs)
    assert f"Not graded: {REASON}" in report
    state = State(course)
    assert state.entry(f"{ASSIGNMENT}/solution") == {
        "digest": "digest-1", "auto_scores": {f"{ASSIGNMENT}/test_double": 0.0, f"{ASSIGNMENT}/test_answer": 0.0,
                                              f"{ASSIGNMENT}/why": 0.0},
        "auto_total": 0.0, "sandbox": None}
    assert failed.status == FAILED and failed.notes == ["nbgrader failed"] and "partly_right" not in grades(course)
    assert f"{ASSIGNMENT}/partly_right" not in json.loads((course / ".dl4text" / "autograde-state.json").read_text())


def test_only_one_owner_writes_a_gradebook(course: Path) -> None:
    with Owner(course, ASSIGNMENT):
        with pytest.raises(RuntimeError, match="another dl4text autograde"):
            Owner(course, ASSIGNMENT).__enter__()
