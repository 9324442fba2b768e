"""One submission graded by the worker's code, inside its fence (no Dask here)."""

from __future__ import annotations

import dataclasses
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from dl4text import authoring as a
from dl4text.runners.fence import capabilities
from dl4text.runners.pack import pack_course
from dl4text.runners.task import FAILED, GRADED, STOPPED, CoursePack, GradingTask, Limits
from dl4text.runners.worker import grade_task
from dl4text.sandbox.uids import POOLS, UID_COUNT

from ..grading.sample_course import ASSIGNMENT, source_notebook
from ..grading.submissions import CASES

UID_BASE = POOLS["fence"]  # the fence's pool (sandboxed kernels of other tests use another)

FULL = {"test_double": 2.0, "test_answer": 1.0}


@pytest.fixture(scope="module")
def pack(class_template: Path) -> CoursePack:
    return pack_course(class_template, ASSIGNMENT, fast=True, threads_by_host={"*": 1})


def _task(nb: nbformat.NotebookNode, limits: Limits, student: str = "alice") -> GradingTask:
    return GradingTask(student=student, digest="d", limits=limits,
                       files={f"{ASSIGNMENT}.ipynb": nbformat.writes(nb).encode()})


def _fenced_processes(since: float) -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["uids", "create_time"])
            if UID_BASE <= p.info["uids"].real < UID_BASE + UID_COUNT and p.info["create_time"] >= since]


def test_a_grading_past_its_wall_time_is_stopped(pack: CoursePack) -> None:
    slow = CASES["notebook_never_ends"].make(source_notebook())  # 4 x 8 s: the kernel's bound is 25 s
    started = time.monotonic()
    result = grade_task(pack, _task(slow, Limits(wall_s=12, memory_mb=4096)))
    assert result.status == STOPPED
    assert "ran longer than 12 s" in result.reason
    assert time.monotonic() - started < 30


DAEMON = '''import ctypes, os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        ctypes.CDLL(None).prctl(15, b"fence-daemon", 0, 0, 0)  # PR_SET_NAME: the test finds it by name
        hog = [b"x" * (100 * 1024**2) for _ in range(40)]
        time.sleep(600)
    os._exit(0)
os.wait()
time.sleep(8)
answer = 42'''


@pytest.mark.skipif(not capabilities().own_user, reason=capabilities().own_user_why_not)
def test_a_daemon_escaping_the_kernel_counts_and_is_killed(pack: CoursePack) -> None:
    """A double-forked daemon leaves the kernel's process tree (its watchdog cannot see it).

    The kernel's sandbox keeps such a daemon in (its PID namespace dies with the notebook): the
    fence is the bound for when it is off (``--no-sandbox``), so this grading runs without it.
    """
    since = time.time() - 1
    nb = a.replace_source(source_notebook(), "answer", DAEMON)
    result = grade_task(pack, _task(nb, Limits(wall_s=120, memory_mb=2048, sandbox=False)))
    assert result.status == STOPPED, (result.status, result.scores, result.reason)
    assert "more than 2.0 GiB of memory" in result.reason
    # other tests' fenced gradings may run beside this one (pytest-xdist): look for this daemon only
    assert [p for p in _fenced_processes(since) if _name(p) == "fence-daemon"] == []


def _name(process: psutil.Process) -> str:
    try:
        return process.name()
    except psutil.Error:
        return ""


BREAK_OUT = '''import os, socket
blocked = []
try:
    with open({gradebook!r}, "ab") as handle:
        handle.write(b"forged")
except OSError:
    blocked.append("gradebook")
try:
    with open({other!r}, "w") as handle:
        handle.write("forged")
except OSError:
    blocked.append("other submission")
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=3).close()
except OSError:
    blocked.append("network")
try:
    os.kill({worker}, 0)
except OSError:
    blocked.append("signal")
print(blocked)
answer = 42 if len(blocked) == 4 else len(blocked)'''


@pytest.mark.skipif(not (capabilities().own_user and capabilities().no_network),
                    reason=capabilities().own_user_why_not or capabilities().no_network_why_not)
def test_a_submission_cannot_write_outside_its_folder_nor_reach_the_network(pack: CoursePack) -> None:
    course = Path(tempfile.mkdtemp(prefix="dl4text-test-course-"))
    try:
        os.chmod(course, 0o755)  # as open as a course folder gets: others may read, not write
        gradebook = course / "gradebook.db"
        gradebook.write_bytes(b"original")
        other = course / "submitted" / "bob" / ASSIGNMENT
        other.mkdir(parents=True)
        os.chmod(other, 0o777 & ~0o022)
        with socket.socket() as server:
            server.bind(("127.0.0.1", 0))
            server.listen()
            server.setblocking(False)
            code = BREAK_OUT.format(gradebook=str(gradebook), other=str(other / f"{ASSIGNMENT}.ipynb"),
                                    port=server.getsockname()[1], worker=os.getpid())
            nb = a.replace_source(source_notebook(), "answer", code)
            result = grade_task(pack, _task(nb, Limits(wall_s=120, memory_mb=4096)))
            with pytest.raises(BlockingIOError):
                server.accept()
        assert result.status == GRADED, result.reason
        assert result.scores == FULL, result.notebooks[ASSIGNMENT]
        assert result.fences[0] == "own folder, wall time 120 s, memory 4096 MiB"
        assert result.fences[1].startswith("own user") and result.fences[2] == "no network"
        assert gradebook.read_bytes() == b"original"
        assert not list(other.iterdir())
    finally:
        shutil.rmtree(course)


def test_a_worker_with_other_thresholds_refuses_to_grade(pack: CoursePack) -> None:
    result = grade_task(dataclasses.replace(pack, thresholds=b"[other]\n"),
                        _task(source_notebook(), Limits(wall_s=60, memory_mb=4096)))
    assert result.status == FAILED
    assert "thresholds.toml" in result.reason and not result.notebooks


@pytest.mark.skipif(os.geteuid() != 0, reason="the fence runs gradings as another user only as root")
def test_the_workers_home_is_covered_even_while_others_may_cross_it() -> None:
    """A plan made while HOME is ``o+x`` (the unprivileged tests open /root for a while) still hides
    HOME and binds the Python back: closing HOME again must not take Python from a grading."""
    from dl4text.runners.fence import _plan_own_user

    from ..accounts import traversable_for_others

    home = Path.home().resolve()
    if not any(p.is_relative_to(home) for p in map(Path, _plan_own_user()[3])):
        pytest.skip(f"nothing the grading needs lies under {home}")
    with traversable_for_others((home / "x",)):
        own, _, covers, exposed = _plan_own_user()
    assert own and str(home) in covers, covers
    assert any(Path(p).is_relative_to(home) for p in exposed), exposed
