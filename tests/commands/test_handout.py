"""`dl4text handout` on this repository's course: what a student gets, scanned, installed fresh.

The last test installs the wheel into a new virtual environment (from the package index, as
a student would) and validates a solved handout notebook there with nbgrader, in fast mode.
"""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from dl4text import authoring as a
from dl4text.cells import grade_id_of, is_solution
from dl4text.cli import main
from dl4text.kitparts import STUDENT_PARTS, part_files
from dl4text.nbgrader.handout import Handout, build_handout, scan_handout
from dl4text.studentwheel import write_wheel

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENTS = ["a1_dense", "a2_embeddings", "a3_recurrent"]


@pytest.fixture(scope="module")
def handout(tmp_path_factory: pytest.TempPathFactory) -> Handout:
    return build_handout(REPO, tmp_path_factory.mktemp("term") / "handout")


def _wheel_names(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def test_the_handout_holds_the_release_the_student_package_and_a_readme(handout: Handout) -> None:
    assert handout.problems == []
    assert sorted(p.name for p in handout.folder.iterdir() if p.is_dir()) == ASSIGNMENTS
    for name in ASSIGNMENTS:
        assert filecmp.cmp(handout.folder / name / f"{name}.ipynb", REPO / "release" / name / f"{name}.ipynb",
                           shallow=False)
    names = _wheel_names(handout.wheel)
    assert {n for n in names if not n.startswith("dl4text_student-")} == {
        f"dl4text/{relative}" for relative, _ in part_files(STUDENT_PARTS)}
    assert "dl4text/course/thresholds.toml" in names and "dl4text/embeddings/sources.py" in names
    for instructor_only in ("bench", "grading", "runners", "nbgrader", "commands", "sandbox"):
        assert not any(n.startswith(f"dl4text/{instructor_only}/") for n in names), instructor_only
    readme = (handout.folder / "README.md").read_text()
    for step in (f"pip install {handout.wheel.name}", "DL4TEXT_IMDB", "nbgrader validate a1_dense/a1_dense.ipynb",
                 "Validate", "course.load_imdb"):
        assert step in readme, step
    with zipfile.ZipFile(handout.archive) as archive:
        assert sorted(archive.namelist()) == sorted(
            f"handout/{p.relative_to(handout.folder).as_posix()}" for p in handout.folder.rglob("*")
            if p.is_file() and not p.name.startswith("."))


def test_instructor_code_in_the_wheel_is_caught(handout: Handout, tmp_path: Path) -> None:
    folder = tmp_path / "handout"
    build_handout(REPO, folder, ["a1_dense"])
    for wheel in folder.glob("*.whl"):
        wheel.unlink()
    write_wheel(folder, (*STUDENT_PARTS, "grading/matrix.py", "grading/evaluate.py"))
    problems = scan_handout(folder, REPO)
    assert any("dl4text/grading/matrix.py: not part of the student package" in p for p in problems), problems
    assert any("dl4text/grading/evaluate.py: not part of the student package" in p for p in problems)


def test_a_solution_pasted_into_a_handout_notebook_is_caught(tmp_path: Path) -> None:
    folder = tmp_path / "handout"
    build_handout(REPO, folder, ["a1_dense"])
    path = folder / "a1_dense" / "a1_dense.ipynb"
    source = nbformat.read(REPO / "source" / "a1_dense" / "a1_dense.ipynb", as_version=4)
    nb = nbformat.read(path, as_version=4)
    first = next(c for c in source.cells if c.cell_type == "code" and is_solution(c))
    nbformat.write(a.replace_source(nb, grade_id_of(first), first.source), path)
    assert any("a1_dense/a1_dense.ipynb" in p and "marker" in p for p in scan_handout(folder, REPO))


def test_the_handout_refuses_course_folders_and_other_folders(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture) -> None:
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("keep me")
    assert main(["handout", "--to", str(other), "--root", str(REPO)]) == 1
    assert "exists and is not a handout" in capsys.readouterr().err
    assert (other / "mine.txt").read_text() == "keep me"
    assert main(["handout", "--to", str(REPO / "release" / "x"), "--root", str(REPO)]) == 1
    assert "inside release/" in capsys.readouterr().err


def test_a_course_without_its_release_says_what_to_run(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from tests.grading.sample_course import make_course

    root = make_course(tmp_path / "course")
    assert main(["handout", "--root", str(root)]) == 1
    assert "release/sample is missing: run `dl4text release sample` first" in capsys.readouterr().err


def _solved(handout: Handout, name: str) -> Path:
    """The handout notebook ``name`` with the source's solution cells in place, as a student's work."""
    source = nbformat.read(REPO / "source" / name / f"{name}.ipynb", as_version=4)
    path = handout.folder / name / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in source.cells:
        if is_solution(cell):
            nb = a.replace_source(nb, grade_id_of(cell), cell.source)
    nbformat.write(nb, path)
    return path


@pytest.mark.skipif(not os.environ.get("DL4TEXT_IMDB"), reason="needs the real IMDB archive (DL4TEXT_IMDB)")
def test_the_wheel_installs_in_a_fresh_environment_and_a_solved_notebook_validates(
        handout: Handout, tmp_path: Path) -> None:
    venv = tmp_path / "student-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    done = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(handout.wheel)],
                          capture_output=True, text=True, check=False, timeout=1200)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    python = str(venv / "bin" / "python")
    probe = ("import dl4text, importlib.util as u\n"
             "from dl4text import course\nfrom dl4text.data import get_word_index\n"
             "from dl4text.embeddings import load_vectors\n"
             "print(dl4text.__file__)\nprint(course.threshold('a1_dense.final_model'))\n"
             "print([m for m in ('dl4text.bench', 'dl4text.grading', 'dl4text.runners') if u.find_spec(m)])\n")
    done = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=False, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    where, threshold, instructor = done.stdout.splitlines()
    assert where.startswith(str(venv)) and float(threshold) > 0.5 and instructor == "[]"
    notebook = _solved(handout, "a1_dense")
    env = {**os.environ, "DL4TEXT_FAST": "1", "PATH": f"{venv / 'bin'}:/usr/bin:/bin"}
    done = subprocess.run([str(venv / "bin" / "nbgrader"), "validate", str(notebook)], capture_output=True,
                          text=True, check=False, env=env, cwd=notebook.parent, timeout=1200)
    assert "Success! Your notebook passes all the tests." in done.stdout, done.stdout[-3000:] + done.stderr[-3000:]
