"""User ids lent when the grading runs as root: one per running sandbox (or fenced grading).

Root is exempt from the process bound (``RLIMIT_NPROC``) and owns every root file, so a
sandbox started by root runs its kernel as a user id of its own. An id is held with an
flock on a file under ``/run/dl4text-<pool>-uids`` (freed when its holder dies, even by
SIGKILL); every process left with that id is killed before the id is lent again and when
it is given back.
"""

from __future__ import annotations

import fcntl
import os
import stat
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

UID_COUNT = 4096
#: pool name -> its first user id: the sandboxes' kernels, and the runners' fenced gradings
POOLS = {"sandbox": 613000, "fence": 612000}
RUN = Path("/run" if os.access("/run", os.W_OK) else tempfile.gettempdir())

_lock = threading.Lock()


@contextmanager
def lend_uid(pool: str = "sandbox") -> Iterator[int]:
    """Hold a free user id of ``pool`` for the block; kill whatever runs under it before and after."""
    locks = RUN / f"dl4text-{pool}-uids"
    locks.mkdir(mode=0o700, exist_ok=True)
    info = locks.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
        raise RuntimeError(f"{locks} is not a private folder of this user: remove it")
    base = POOLS[pool]
    with _lock:
        for uid in range(base, base + UID_COUNT):
            fd = os.open(locks / str(uid), os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            break
        else:
            raise RuntimeError(f"all {UID_COUNT} {pool} user ids are in use")
    try:
        kill_user(uid)
        yield uid
    finally:
        kill_user(uid)
        os.close(fd)


def kill_user(uid: int) -> None:
    """Kill every process whose real user id is ``uid``."""
    procs = [p for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real == uid]
    for p in procs:
        try:
            p.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(procs, timeout=5)
