"""The fence around the grading of one submission: its own user, folder, time, memory and no network.

:class:`Fence` runs one command (the worker's ``nbgrader autograde`` in a scratch course) and
bounds it from outside, whatever the command does:

* **wall time** and **memory** (resident set of every process of the grading: its process tree
  and, when it has its own user, every process of that user, so a daemon that double-forks
  out of the tree still counts); past either bound all of them are killed and the outcome
  says why, in words for the student;
* **its own user** (when the worker runs as root and the kit and the data cache are readable
  by other users): a user id taken from a pool for this submission alone, so the grading can
  write only its own folder (never the gradebook, the course or another submission) and
  cannot signal the worker; every process left with that id is killed afterwards;
* **no network** (when ``unshare -n`` works: root): a network namespace with only loopback;
* a session of its own, killed with the worker thread that started it.

GradingExecute already bounds the kernel (per cell, per notebook, memory); this bound is
the outer one, for all of the grading, including nbgrader, the graders and escaped processes.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from dl4text import config
from dl4text.sandbox.uids import lend_uid

JAIL = Path(__file__).with_name("jail.py")
NPROC = 4096  # processes + threads of one fenced grading
POLL_S = 0.5


@dataclass
class FenceOutcome:
    """How a fenced command ended."""

    returncode: int | None
    stopped: str = ""  # why the fence stopped it (empty: it ended by itself)
    seconds: float = 0.0
    peak_mb: float = 0.0
    fences: list[str] = field(default_factory=list)
    cancelled: bool = False  # stopped because nobody wanted the result any more


@dataclass(frozen=True)
class Capabilities:
    """What this machine lets the fence do, with the reason for what it cannot."""

    own_user: bool
    own_user_why_not: str
    no_network: bool
    no_network_why_not: str
    covers: tuple[str, ...] = ()  # folders other users cannot enter, hidden in the fence...
    exposed: tuple[str, ...] = ()  # ...but for these paths below them, bound back read-only


def _blocker(path: Path) -> Path | None:
    """The first folder on the way to ``path`` that other users cannot enter (or ``path`` itself).

    The worker's HOME counts as one whatever its mode: it holds the worker's own files, and
    its mode may change while a batch runs (``chmod o+x /root`` for a while), which must not
    take the Python installation away from a grading planned while HOME was open.
    """
    home = Path.home().resolve()
    try:
        for folder in reversed(path.parents):
            if folder == home or not os.stat(folder).st_mode & stat.S_IXOTH:
                return folder
        mode = os.stat(path).st_mode
    except OSError:
        return path
    readable = bool(mode & stat.S_IROTH) and (not stat.S_ISDIR(mode) or bool(mode & stat.S_IXOTH))
    return None if readable else path


def needed_paths() -> dict[str, Path]:
    """What the fenced grading must read: the Python installation, the kit, the data."""
    import dl4text

    needed = {"the Python installation": Path(sys.base_prefix), "the Python environment": Path(sys.prefix),
              "the Python interpreter": Path(sys.executable), "the dl4text package": Path(dl4text.__file__).parent,
              "the data cache": config.cache_dir()}
    if os.environ.get(config.IMDB_ENV):
        needed["the IMDB archive"] = Path(os.environ[config.IMDB_ENV]).expanduser()
    return {what: path.resolve() for what, path in needed.items()}


def _plan_own_user() -> tuple[bool, str, tuple[str, ...], tuple[str, ...]]:
    """Can the grading run as another user, and which folders must be covered for that?"""
    if os.geteuid() != 0:
        return False, "the worker does not run as root", (), ()
    covers: set[Path] = set()
    exposed: list[Path] = []
    for what, path in needed_paths().items():
        blocker = _blocker(path)
        if blocker is None:
            continue
        if blocker == path or blocker == Path("/"):
            return False, (f"other users cannot read {what} ({path}): make it readable"
                           + (f" or point {config.CACHE_ENV} elsewhere" if what == "the data cache" else "")), (), ()
        covers.add(blocker)
        exposed.append(path)
    work = Path(tempfile.gettempdir()).resolve()
    if any(work.is_relative_to(folder) for folder in covers) or _blocker(work) is not None:
        return False, f"the temporary folder {work} is not reachable by other users", (), ()
    if covers and not _unshare_works("-m"):
        return False, "unshare -m failed here (needed to reach " + ", ".join(map(str, exposed)) + ")", (), ()
    outermost = [p for p in exposed if not any(p != q and p.is_relative_to(q) for q in exposed)]
    return True, "", tuple(sorted(map(str, covers))), tuple(dict.fromkeys(map(str, outermost)))


def _unshare_works(flag: str) -> bool:
    unshare = shutil.which("unshare")
    return unshare is not None and subprocess.run([unshare, flag, "true"], capture_output=True,
                                                  check=False).returncode == 0


@functools.cache
def capabilities() -> Capabilities:
    """Probe once per process which fences this machine allows."""
    own, own_why, covers, exposed = _plan_own_user()
    if os.geteuid() != 0:
        net, net_why = False, "unshare -n needs root"
    elif _unshare_works("-n"):
        net, net_why = True, ""
    else:
        net, net_why = False, "unshare -n failed here"
    return Capabilities(own, own_why, net, net_why, covers, exposed)


class Fence:
    """A context that lends one user id (when it can) and runs one command inside the fence.

    ``with Fence(wall_s=..., memory_mb=...) as fence: fence.grant(folder); fence.run(...)``
    """

    def __init__(self, *, wall_s: float, memory_mb: int, enabled: bool = True) -> None:
        self.wall_s, self.memory_bytes, self.enabled = wall_s, memory_mb * 1024**2, enabled
        caps = capabilities()
        self.uid = 0
        self.network = enabled and caps.no_network
        self._want_user = enabled and caps.own_user
        self._lent = contextlib.ExitStack()
        self.fences: list[str] = []
        if enabled:
            self.fences = [f"own folder, wall time {wall_s:.0f} s, memory {memory_mb} MiB"]
            self.fences.append(("own user" + (f" ({', '.join(caps.covers)} hidden)" if caps.covers else ""))
                               if caps.own_user else f"same user ({caps.own_user_why_not})")
            self.fences.append("no network" if caps.no_network else f"network on ({caps.no_network_why_not})")
        else:
            self.fences = ["no fence"]

    def __enter__(self) -> Fence:
        if self._want_user:  # a user id serves one grading at a time
            self.uid = self._lent.enter_context(lend_uid("fence"))
        return self

    def __exit__(self, *exc: object) -> None:
        self._lent.close()  # kills whatever still runs under the lent id, then frees it
        self.uid = 0

    def grant(self, folder: Path) -> None:
        """Give ``folder`` (recursively) to the fence's user, and close it to everyone else."""
        os.chmod(folder, 0o700)
        if not self.uid:
            return
        for path in [folder, *folder.rglob("*")]:
            os.lchown(path, self.uid, self.uid)

    def run(self, command: list[str], *, cwd: Path, env: dict[str, str], log: Path,
            cancelled: Callable[[], bool] | None = None) -> FenceOutcome:
        """Run ``command`` inside the fence; its output goes to ``log``. Never raises for the command.

        ``cancelled`` is polled with the bounds: once true, the command is stopped (and nothing
        of it counts against the submission).
        """
        wrapped = list(command)
        if self.enabled:
            caps = capabilities()
            jail = [sys.executable, "-I", "-S", str(JAIL), "--parent", str(os.getpid())]
            unshare = ["-n"] if self.network else []
            if self.network:
                jail.append("--loopback")
            if self.uid:
                for folder in caps.covers:
                    jail += ["--cover", folder]
                for path in caps.exposed:
                    jail += ["--expose", path]
                unshare += ["-m"] if caps.covers else []
                jail += ["--uid", str(self.uid), "--nproc", str(NPROC)]
            wrapped = jail + ["--", *command]
            if unshare:
                wrapped = [shutil.which("unshare") or "unshare", *unshare, "--", *wrapped]
        started = time.monotonic()
        with log.open("wb") as out:
            process = subprocess.Popen(wrapped, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        outcome = FenceOutcome(returncode=None, fences=list(self.fences))
        try:
            self._watch(process, outcome, started, cancelled or (lambda: False))
        except BaseException:  # Ctrl-C in the in-process runner: nothing of the grading goes on
            _kill(_tree_and_user(process.pid, self.uid))
            raise
        outcome.returncode = process.wait()
        if self.uid:  # nothing of the grading outlives it (a daemon reading or writing its results)
            _kill(_processes_of(self.uid))
        outcome.seconds = round(time.monotonic() - started, 2)
        return outcome

    def _watch(self, process: subprocess.Popen, outcome: FenceOutcome, started: float,
               cancelled: Callable[[], bool]) -> None:
        seen: dict[int, psutil.Process] = {}
        while process.poll() is None:
            if not self.enabled:  # no bounds: only a cancel stops it
                if cancelled():
                    outcome.cancelled = True
                    _kill(_tree_and_user(process.pid, 0))
                    break
                _wait(process, POLL_S)
                continue
            procs = _tree_and_user(process.pid, self.uid)
            seen.update((p.pid, p) for p in procs)
            rss = 0
            for p in procs:
                try:
                    rss += p.memory_info().rss
                except psutil.Error:
                    pass
            outcome.peak_mb = max(outcome.peak_mb, round(rss / 1024**2, 1))
            if rss > self.memory_bytes:
                outcome.stopped = (f"the grading used more than {self.memory_bytes / 1024**3:.1f} GiB of "
                                   "memory and was stopped")
            elif time.monotonic() - started > self.wall_s:
                outcome.stopped = f"the grading ran longer than {self.wall_s:.0f} s and was stopped"
            elif cancelled():
                outcome.cancelled = True
            if outcome.stopped or outcome.cancelled:
                _kill(procs)
                break
            _wait(process, POLL_S)
        # whatever it left behind: its tree as last seen, and (below, on exit) its user's processes
        _kill([p for p in seen.values() if p.pid != process.pid])


def _wait(process: subprocess.Popen, seconds: float) -> None:
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        pass


def _tree_and_user(root: int, uid: int) -> list[psutil.Process]:
    """The processes under ``root`` and, if ``uid``, every process of that user."""
    children: dict[int, list[psutil.Process]] = {}
    mine: list[psutil.Process] = []
    for p in psutil.process_iter(["ppid", "uids"]):
        children.setdefault(p.info["ppid"], []).append(p)
        if uid and p.info["uids"] and p.info["uids"].real == uid:
            mine.append(p)
    found: dict[int, psutil.Process] = {p.pid: p for p in mine}
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            if child.pid not in found:
                found[child.pid] = child
            stack.append(child.pid)
    try:
        found.setdefault(root, psutil.Process(root))
    except psutil.Error:
        pass
    return list(found.values())


def _processes_of(uid: int) -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real == uid]


def _kill(processes: list[psutil.Process]) -> None:
    for p in processes:
        try:
            if p.is_running():
                p.kill()
        except psutil.Error:
            pass
    psutil.wait_procs([p for p in processes if _alive(p)], timeout=5)


def _alive(p: psutil.Process) -> bool:
    try:
        return p.is_running()
    except psutil.Error:
        return False
