"""A handful of the attacks graded by an unprivileged user: the sandbox without root's help.

CI runs as root, where GradingExecute lends the kernel a uid of its own and ``dl4text
autograde`` fences each grading under another uid. A course run by an ordinary user gets
neither: the kernel runs as the grading user itself, and only bubblewrap's namespaces
(an unprivileged user namespace, its own PID, network, mount namespaces) stand between the
student's code and everything that user owns: the course, the gradebook, the data cache,
the HOME folder. This test creates that user (``useradd --system --create-home
dl4text-tester`` when missing), gives it a copy of the sample course and a data cache of its
own, and runs serial ``dl4text autograde`` and ``dl4text grade`` as that user with
``runuser``.

The kit's Python lives under ``/root/.pyenv`` here and ``/root`` is 0700: for the duration
of this module ``/root`` is made traversable by others (``chmod o+x``, not listable), and
its mode is restored afterwards.

Skipped when not root, or when ``runuser``/``useradd`` are missing.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from dl4text import config
from dl4text.data.source import CHECKSUMS_DIR
from dl4text.sandbox.bwrap import TMPFS_BYTES

from ..accounts import system_user, traversable_for_others
from ..grading.sample_course import ASSIGNMENT
from ..runners.conftest import BIN, grades
from .attacks import DONE, expected_points, findings, printed
from .conftest import (
    Listener,
    Template,
    Watched,
    cache_changes,
    changed,
    home_digest,
    kill_marked,
    marked_processes,
    run_watched,
    target_for,
    tree_digest,
    undo_planted,
    write_class,
)
from .test_attacks import GRADE_LIMITS, IDENTITY_MAP, _points_from_json

USER = "dl4text-tester"
#: the daemon, /proc, writing outside (the user's own HOME and data cache, the sandbox's own folders),
#: kill -1, and plain notebooks
AUTOGRADED = ["daemon_poisons_later_gradings", "reads_proc", "writes_startup_files_into_home",
              "writes_into_data_cache", "fills_sandbox_folders", "kills_every_process", "release", "solution",
              "zz_next_student"]
GRADED = ["reads_proc", "kills_every_process", "release", "solution"]

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root: it creates a user and runs the grading as it"),
    pytest.mark.skipif(not (shutil.which("runuser") and shutil.which("useradd")),
                       reason="runuser and useradd (util-linux, passwd) are needed to grade as another user"),
]


@dataclass
class Unprivileged:
    """Both gradings by the unprivileged user, and what the tests compare."""

    uid: int
    home: Path
    course: Path
    cache: Path
    autograde: Watched
    grade: Watched
    points: dict[str, dict[str, float]]
    grade_points: dict[str, dict[str, float]]
    notebooks: dict[str, nbformat.NotebookNode] = field(default_factory=dict)
    changes: dict[str, list[str]] = field(default_factory=dict)
    left_running: list[str] = field(default_factory=list)
    undone: list[str] = field(default_factory=list)


def _user() -> pwd.struct_passwd:
    return system_user(USER)


def _give(folder: Path, uid: int, gid: int) -> None:
    for path in [folder, *folder.rglob("*")]:
        os.lchown(path, uid, gid)


def _as_user(user: pwd.struct_passwd, cache: Path, *command: str) -> list[str]:
    """``command`` run as ``user`` with a short environment of its own (nothing of root's)."""
    env = {"HOME": user.pw_dir, "USER": USER, "LOGNAME": USER, "LANG": "C.UTF-8",
           "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin", config.CACHE_ENV: str(cache),
           "TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0", config.FAST_ENV: "1"}
    if os.environ.get(config.IMDB_ENV):
        env[config.IMDB_ENV] = os.environ[config.IMDB_ENV]
    return ["runuser", "-u", USER, "--", "env", "-i", *(f"{k}={v}" for k, v in env.items()), *command]


@pytest.fixture(scope="module")
def root_traversable() -> Iterator[None]:
    """Let other users traverse /root (the pyenv Python lives below it) while this module runs
    (shared with other modules that run at once: the last one out restores the mode)."""
    with traversable_for_others():
        yield


@pytest.fixture(scope="module")
def unprivileged(root_traversable: None, template: Template, listener: Listener) -> Iterator[Unprivileged]:
    user = _user()
    base = Path(tempfile.mkdtemp(prefix="dl4text-unprivileged-"))  # /tmp: reachable by the user
    try:
        os.chmod(base, 0o755)
        course = Path(shutil.copytree(template.root, base / "course"))
        cache = base / "cache"
        cache.mkdir()
        real_cache = config.cache_dir()
        for path in real_cache.glob("imdb-*.npz"):
            shutil.copy2(path, cache / path.name)
        if (real_cache / CHECKSUMS_DIR).is_dir():
            shutil.copytree(real_cache / CHECKSUMS_DIR, cache / CHECKSUMS_DIR)
        home = Path(user.pw_dir)
        target = target_for(course, listener.port, cache=cache, home=home)
        students = write_class(course, template.books, target, AUTOGRADED)
        _give(base, user.pw_uid, user.pw_gid)
        os.chmod(base, 0o755)
        before = {"home": home_digest(home), "cache": tree_digest(cache), "graders": tree_digest(course / "grader_tests")}
        saved = {home / ".bashrc": (home / ".bashrc").read_bytes()} if (home / ".bashrc").is_file() else {}
        autograde = run_watched(_as_user(user, cache, str(BIN / "dl4text"), "autograde", ASSIGNMENT, "--fast",
                                         "--root", str(course)), timeout=600)
        notebooks = [str(course / "submitted" / s / ASSIGNMENT / f"{ASSIGNMENT}.ipynb") for s in GRADED]
        grade = run_watched(_as_user(user, cache, str(BIN / "dl4text"), "grade", "--json", "--fast", "--root",
                                     str(course), *GRADE_LIMITS, *notebooks), timeout=600)
        left = marked_processes()
        kill_marked()
        after = {"home": home_digest(home), "cache": tree_digest(cache), "graders": tree_digest(course / "grader_tests")}
        places = [course, course / "grader_tests", home, home / ".ipython" / "profile_default" / "startup", cache,
                  Path("/tmp")]
        result = Unprivileged(
            uid=user.pw_uid, home=home, course=course, cache=cache, autograde=autograde, grade=grade,
            points=grades(course) if autograde.returncode == 0 else {},
            grade_points=_points_from_json(grade.stdout) if grade.returncode == 0 else {},
            changes={"home": changed(before["home"], after["home"]),
                     "cache": cache_changes(before["cache"], after["cache"]),
                     "graders": changed(before["graders"], after["graders"])},
            left_running=left, undone=undo_planted(places, saved))
        print(f"\n[unprivileged] autograde {autograde.seconds} s, grade {grade.seconds} s")
        for student in students:
            path = course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
            if path.is_file():
                result.notebooks[student] = nbformat.read(path, as_version=4)
        yield result
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_both_commands_succeed(unprivileged: Unprivileged) -> None:
    for run in (unprivileged.autograde, unprivileged.grade):
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-5000:]
    assert "same user (the worker does not run as root)" in unprivileged.autograde.stdout


