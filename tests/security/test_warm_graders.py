"""The warm graders' server is out of the kernel's reach while the kernel runs.

The server starts before the kernel (the engine prestarts it) and lives on after it; a kernel
that lists every process it can see, every file descriptor of each, its own descriptors and
the machine's Unix sockets finds no trace of it: not its process, not its socket pair, not a
pipe of it. Graded the ``dl4text grade`` way (``grade_file``) on the sample course.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dl4text import authoring as a
from dl4text.grading import judge, warm
from dl4text.runners.standalone import grade_file

from ..grading.sample_course import ASSIGNMENT, make_course, source_notebook
from .attacks import FINDING, findings

LOOKS_FOR_THE_SERVER = r'''
import json, os, stat

def attempt(read):
    try:
        return read()
    except OSError as exc:
        return f"errno {exc.errno}"

seen = {}
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    fds = attempt(lambda: os.listdir(f"/proc/{pid}/fd"))
    links = {fd: attempt(lambda: os.readlink(f"/proc/{pid}/fd/{fd}")) for fd in fds} if isinstance(fds, list) else fds
    cmdline = attempt(lambda: open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace"))
    seen[pid] = {"cmdline": cmdline, "fds": links}
own = {}
for fd in range(4096):
    try:
        info = os.fstat(fd)
        own[fd] = f"socket:[{info.st_ino}]" if stat.S_ISSOCK(info.st_mode) else (
            f"pipe:[{info.st_ino}]" if stat.S_ISFIFO(info.st_mode) else "other")
    except OSError:
        pass
unix = attempt(lambda: open("/proc/net/unix").read())
print("DL4TEXT-FINDING " + json.dumps({"seen": seen, "own": own, "unix": unix}))
'''
assert FINDING == "DL4TEXT-FINDING "


@pytest.fixture(autouse=True)
def _warm_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(warm.WARM_ENV, "1")


def server_channels(pid: int) -> set[str]:
    """Every socket and pipe the server holds (``socket:[inode]``), and this process's end of its pair."""
    links = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
    ours = warm.shared()._sock
    assert ours is not None
    links.add(f"socket:[{os.fstat(ours.fileno()).st_ino}]")
    return {link for link in links if link.startswith(("socket:", "pipe:"))}


def test_the_kernel_sees_no_trace_of_the_warm_graders(tmp_path: Path) -> None:
    root = make_course(tmp_path / "course")
    nb = source_notebook()
    index = nb.cells.index(a.cell_by_id(nb, "double"))
    nb.cells.insert(index + 1, a.code(LOOKS_FOR_THE_SERVER))
    path = tmp_path / "submission" / f"{ASSIGNMENT}.ipynb"
    a.write(nb, path)

    judge.prestart_graders(fast=True)  # as the engine does: the server runs before the kernel starts
    pid = warm.shared().pid
    assert pid is not None
    channels = server_channels(pid)
    graded = grade_file(path, root, fast=True)
    assert warm.shared().pid == pid, "the same server graded it: it was alive while the kernel ran"
    assert graded.score == graded.max_score, graded.as_json()

    found = findings(graded.executed)
    assert found["seen"], "the attack saw nothing at all"
    for seen in found["seen"].values():
        assert "graderserver" not in seen["cmdline"] and "pytest" not in seen["cmdline"], seen["cmdline"]
        links = set(seen["fds"].values()) if isinstance(seen["fds"], dict) else set()
        assert not links & channels, f"the kernel's sandbox holds the server's channel: {links & channels}"
    own = set(found["own"].values())
    assert not own & channels, f"the kernel holds the server's channel: {own & channels}"
    inodes = {link.split("[")[1].rstrip("]") for link in channels if link.startswith("socket:")}
    listed = set(found["unix"].split())
    assert not inodes & listed, "the server's sockets are listed in the kernel's /proc/net/unix"
