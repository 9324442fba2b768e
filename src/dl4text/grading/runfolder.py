"""The folder of one grading run: what each side of the trust boundary may see of it.

Layout (``run/`` is private to the grading process, mode 0700)::

    run/private/          the graders' side only; never visible to the kernel
        spec.pkl          the probe (inputs chosen at grading time), read by the graders
        execution.json    the execution log
        graders.log       the graders' output (warm graders)
        label_seed        the view's seed, only in a run folder kept for debugging
        artifacts/        what the kernel produced, copied out after each probe (no links)
    run/inbox/            read-only in the sandbox
        kernel.json       the kernel's connection file
        requests.pkl      the probe's requests as plain data, for the kernel
        kit/dl4text/      the parts of the kit the kernel may import (its PYTHONPATH)
    run/view/             the data the kernel may read (test labels shuffled), read-only
    run/box/              the sandbox's only writable folder (also its /tmp)
        work/             the kernel's working folder: a copy of the submission's files
        home/ tmp/ sock/  HOME, TMPDIR, the ZMQ ipc sockets
        out/              where the kernel writes probe results

Both sides import the names from here; the kernel side (:mod:`dl4text.grading.kernel_side`)
only ever gets ``inbox/requests.pkl`` and ``box/out`` as paths.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

SPEC_FILE = "spec.pkl"
REQUESTS_FILE = "requests.pkl"
LOG_FILE = "execution.json"
#: the graders' output (pytest's report), written by the warm graders' child
GRADERS_LOG = "graders.log"
#: the grading view's seed, written into a kept run folder only (after the kernel is gone), to regrade it
SEED_FILE = "label_seed"
ARTIFACTS = "artifacts"
#: the suffixes a probe result may have (``<key>.status.json``, its status, copied last)
RESULT_SUFFIXES = (".npy", ".json", ".keras", ".status.json")
#: the largest result file copied out of the sandbox
MAX_RESULT_BYTES = 1024**3


@dataclass(frozen=True)
class RunFolder:
    """The paths of one grading run (see the module's docstring)."""

    root: Path

    @classmethod
    def create(cls) -> RunFolder:
        """A fresh private run folder under the temporary folder."""
        root = Path(tempfile.mkdtemp(prefix="dl4text-run-"))
        os.chmod(root, 0o700)
        run = cls(root)
        for folder in (run.private, run.artifacts, run.inbox, run.view, run.box, run.work,
                       run.home, run.tmp, run.sock, run.out):
            folder.mkdir(parents=True, exist_ok=True)
        return run

    private = property(lambda self: self.root / "private")
    artifacts = property(lambda self: self.root / "private" / ARTIFACTS)
    inbox = property(lambda self: self.root / "inbox")
    connection_file = property(lambda self: self.root / "inbox" / "kernel.json")
    requests = property(lambda self: self.root / "inbox" / REQUESTS_FILE)
    kit = property(lambda self: self.root / "inbox" / "kit")
    view = property(lambda self: self.root / "view")
    box = property(lambda self: self.root / "box")
    work = property(lambda self: self.root / "box" / "work")
    home = property(lambda self: self.root / "box" / "home")
    tmp = property(lambda self: self.root / "box" / "tmp")
    sock = property(lambda self: self.root / "box" / "sock")
    out = property(lambda self: self.root / "box" / "out")

    def give_box_to(self, uid: int) -> None:
        """Make the sandbox's folders the lent user's (root only); the inbox and view readable."""
        for path in [self.box, *self.box.rglob("*")]:
            os.lchown(path, uid, uid)
            if path.is_dir() and not path.is_symlink():
                os.chmod(path, 0o755)  # bwrap, root without capabilities, must enter them
        for folder in (self.inbox, self.view):
            for path in [folder, *folder.rglob("*")]:
                os.chmod(path, 0o755 if path.is_dir() else 0o644)

    def collect(self, key: str) -> None:
        """Move the results of probe ``key`` out of the sandbox's reach, refusing links and oddities."""
        for suffix in RESULT_SUFFIXES:
            name = f"{key}{suffix}"
            copy_out(self.out, name, self.artifacts / name)

    def remove(self) -> None:
        """Delete the run folder (whatever the sandbox left in it)."""
        shutil.rmtree(self.root, ignore_errors=True)


def copy_out(folder: Path, name: str, target: Path, limit: int = MAX_RESULT_BYTES, *,
             remove: bool = True) -> bool:
    """Copy the regular file ``folder/name`` to ``target`` without following links.

    Anything that is not a regular file of at most ``limit`` bytes is not copied. With
    ``remove``, the original is removed in any case. Returns whether a file was copied.
    """
    try:
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        copied = False
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
        except OSError:
            fd = -1
        if fd >= 0:
            with os.fdopen(fd, "rb") as source:
                info = os.fstat(source.fileno())
                if stat.S_ISREG(info.st_mode) and info.st_size <= limit:
                    with open(target, "wb") as sink:
                        copied = _copy_limited(source, sink, limit)
                    if not copied:
                        target.unlink(missing_ok=True)
        if remove:
            _unlink(name, dir_fd)
        return copied
    finally:
        os.close(dir_fd)


def _copy_limited(source: BinaryIO, sink: BinaryIO, limit: int) -> bool:
    total = 0
    while block := source.read(1 << 20):
        total += len(block)
        if total > limit:
            return False
        sink.write(block)
    return True


def _unlink(name: str, dir_fd: int) -> None:
    try:
        os.unlink(name, dir_fd=dir_fd)
    except OSError:
        pass
