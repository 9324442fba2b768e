"""The three course notebooks: short markdown cells, a locked setup cell, a visible check of the data."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from dl4text.folder import CourseFolder

FOLDER = CourseFolder.at(Path(__file__).resolve().parents[2])
ASSIGNMENTS = ["a1_dense", "a2_embeddings", "a3_recurrent"]
#: the most words a markdown cell of a released notebook may hold (a paragraph or two)
MAX_WORDS = 250


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _notebooks(stage: str) -> list[tuple[str, Path]]:
    path = FOLDER.release_notebook if stage == "release" else FOLDER.source_notebook
    return [(name, path(name, name)) for name in ASSIGNMENTS]


def test_the_three_assignments_are_the_course_s() -> None:
    assert FOLDER.assignments() == ASSIGNMENTS


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_markdown_cell_of_the_release_is_short(name: str) -> None:
    nb = _read(FOLDER.release_notebook(name, name))
    long = [(index, len(cell.source.split()), cell.source.splitlines()[0][:60])
            for index, cell in enumerate(nb.cells)
            if cell.cell_type == "markdown" and len(cell.source.split()) > MAX_WORDS]
    assert long == [], f"{name}: markdown cells over {MAX_WORDS} words (index, words, first line): {long}"


@pytest.mark.parametrize("stage", ["source", "release"])
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_setup_cell_is_locked(name: str, stage: str) -> None:
    path = dict(_notebooks(stage))[name]
    first = next(cell for cell in _read(path).cells if cell.cell_type == "code")
    meta = first.metadata.get("nbgrader", {})
    assert meta.get("grade_id") == "setup", f"{path}: the first code cell is not the locked 'setup' cell: {meta}"
    assert meta.get("locked") is True and not meta.get("grade") and not meta.get("solution"), meta
    assert "course.load_imdb(" in first.source and "course.seed_everything(" in first.source, \
        f"{path}: the setup cell should seed and load the reviews"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_a_visible_test_checks_the_training_data(name: str) -> None:
    nb = _read(FOLDER.release_notebook(name, name))
    calls = [cell.metadata["nbgrader"]["grade_id"] for cell in nb.cells
             if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade")
             and cell.metadata["nbgrader"].get("locked")
             and cell.source.startswith("course.check_data(train_data, train_labels, num_words=")]
    assert len(calls) == 1, f"{name}: test cells that start with course.check_data: {calls}"