@pytest.mark.parametrize("student", AUTOGRADED)
def test_autograde_gives_the_same_points(unprivileged: Unprivileged, student: str) -> None:
    assert unprivileged.points.get(student) == pytest.approx(expected_points()[student]), (
        printed(unprivileged.notebooks[student])[-3000:] if student in unprivileged.notebooks else "not graded")


@pytest.mark.parametrize("student", GRADED)
def test_grade_gives_the_same_points(unprivileged: Unprivileged, student: str) -> None:
    assert unprivileged.grade_points.get(student) == pytest.approx(expected_points()[student])


def test_the_kernel_ran_in_a_user_namespace_of_its_own(unprivileged: Unprivileged) -> None:
    nb = unprivileged.notebooks["reads_proc"]
    assert DONE in printed(nb), printed(nb)[-3000:]
    found = findings(nb)
    assert found["uid"] == unprivileged.uid  # no lent uid without root: the grading user itself...
    assert found["uid_map"] != IDENTITY_MAP  # ...inside bwrap's user namespace
    assert found["outside"] == [] and len(found["cmdlines"]) <= 3, found["cmdlines"]
    assert not found["course_visible"], "the course folder is visible to the kernel"
    assert not found["cache_visible"], "the real data cache is visible to the kernel"
    assert isinstance(found["home_listing"], str), f"the user's HOME is visible: {found['home_listing']}"


def test_the_users_own_files_are_out_of_reach(unprivileged: Unprivileged) -> None:
    assert unprivileged.changes == {"home": [], "cache": [], "graders": []}
    assert unprivileged.undone == []
    home = findings(unprivileged.notebooks["writes_startup_files_into_home"])["home"]
    assert any(p.startswith(str(unprivileged.home) + "/") for p in home), home
    cache = findings(unprivileged.notebooks["writes_into_data_cache"])["cache"]
    real = {p: r for p, r in cache.items() if p.startswith(str(unprivileged.cache) + "/")}
    assert real and set(real.values()) <= {"ENOENT", "EROFS", "EACCES"}, real


def test_sandbox_folders_outside_the_box_take_no_memory(unprivileged: Unprivileged) -> None:
    filled = findings(unprivileged.notebooks["fills_sandbox_folders"])["filled"]
    for folder, (total, error) in filled.items():
        small = folder in ("/tmp", "/dev/shm") or folder.startswith("/tmp/")
        assert total <= (TMPFS_BYTES if small else 0) and error, (folder, total, error)


def test_nothing_the_attacks_started_survives(unprivileged: Unprivileged) -> None:
    assert unprivileged.left_running == []  # processes whose command line holds MARKER


def test_the_summary_reports_the_machine_fences(unprivileged: Unprivileged) -> None:
    lines = [line for line in unprivileged.autograde.stdout.splitlines() if line.startswith("fence:")]
    assert lines and "network on" in lines[0], unprivileged.autograde.stdout[-2000:]
    assert json.loads(unprivileged.grade.stdout)  # the JSON of dl4text grade parses
