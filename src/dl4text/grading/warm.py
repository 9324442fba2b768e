"""Warm graders: one long-lived graders' server per grading process, a fork per submission.

The cold path (:func:`dl4text.grading.judge.run_graders` with ``DL4TEXT_WARM_GRADERS=0``)
starts ``python -I -m pytest`` for every notebook and pays for importing TensorFlow, Keras
and pytest each time. :class:`WarmGraders` starts :mod:`dl4text.grading.graderserver` once
(``python -I``, cwd a private folder of its own, the graders' environment) and sends it each
grading; the server forks a child per grading, so every submission still gets a fresh
interpreter state (Keras, the plugin's verdicts, the measured accuracies) without the imports.

:func:`prestart` starts the process's server early (the engine calls it before the kernel
runs, so TensorFlow is imported while the notebook executes). The server imports TensorFlow
(and gensim) only for graders that use it (:func:`heavy_imports`): for the others the import
would cost 9 s of CPU beside the kernel and gain nothing; a later grading that needs more starts
a server that has it. :func:`shared` is the server of
this process, stopped at exit. A child that crashes or runs past its timeout costs only its
grading (an :class:`Outcome` that says how it ended); a server that dies is started again for
the next grading. The server is reached only through an anonymous socket pair whose ends are
close-on-exec: no kernel, and nothing the kernel starts, inherits them.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from dl4text import config
from dl4text.grading.graderserver import HEAVY, IMPORT_FLAG
from dl4text.grading.runfolder import GRADERS_LOG

log = logging.getLogger(__name__)
WARM_ENV = config.WARM_GRADERS_ENV
#: variables set per grading, not when the server starts (a change of any other restarts it)
PER_GRADING = (config.FAST_ENV, config.LABEL_SEED_ENV, WARM_ENV)
#: new variables that restart the server: those read when TensorFlow, Keras or numpy are imported
IMPORT_TIME = ("TF_", "KERAS_", "OMP_", "MKL_", "OPENBLAS_", "CUDA_", "XLA_", "LD_", "PYTHON")
START_TIMEOUT = 300.0
REPLY_GRACE = 30.0
#: words of a grader module that say which slow imports its graders need: loading models or calling
#: Keras (TensorFlow and Keras), reading word vectors (gensim: the probe of a2 pickles KeyedVectors)
HEAVY_WORDS = {("keras", "tensorflow", ".model("): ("tensorflow", "keras"),
               ("gensim", "KeyedVectors", "dl4text.embeddings"): ("gensim",)}
#: what the server imports when the graders cannot be read: every slow import it knows
ALL_HEAVY = HEAVY


def enabled() -> bool:
    """False when ``DL4TEXT_WARM_GRADERS`` is ``0`` (the cold path: a fresh process per grading)."""
    return config.warm_graders()


def heavy_imports(grader_file: Path | None) -> tuple[str, ...]:
    """The slow imports ``grader_file``'s graders use (TensorFlow and Keras, gensim), for the server.

    Only a matter of speed: a child of a server without them imports what its graders import.
    No file, or an unreadable one, asks for all of them (the server then has whatever a grader
    may need).
    """
    try:
        text = Path(grader_file).read_text(errors="replace") if grader_file is not None else None
    except OSError:
        text = None
    if text is None:
        return ALL_HEAVY
    found = [m for words, modules in HEAVY_WORDS.items() if any(w in text for w in words) for m in modules]
    return tuple(dict.fromkeys(found))


@dataclass
class Outcome:
    """How one grading's graders ended: the verdicts' bytes, or why there are none."""

    data: bytes
    failure: str = ""  # empty: the graders ended by themselves
    timed_out: bool = False
    output: str = ""  # the end of the graders' output, for the instructor's log
    server_failed: bool = False  # the server could not start: nothing of this grading ran


class WarmGraders:
    """The graders' server of this process (started on first use, again after it died)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._sock: socket.socket | None = None
        self._home: Path | None = None
        self._env: dict[str, str] = {}
        self._ready = False
        self._owner = 0
        self._imports: frozenset[str] = frozenset()
        self._unanswered = 0  # warm-up requests whose replies are still to be read
        #: the replies to the last warm-ups: ``{"warmed": true}`` or ``{"warmed": false, "detail": ...}``
        self.warm_ups: list[dict] = []

    @property
    def pid(self) -> int | None:
        """The server's process id, None while none runs."""
        return self._process.pid if self._process is not None and self._process.poll() is None else None

    def start(self, env: dict[str, str], *, imports: tuple[str, ...] = ALL_HEAVY) -> None:
        """Start the server with ``env`` (as the graders get it) unless one runs with it already.

        ``imports``: the slow modules it imports (see :func:`heavy_imports`); a running server
        without one of them is replaced by one with all it had and these.
        """
        with self._lock:
            self._ensure(env, imports)

    def warm_up(self, env: dict[str, str], grader_file: Path, *, fast: bool,
                imports: tuple[str, ...] = ALL_HEAVY) -> None:
        """Start the server if need be and ask it to warm ``grader_file`` up for mode ``fast``.

        Returns at once: the server imports and loads while the kernel runs; the next
        grading reads the reply first. Raises OSError when the server cannot be reached.
        """
        with self._lock:
            sock = self._ensure(env, imports)
            sock.send(json.dumps({"warm": str(grader_file), "fast": fast}).encode())
            self._unanswered += 1

    def run(self, args: list[str], private: Path, *, env: dict[str, str], timeout: float,
            imports: tuple[str, ...] = ALL_HEAVY) -> Outcome:
        """Run pytest with ``args`` in ``private`` in a fresh child of the server; never raises for it."""
        with self._lock:
            try:
                sock = self._ensure(env, imports)
                if not self._ready:
                    sock.settimeout(START_TIMEOUT)
                    self._expect_ready(sock)
                self._read_warm_replies(sock)
            except OSError as exc:
                self._stop()
                return Outcome(b"", failure=f"the graders' server could not start ({exc})", server_failed=True)
            read_fd, write_fd = os.pipe()
            chunks: list[bytes] = []
            reader = threading.Thread(target=_drain, args=(read_fd, chunks), daemon=True)
            reader.start()
            request = {"args": args, "private": str(private), "env": env, "timeout": timeout}
            reply: dict = {}
            try:
                socket.send_fds(sock, [json.dumps(request).encode()], [write_fd])
                os.close(write_fd)
                write_fd = -1
                sock.settimeout(timeout + REPLY_GRACE)
                message = sock.recv(65536)
                reply = json.loads(message) if message else {}
            except (OSError, ValueError):
                reply = {}
            finally:
                if write_fd >= 0:
                    os.close(write_fd)
            if not reply:  # the server itself died or stopped answering: the next grading gets another
                self._stop()
            reader.join(timeout=10)
        return _outcome(reply, b"".join(chunks), private, timeout)

    def stop(self) -> None:
        """Stop the server (it kills a grading in progress) and remove its folder.

        The next one imports only what its gradings ask for.
        """
        with self._lock:
            self._stop()
            self._imports = frozenset()

    # -- inside the lock ----------------------------------------------------------------
    def _ensure(self, env: dict[str, str], imports: tuple[str, ...]) -> socket.socket:
        base = {k: v for k, v in env.items() if k not in PER_GRADING}
        if self._owner != os.getpid():  # a forked copy of this process: the server is the parent's
            self._process, self._sock, self._home, self._ready = None, None, None, False
            self._imports = frozenset()
        if (self._sock is not None and self.pid is not None and not _stale(self._env, base)
                and self._imports.issuperset(imports)):
            return self._sock
        wanted = [m for m in ALL_HEAVY if m in self._imports or m in imports]
        self._stop()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        home = Path(tempfile.mkdtemp(prefix="dl4text-graders-"))  # 0700, the server's cwd
        try:
            with (home / "server.log").open("wb") as log:
                self._process = subprocess.Popen(
                    [sys.executable, "-I", "-m", "dl4text.grading.graderserver", str(theirs.fileno()),
                     *(arg for module in wanted for arg in (IMPORT_FLAG, module))],
                    cwd=home, env=base,
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    pass_fds=(theirs.fileno(),))
        except BaseException:
            ours.close()
            shutil.rmtree(home, ignore_errors=True)
            raise
        finally:
            theirs.close()
        self._sock, self._home, self._env, self._ready = ours, home, base, False
        self._unanswered = 0
        self._imports = frozenset(wanted)
        self._owner = os.getpid()
        return ours

    def _expect_ready(self, sock: socket.socket) -> None:
        message = sock.recv(65536)
        try:
            ready = bool(message) and json.loads(message).get("ready") is True
        except ValueError:
            ready = False
        if not ready:
            tail = self._server_log()
            raise OSError(f"it ended while importing{': ' + tail if tail else ''}")
        self._ready = True

    def _read_warm_replies(self, sock: socket.socket) -> None:
        """Read the replies to earlier warm-ups into :attr:`warm_ups` (a failed one is logged:
        the gradings then load their data themselves)."""
        sock.settimeout(START_TIMEOUT)
        while self._unanswered:
            message = sock.recv(65536)
            if not message:
                raise OSError("the server closed while warming up")
            self._unanswered -= 1
            try:
                reply = json.loads(message)
            except ValueError:
                reply = {"warmed": False, "detail": "an unreadable reply"}
            self.warm_ups = [*self.warm_ups[-9:], reply]
            if not reply.get("warmed"):
                log.warning("the graders' warm-up failed (each grading loads its data itself): %s",
                            reply.get("detail"))

    def _server_log(self) -> str:
        try:
            return (self._home / "server.log").read_text(errors="replace")[-2000:] if self._home else ""
        except OSError:
            return ""

    def _stop(self) -> None:
        sock, process, home = self._sock, self._process, self._home
        self._sock, self._process, self._home, self._ready = None, None, None, False
        if self._owner != os.getpid():
            return
        if sock is not None:
            sock.close()  # the server sees the hang-up, kills its child, exits
        if process is not None:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if home is not None:
            shutil.rmtree(home, ignore_errors=True)


