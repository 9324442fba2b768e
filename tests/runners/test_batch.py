"""The one runner: ``dl4text autograde`` in this process and with ``--workers 2`` grade alike.

A new course folder (released with ``dl4text release``), and both runs started as
``.venv/bin/dl4text`` with this environment's ``bin/`` off PATH (nbgrader runs ``alembic`` from
PATH): the same rows, the same exact points, a notebook linked to the instructor's solution
at zero with the reason on both, a linked submission folder refused on both.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from dl4text import authoring as a

from ..grading.sample_course import ASSIGNMENT, make_course, source_notebook
from ..grading.submissions import CASES
from .conftest import BIN, _recorded, _wait_until, dl4text, grades, start_dl4text, summary_rows

NB = f"{ASSIGNMENT}.ipynb"
ZERO = {"test_double": 0.0, "test_answer": 0.0}
EXPECTED = {"solution": CASES["solution"].points, "partly_right": CASES["partly_right"].points,
            "eve": ZERO, "lou": ZERO}
LINK_NOTE = (f"note: eve/{ASSIGNMENT}/{NB}: it is a symbolic link (to ../../../source/{ASSIGNMENT}/{NB}), "
             "which is not followed")
pytestmark = pytest.mark.filterwarnings("ignore:Object of type:Warning")


def _bare_env() -> dict[str, str]:
    """This environment without its ``bin/`` on PATH, as a shell that never activated it."""
    path = [p for p in os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep) if p and Path(p) != BIN]
    return {**os.environ, "PATH": os.pathsep.join(path or ["/usr/bin", "/bin"])}


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new course folder, released by ``dl4text release`` without the environment on PATH."""
    root = make_course(tmp_path_factory.mktemp("new") / "course")
    for student in ("solution", "partly_right"):
        a.write(CASES[student].make(source_notebook()), root / "submitted" / student / ASSIGNMENT / NB)
    done = subprocess.run([str(BIN / "dl4text"), "release", ASSIGNMENT, "--root", str(root)], env=_bare_env(),
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return root


def _copy(template: Path, folder: Path) -> Path:
    """A copy of the course with eve's notebook a link to the source solution and lou's folder a link."""
    root = Path(shutil.copytree(template, folder))
    eve = root / "submitted" / "eve" / ASSIGNMENT
    eve.mkdir(parents=True)
    (eve / NB).symlink_to(f"../../../source/{ASSIGNMENT}/{NB}")
    (root / "submitted" / "lou").mkdir()
    (root / "submitted" / "lou" / ASSIGNMENT).symlink_to(f"../solution/{ASSIGNMENT}")
    return root


def _table(stdout: str) -> list[str]:
    """The summary's student lines and notes, the time column left out."""
    lines = []
    for line in stdout.splitlines():
        if re.match(r"\s+(solution|partly_right|eve|lou)\s", line):
            lines.append(re.sub(r"\s+\d+s\s+", " _s ", line))
        elif line.strip().startswith("note:"):
            lines.append(line)
    return lines


def test_serial_and_two_workers_grade_a_new_course_alike(released: Path, tmp_path: Path) -> None:
    serial_root, parallel_root = _copy(released, tmp_path / "serial"), _copy(released, tmp_path / "parallel")
    serial = dl4text(serial_root, env=_bare_env())
    assert serial.returncode == 0, serial.stdout + serial.stderr
    parallel = dl4text(parallel_root, "--workers", "2", env=_bare_env())
    assert parallel.returncode == 0, parallel.stdout + parallel.stderr
    assert "alembic" not in parallel.stdout + parallel.stderr + serial.stdout + serial.stderr
    assert grades(serial_root) == grades(parallel_root) == EXPECTED
    assert _table(serial.stdout) == _table(parallel.stdout)
    assert "grading eve ..." in serial.stdout  # one after another, in that process
    assert "done=3 failed=0 remaining=0" in parallel.stderr  # lou was refused before any grading
    table = _table(parallel.stdout)
    assert LINK_NOTE in "\n".join(table)
    assert any(re.match(r"\s+eve\s+0/4\s+graded\s", line) for line in table), table
    assert any(re.match(r"\s+lou\s+0/4\s+refused\s", line) for line in table), table
    assert "3 graded, 1 refused" in parallel.stdout and "3 graded, 1 refused" in serial.stdout
    for root in (serial_root, parallel_root):
        assert (root / "submitted" / "eve" / ASSIGNMENT / f"{NB}.unreadable").is_symlink()
        graded = (root / "autograded" / "eve" / ASSIGNMENT / NB).read_text()
        assert "could not be read when it was graded" in graded


def test_a_course_whose_gradebook_is_gone_is_a_clear_error(released: Path, tmp_path: Path) -> None:
    """release/ there but no gradebook.db (a fresh clone): said so, never nbgrader's missing `alembic`."""
    root = Path(shutil.copytree(released, tmp_path / "course"))
    (root / "gradebook.db").unlink()
    done = dl4text(root, "--workers", "2", env=_bare_env())
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"has no notebook {ASSIGNMENT} of {ASSIGNMENT}: run `dl4text release {ASSIGNMENT}`" in done.stderr
    assert "alembic" not in done.stderr and not (root / "gradebook.db").exists()


def test_ctrl_c_stops_the_serial_runner_and_the_next_run_resumes(released: Path, tmp_path: Path) -> None:
    root = Path(shutil.copytree(released, tmp_path / "course"))
    a.write(CASES["kernel_exits"].make(source_notebook()), root / "submitted" / "kernel_exits" / ASSIGNMENT / NB)
    run = start_dl4text(root)
    _wait_until(lambda: len(_recorded(root)) >= 1, run)
    run.send_signal(signal.SIGINT)  # Ctrl-C, in this process's grading or write
    out, err = run.communicate(timeout=120)
    assert run.returncode == 130, out + err
    first = _recorded(root)
    assert 1 <= len(first) < 3
    done = dl4text(root)
    assert done.returncode == 0, done.stdout + done.stderr
    statuses = dict(summary_rows(done.stdout))
    assert {s for s, status in statuses.items() if status == "unchanged"} == set(first)
    assert grades(root) == {"solution": CASES["solution"].points, "partly_right": CASES["partly_right"].points,
                            "kernel_exits": CASES["kernel_exits"].points}


@pytest.mark.parametrize("workers", [[], ["--workers", "2"]], ids=["serial", "two-workers"])
def test_the_first_grading_on_a_cold_cache_fills_it_first(released: Path, tmp_path: Path, small_imdb,
                                                          workers: list[str]) -> None:
    """A fresh machine: the fenced grading may only read the data cache, so the worker fills it first."""
    root = Path(shutil.copytree(released, tmp_path / "course"))
    cache = tmp_path / "cold-cache"
    env = {**_bare_env(), "DL4TEXT_CACHE": str(cache), "DL4TEXT_IMDB": str(small_imdb.path)}
    done = dl4text(root, "--student", "solution", *workers, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert grades(root)["solution"] == CASES["solution"].points, done.stdout
    assert list(cache.glob("imdb-*.npz")) and list((cache / "checksums").glob("*.sha256"))
