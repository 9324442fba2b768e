"""Real unprivileged users for the tests that need them (root only), and the folders they must cross.

The kit's Python may live in a folder other users cannot enter (pyenv under ``/root``, mode
0700). :func:`traversable_for_others` lets them cross such folders (``o+x``: enter, not list)
while a block runs. Test modules in different xdist workers may hold it at once: the first
records each folder's mode, the last one out puts it back. Holders are process ids in a
state file, so a holder killed on the way does not keep the folders open for good (the next
holder finds it dead and, if it is the last, restores the modes).
"""

from __future__ import annotations

import fcntl
import json
import os
import pwd
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STATE = Path(tempfile.gettempdir()) / "dl4text-tests-traversable.json"


def system_user(name: str) -> pwd.struct_passwd:
    """The system user ``name``, created (no login shell, a home folder) when missing."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--system", "--create-home", "--shell", "/usr/sbin/nologin", name],
                       check=True, capture_output=True)
        return pwd.getpwnam(name)


def closed_to_others(*paths: Path) -> list[Path]:
    """The folders above ``paths`` (links resolved) that other users cannot enter."""
    found: list[Path] = []
    for path in paths:
        for folder in reversed(Path(path).resolve().parents):
            if not os.stat(folder).st_mode & stat.S_IXOTH and folder not in found:
                found.append(folder)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def _state() -> Iterator[dict]:
    """The shared state (``holders``: pids, ``modes``: folder -> mode), locked, written back after."""
    with open(STATE.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = json.loads(STATE.read_text()) if STATE.is_file() else {"holders": [], "modes": {}}
        state["holders"] = [pid for pid in state["holders"] if _alive(pid)]
        yield state
        if state["holders"]:
            STATE.write_text(json.dumps(state))
        else:
            STATE.unlink(missing_ok=True)


@contextmanager
def traversable_for_others(paths: tuple[Path, ...] = (Path(sys.executable), Path(sys.prefix))) -> Iterator[None]:
    """Let other users cross the folders above ``paths`` (default: this Python) during the block."""
    with _state() as state:
        if not state["holders"]:  # the last holder died without restoring: restore now, record afresh
            for folder, mode in state["modes"].items():
                os.chmod(folder, mode)
            state["modes"] = {}
        for folder in closed_to_others(*paths):
            mode = stat.S_IMODE(os.stat(folder).st_mode)
            state["modes"].setdefault(str(folder), mode)
            os.chmod(folder, mode | stat.S_IXOTH)
        state["holders"].append(os.getpid())
    try:
        yield
    finally:
        with _state() as state:
            if os.getpid() in state["holders"]:
                state["holders"].remove(os.getpid())
            if not state["holders"]:
                for folder, mode in state["modes"].items():
                    os.chmod(folder, mode)
                state["modes"] = {}