def _stale(started: dict[str, str], now: dict[str, str]) -> bool:
    """Does ``now`` differ from the server's environment in what its imports may have read?

    Each grading's child gets the whole of ``now``; only what was read at import time needs a
    new server: a variable it started with that changed or went, or a new one of
    :data:`IMPORT_TIME` (importing TensorFlow in this process sets a few others, ``TF2_BEHAVIOR``...).
    """
    if any(now.get(k) != v for k, v in started.items()):
        return True
    return any(k not in started and k.startswith(IMPORT_TIME) for k in now)


def _drain(fd: int, chunks: list[bytes]) -> None:
    with os.fdopen(fd, "rb") as pipe:
        while block := pipe.read(65536):
            chunks.append(block)


def _outcome(reply: dict, data: bytes, private: Path, timeout: float) -> Outcome:
    """What the server's reply says about the grading, with the end of its output."""
    try:
        output = (private / GRADERS_LOG).read_text(errors="replace")[-3000:]
    except OSError:
        output = ""
    ended = reply.get("ended")
    if ended == "exited":
        return Outcome(data, output=output)
    if ended == "timeout":
        return Outcome(data, failure=f"the graders ran longer than {timeout:.0f} s", timed_out=True,
                       output=output)
    if ended == "signal":
        return Outcome(data, failure=f"the graders were killed by signal {reply.get('signal')}", output=output)
    if ended == "refused":
        return Outcome(data, failure=f"the graders' server refused the grading ({reply.get('detail')})",
                       output=output)
    return Outcome(data, failure="the graders' server died during the grading", output=output)


_shared: WarmGraders | None = None
_shared_lock = threading.Lock()


def shared() -> WarmGraders:
    """This process's graders' server (one per process, stopped at exit)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = WarmGraders()
            atexit.register(_shared.stop)
        return _shared


def prestart(env: dict[str, str], *, imports: tuple[str, ...] = ALL_HEAVY,
             grader_file: Path | None = None, fast: bool = False) -> None:
    """Start this process's server now (it imports TensorFlow while the kernel runs), if enabled.

    With ``grader_file``, the server also warms those graders up for mode ``fast`` (their
    ``warm_up``: the data every grading reads, loaded once).
    """
    if not enabled():
        return
    try:
        if grader_file is None:
            shared().start(env, imports=imports)
        else:
            shared().warm_up(env, grader_file, fast=fast, imports=imports)
    except OSError:  # the grading will say it, or fall back to what it can
        pass
