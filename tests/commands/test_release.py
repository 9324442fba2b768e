"""`dl4text release`: nbgrader's release, the leak scan on each kind of leak, the staleness check."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from dl4text import authoring as a
from dl4text.cli import main
from dl4text.commands.release import generate, stale_files
from dl4text.nbgrader.leakscan import scan_release
from tests.grading.sample_course import ASSIGNMENT, RUBRIC, make_course


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_course(tmp_path_factory.mktemp("course"))
    generate(root, [ASSIGNMENT])
    return root


def _copy(root: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "course"
    shutil.copytree(root, copy)
    return copy


def _release_nb(root: Path) -> Path:
    return root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def _edit(root: Path, edit) -> None:
    path = _release_nb(root)
    nb = nbformat.read(path, as_version=4)
    edit(nb)
    nbformat.write(nb, path)


def _scan(root: Path):
    return scan_release(root / "release" / ASSIGNMENT, root / "source" / ASSIGNMENT, root / "grader_tests")


def test_a_fresh_release_is_clean_and_up_to_date(released: Path, capsys: pytest.CaptureFixture) -> None:
    assert _scan(released) == []
    assert stale_files(released, [ASSIGNMENT]) == []
    assert main(["release", "--check", "--root", str(released)]) == 0
    assert "up to date and clean" in capsys.readouterr().out
    release_text = _release_nb(released).read_text()
    assert "return 2 * np.asarray(x)" not in release_text
    assert "raise NotImplementedError()" in release_text


def test_the_rubric_stays_out_of_the_release_but_its_cell_stays(released: Path) -> None:
    nb = nbformat.read(_release_nb(released), as_version=4)
    cell = a.cell_by_id(nb, a.rubric_id("why"))
    assert cell.source.strip() == a.RUBRIC_NOTE
    assert "Rubric (1 point)" not in _release_nb(released).read_text()


LEAKS = {
    "solution text": lambda nb: setattr(a.cell_by_id(nb, "double"), "source",
                                        "def double(x):\n    return 2 * np.asarray(x)"),
    "solution, hidden-test or rubric marker": lambda nb: setattr(
        a.cell_by_id(nb, "answer"), "source", "### BEGIN SOLUTION\nanswer = None\n### END SOLUTION"),
    "hidden-grader code": lambda nb: nb.cells.append(a.code(
        'assert np.allclose(got, 2 * x), "double() returned wrong values"')),
    "outputs from the instructor's run": lambda nb: a.cell_by_id(nb, "test_answer").outputs.append(
        nbformat.v4.new_output("stream", name="stdout", text="answer is 42\n")),
}


@pytest.mark.parametrize("kind", sorted(LEAKS))
def test_each_kind_of_leak_is_caught_and_names_its_cell(released: Path, tmp_path: Path, kind: str) -> None:
    root = _copy(released, tmp_path)
    _edit(root, LEAKS[kind])
    leaks = _scan(root)
    assert kind in {leak.kind for leak in leaks}, leaks
    assert all(leak.cell is not None for leak in leaks if leak.kind == kind)


def test_a_rubric_pasted_into_the_release_is_caught(released: Path, tmp_path: Path) -> None:
    root = _copy(released, tmp_path)
    _edit(root, lambda nb: setattr(a.cell_by_id(nb, "why"), "source", RUBRIC))
    assert "solution text" in {leak.kind for leak in _scan(root)}


def test_grader_imports_in_a_release_cell_are_caught(released: Path, tmp_path: Path) -> None:
    root = _copy(released, tmp_path)
    _edit(root, lambda nb: nb.cells.append(a.code("from dl4text.grading import Probe")))
    assert "hidden-grader code" in {leak.kind for leak in _scan(root)}


def test_config_files_in_the_release_are_caught(released: Path, tmp_path: Path) -> None:
    root = _copy(released, tmp_path)
    shutil.copy(root / "nbgrader_config.py", root / "release" / ASSIGNMENT / "nbgrader_config.py")
    shutil.copy(root / "grader_tests" / f"test_{ASSIGNMENT}.py", root / "release" / ASSIGNMENT / "helpers.py")
    kinds = {(leak.path.name, leak.kind) for leak in _scan(root)}
    assert ("nbgrader_config.py", "grader or instructor file") in kinds
    assert ("helpers.py", "grader code") in kinds


def test_a_release_behind_its_source_is_stale(released: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture) -> None:
    root = _copy(released, tmp_path)
    source = root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = nbformat.read(source, as_version=4)
    nb.cells.insert(0, a.markdown("A new introduction."))
    nbformat.write(nb, source)
    assert stale_files(root, [ASSIGNMENT]) == [f"release/{ASSIGNMENT}/{ASSIGNMENT}.ipynb differs from "
                                                "what source/ generates"]
    assert main(["release", "--check", "--root", str(root)]) == 1
    assert "stale" in capsys.readouterr().out
    assert main(["release", "--root", str(root)]) == 0
    assert stale_files(root, [ASSIGNMENT]) == []


def test_an_unknown_assignment_is_a_clear_error(released: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["release", "nope", "--root", str(released)]) == 1
    assert "no assignment nope" in capsys.readouterr().err


REPO = Path(__file__).resolve().parents[2]
COURSE = ["a1_dense", "a2_embeddings", "a3_recurrent"]


@pytest.mark.parametrize("name", COURSE)
def test_every_hand_graded_answer_has_a_rubric_for_the_grader_only(name: str) -> None:
    source = nbformat.read(REPO / "source" / name / f"{name}.ipynb", as_version=4)
    release = nbformat.read(REPO / "release" / name / f"{name}.ipynb", as_version=4)
    manual = [c for c in source.cells if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade")]
    assert manual, "each assignment has a hand-graded answer"
    for answer in manual:
        answer_id = answer.metadata["nbgrader"]["grade_id"]
        after = source.cells[source.cells.index(answer) + 1]
        assert after.metadata.get("nbgrader", {}).get("grade_id") == a.rubric_id(answer_id), answer_id
        assert after.metadata["nbgrader"]["locked"], answer_id
        text = after.source.split("BEGIN MARK SCHEME")[1].split("END MARK SCHEME")[0]
        points = answer.metadata["nbgrader"]["points"]
        assert f"**Rubric ({points:g} points).**" in text and "*A full answer.*" in text, answer_id
        assert text.count("**1 point") == points, answer_id  # what earns each point
        released = a.cell_by_id(release, a.rubric_id(answer_id))
        assert released.source.strip() == a.RUBRIC_NOTE, answer_id


def test_bare_openings_are_not_grader_code(tmp_path: Path) -> None:
    from dl4text.nbgrader.leakscan import grader_lines

    (tmp_path / "test_x.py").write_text("def check():\n    raise AssertionError(\n        'the answer is off')\n"
                                         "    kv = KeyedVectors(vectors.shape[1])\n")
    assert grader_lines(tmp_path) == {"'the answer is off')", "kv = KeyedVectors(vectors.shape[1])"}
