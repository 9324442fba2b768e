"""A class of eight fast sample submissions, its serial grades, and helpers to run ``dl4text``."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from dl4text import authoring as a
from dl4text.nbgrader.cli import run_nbgrader

from ..grading.sample_course import ASSIGNMENT, make_course, source_notebook
from ..grading.submissions import CASES

#: fast fixture submissions: right, partly right, wrong, a dying kernel, a memory hog...
CLASS = ["solution", "partly_right", "kernel_exits", "exhausts_memory", "fakes_test_cell_output",
         "deletes_test_cell", "syntax_error", "returns_a_list_of_strings"]
BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def class_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample course, released, with the class's submissions (never graded: copy it)."""
    root = make_course(tmp_path_factory.mktemp("class"))
    run_nbgrader(["generate_assignment", ASSIGNMENT, "--force"], root)
    source = source_notebook()
    for student in CLASS:
        a.write(CASES[student].make(source), root / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    return root


@pytest.fixture
def course(class_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the class to grade."""
    return Path(shutil.copytree(class_template, tmp_path / "course"))


@pytest.fixture(scope="session")
def serial_grades(class_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Every cell's points after the serial ``dl4text autograde`` of the class."""
    root = Path(shutil.copytree(class_template, tmp_path_factory.mktemp("serial") / "course"))
    done = dl4text(root)
    assert done.returncode == 0, done.stdout + done.stderr
    found = grades(root)
    assert set(found) == set(CLASS)
    return found


def dl4text(root: Path, *args: str, timeout: float = 600, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess:
    """Run ``dl4text autograde sample --fast ARGS`` on the course at ``root`` (in ``env``, default this one)."""
    return subprocess.run([str(BIN / "dl4text"), "autograde", ASSIGNMENT, "--fast", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=timeout, check=False, env=env)


def start_dl4text(root: Path, *args: str) -> subprocess.Popen:
    """Start ``dl4text autograde sample --fast ARGS`` as a terminal would: Ctrl-C (SIGINT) stops it.

    A command started in the background of a script (``cmd &``, as a CI runner may start the
    test suite) inherits SIGINT *ignored*, and Python keeps it ignored; the tests that press
    Ctrl-C give the child the default disposition back.
    """
    return subprocess.Popen([str(BIN / "dl4text"), "autograde", ASSIGNMENT, "--fast", "--root", str(root), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_default_sigint)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def grades(root: Path) -> dict[str, dict[str, float | None]]:
    """student -> {grade_id: auto_score} of every autograded cell in the gradebook."""
    found: dict[str, dict[str, float | None]] = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for submission in gb.assignment_submissions(ASSIGNMENT):
            cells = found.setdefault(submission.student_id, {})
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.name.startswith("test_"):
                        cells[grade.name] = grade.auto_score
    return found


def summary_rows(stdout: str) -> list[tuple[str, str]]:
    """(student, status) of each line of the summary table ``dl4text autograde`` prints."""
    rows = []
    for line in stdout.splitlines():
        tokens = line.split()
        if len(tokens) >= 3 and tokens[0] in CLASS and ("/" in tokens[1] or tokens[1] == "-"):
            rows.append((tokens[0], tokens[2]))
    return rows


def _recorded(root: Path) -> dict[str, str]:
    """student -> digest recorded in the state (a write in progress is not recorded)."""
    try:
        data = json.loads((root / ".dl4text" / "autograde-state.json").read_text())
    except (OSError, ValueError):
        return {}
    digests = {k.split("/", 1)[1]: v["digest"] if isinstance(v, dict) else v for k, v in data.items()}
    return {student: digest for student, digest in digests.items() if digest != "writing"}


def _wait_until(condition, process: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"dl4text ended too early ({process.returncode}):\n{out}\n{err}")
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)
