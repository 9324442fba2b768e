"""The probe drawn in a thread beside the kernel: the same requests, and a broken grader module
that costs only its grading a reason."""

from __future__ import annotations

import pickle
import time
from pathlib import Path

import nbformat
import pytest

from dl4text.grading.assignment import Assignment
from dl4text.grading.pending_probe import PendingProbe
from dl4text.grading.probe import Probe
from dl4text.grading.runfolder import RunFolder
from dl4text.runners.standalone import grade_file
from tests.grading.sample_course import ASSIGNMENT, make_course, source_notebook


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return make_course(tmp_path / "course")


@pytest.fixture
def run() -> RunFolder:
    folder = RunFolder.create()
    yield folder
    folder.remove()


def test_the_probe_is_drawn_and_saved_for_the_kernel_and_the_graders(course: Path, run: RunFolder) -> None:
    pending = PendingProbe(Assignment(root=course, name=ASSIGNMENT, notebook=ASSIGNMENT), fast=True, run=run)
    probe = pending()
    assert pending.failure is None
    assert [e.key for e in probe.entries] == ["double_random", "double_empty", "answer"]
    assert [e.key for e in Probe.load(run.private).entries] == [e.key for e in probe.entries]
    with run.requests.open("rb") as handle:
        assert [r["key"] for r in pickle.load(handle)] == [e.key for e in probe.entries]


def test_the_probe_is_drawn_once_started_not_when_made(course: Path, run: RunFolder) -> None:
    """The execution starts it once the kernel is up: before, it would take the grading process's
    interpreter from the work that starts the kernel."""
    pending = PendingProbe(Assignment(root=course, name=ASSIGNMENT, notebook=ASSIGNMENT), fast=True, run=run)
    time.sleep(0.5)
    assert not run.requests.exists()
    pending.start()
    pending.start()  # a second start does nothing
    assert [e.key for e in pending().entries] == ["double_random", "double_empty", "answer"]
    assert run.requests.exists()


def test_graders_that_cannot_be_loaded_give_an_empty_probe_and_a_reason(course: Path, run: RunFolder) -> None:
    (course / "grader_tests" / f"test_{ASSIGNMENT}.py").write_text("raise RuntimeError('a typo in the graders')\n")
    pending = PendingProbe(Assignment(root=course, name=ASSIGNMENT, notebook=ASSIGNMENT), fast=True, run=run)
    assert pending().entries == []
    assert pending.failure == ("the graders could not be loaded (a typo in the graders); tell your "
                               "instructor")


def test_a_grading_with_broken_graders_runs_the_notebook_and_gives_every_cell_the_reason(
        course: Path, tmp_path: Path) -> None:
    (course / "grader_tests" / f"test_{ASSIGNMENT}.py").write_text("import no_such_module_here\n")
    notebook = tmp_path / f"{ASSIGNMENT}.ipynb"
    nbformat.write(source_notebook(), notebook)
    graded = grade_file(notebook, course, fast=True)
    assert graded.error == "" and graded.score == 0 and graded.max_score == 3
    for verdict in graded.verdicts:
        assert "the graders could not be loaded (No module named 'no_such_module_here')" in verdict.note
    # the notebook itself ran: its first test cell printed nothing wrong, the second its answer
    outputs = [o for cell in graded.executed.cells for o in cell.get("outputs", [])]
    assert not any(o.get("output_type") == "error" for o in outputs)
