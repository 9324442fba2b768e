"""Stops a kernel that runs too long, uses too much memory or fills its scratch folder."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import psutil


class Watchdog:
    """Polls a kernel's process tree; kills it past ``deadline_s``, ``memory_bytes`` or ``disk_bytes``.

    The tree is everything under ``pid`` (the sandbox's ``bwrap`` and all it started: in a
    PID namespace nothing can leave it); ``disk_bytes`` bounds what lies in ``folder``.
    After a kill, :attr:`reason` says why, in words for the student.
    """

    def __init__(self, pid: int, *, deadline_s: float, memory_bytes: int, interval: float = 0.25,
                 folder: Path | None = None, disk_bytes: int = 0):
        self.pid, self.deadline_s, self.memory_bytes, self.interval = pid, deadline_s, memory_bytes, interval
        self.folder, self.disk_bytes = folder, disk_bytes
        self._polls = 0
        self.reason: str | None = None
        self.peak_bytes = 0
        self._started = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="dl4text-watchdog", daemon=True)

    def __enter__(self) -> Watchdog:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _tree(self) -> list[psutil.Process]:
        root = psutil.Process(self.pid)
        return [root, *root.children(recursive=True)]

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                tree = self._tree()
                rss = sum(p.memory_info().rss for p in tree)
            except psutil.Error:
                return
            self.peak_bytes = max(self.peak_bytes, rss)
            if rss > self.memory_bytes:
                self._kill(tree, f"the notebook used more than {self.memory_bytes / 1024**3:.1f} GiB "
                                 "of memory and was stopped")
                return
            self._polls += 1
            if self.folder is not None and self.disk_bytes and self._polls % 8 == 0 \
                    and folder_bytes(self.folder) > self.disk_bytes:
                self._kill(tree, f"the notebook wrote more than {self.disk_bytes / 1024**3:.1f} GiB "
                                 "of files and was stopped")
                return
            if time.monotonic() - self._started > self.deadline_s:
                self._kill(tree, f"the notebook ran longer than {self.deadline_s:.0f} s in all "
                                 "and was stopped")
                return

    def _kill(self, tree: list[psutil.Process], reason: str) -> None:
        self.reason = reason
        for process in reversed(tree):
            try:
                process.kill()
            except psutil.Error:
                pass


def folder_bytes(folder: Path) -> int:
    """The disk space used under ``folder`` (links not followed)."""
    total = 0
    stack = [str(folder)]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    total += info.st_blocks * 512
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
        except OSError:
            continue
    return total
