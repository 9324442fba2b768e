"""The warm graders' server: TensorFlow imported once, one forked child per grading.

Started by :class:`dl4text.grading.warm.WarmGraders` as ``python -I -m
dl4text.grading.graderserver FD [--import MODULE]...`` (outside the kernel's sandbox, like the
cold graders' process), with ``FD`` its end of an anonymous ``AF_UNIX`` socket pair: no socket
file exists anywhere. It imports pytest and the grading modules (and each ``--import``: those of
:data:`HEAVY` the graders use, TensorFlow and Keras for graders that load models), runs no
TensorFlow op (so no thread pool exists yet and a fork is clean), at niceness :data:`NICENESS`
(it runs beside the kernel), then serves requests one at a time:

* a request is one JSON message (the pytest arguments, the run's private folder, the
  environment, the timeout) with one file descriptor attached (``SCM_RIGHTS``): the write end
  of the pipe the verdicts go back through, straight to the grading process;
* the server forks a child that enters a session of its own, moves to the private folder,
  takes the request's environment, is killed if the server dies, sends its output to
  ``private/graders.log`` and runs ``pytest.main`` with the cold path's arguments; its Keras state, ``plugin._results`` and
  ``evaluate.MEASURED`` are the server's, untouched: empty;
* the server waits for the child within the timeout (kills its session past it) and replies
  how it ended: ``{"ended": "exited", "code": N}``, ``"signal"``, ``"timeout"`` (or
  ``"refused"``: a request it could not read).

* a warm-up request (``{"warm": grader_file, "fast": bool}``, no descriptor) imports that
  grader module as pytest will (its folder first on ``sys.path``, its file name as module name)
  and calls its ``warm_up(fast)`` once per mode, if it has one: the real data every grading
  reads is then loaded once, before the forks, while the kernel runs. ``warm_up`` loads data with
  numpy; it runs no TensorFlow op and reads nothing of a submission. A child whose grader file
  changed since (its SHA-256 differs) drops the module, and pytest imports the file afresh.
  The reply is ``{"warmed": true}`` or ``{"warmed": false, "detail": ...}``: a failed warm-up
  leaves nothing behind, and the gradings load what they need themselves.

Everything the server holds when it forks (TensorFlow's modules, the warmed data: some 340,000
objects) is moved out of the garbage collector's reach first (:func:`gc.freeze`): a child's
collections then walk only what its grading made. Without it each grading paid about 0.35 s
(a1's graders, fast mode: 2.0 s against 1.7 s per forked child, three pairs), most of it in
the full collections pytest runs at its end.

When the grading process closes its end (it exits, or gives up on the server), the server
kills the child in progress and exits.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import importlib
import json
import os
import select
import signal
import socket
import sys
import time
import traceback
from typing import Any

from dl4text.grading.runfolder import GRADERS_LOG

MAX_REQUEST = 1 << 20
PR_SET_PDEATHSIG = 1
PRELOAD = ("numpy", "pytest", "dl4text.grading", "dl4text.grading.plugin", "dl4text.course", "dl4text.data")
#: what ``--import`` may name: slow imports that only some graders need (TensorFlow: 9 s of CPU
#: on 2 cores; gensim: 1.5 s), in the order they are imported
HEAVY = ("tensorflow", "keras", "gensim")
IMPORT_FLAG = "--import"
#: the server's niceness (its children inherit it): its imports (TensorFlow: 9 s of CPU) and
#: warm-up run beside the kernel and should take the CPU the kernel leaves, not slow it down
#: (a1 at full size on 2 cores: the kernel's run took 2-5 s longer beside a server at 0 than at
#: 19). At 10 a grading's graders still get a tenth of a core beside another worker's busy kernel.
NICENESS = 10
#: grader modules imported by a warm-up: module name -> (file, SHA-256 of its text then)
WARMED: dict[str, tuple[str, str]] = {}
#: (module name, fast) whose ``warm_up`` ran (once each)
WARMED_MODES: set[tuple[str, bool]] = set()


def preload(heavy: tuple[str, ...] = HEAVY) -> None:
    """Import what every grading needs, the ``heavy`` modules asked for, and pytest's own plugins.

    Runs no TensorFlow op. A name outside :data:`HEAVY` is refused (ValueError).
    """
    unknown = sorted(set(heavy) - set(HEAVY))
    if unknown:
        raise ValueError(f"not a module the graders' server imports: {', '.join(unknown)}")
    for name in (*(m for m in HEAVY if m in heavy), *PRELOAD):
        importlib.import_module(name)
    from _pytest.config import default_plugins

    for name in default_plugins:
        with contextlib.suppress(ImportError):
            importlib.import_module(f"_pytest.{name}")


def serve(sock: socket.socket) -> None:
    """Answer requests on ``sock`` until the other end closes it."""
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(sock, MAX_REQUEST, 1)
        except OSError:
            return
        if not message:
            return
        try:
            request = json.loads(message)
            if "warm" in request and not fds:
                reply = warm(str(request["warm"]), bool(request.get("fast")))
            elif len(fds) != 1:
                raise ValueError("a request carries exactly one results pipe")
            else:
                reply = grade(sock, request, fds[0])
        except Exception as exc:  # noqa: BLE001 - a bad request fails alone; the server goes on
            reply = {"ended": "refused", "detail": f"{type(exc).__name__}: {exc}"}
        finally:
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
        try:
            sock.send(json.dumps(reply).encode())
        except OSError:
            return


def warm(grader_file: str, fast: bool) -> dict[str, Any]:
    """Import ``grader_file`` as pytest will and run its ``warm_up(fast)``; say how it went."""
    path = os.path.abspath(grader_file)
    folder, name = os.path.dirname(path), os.path.basename(path).removesuffix(".py")
    try:
        digest = _digest(path)
        if WARMED.get(name) != (path, digest):
            _forget(name)
            if folder not in sys.path:
                sys.path.insert(0, folder)  # where pytest's "prepend" import mode puts it
            WARMED[name] = (path, digest)
            importlib.import_module(name)
        hook = getattr(sys.modules[name], "warm_up", None)
        if callable(hook) and (name, fast) not in WARMED_MODES:
            hook(fast)
            WARMED_MODES.add((name, fast))
        return {"warmed": True}
    except Exception as exc:  # noqa: BLE001 - the gradings then load what they need themselves
        _forget(name)
        return {"warmed": False, "detail": f"{type(exc).__name__}: {str(exc)[:500]}"}


def _digest(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def _forget(name: str) -> None:
    WARMED.pop(name, None)
    WARMED_MODES.difference_update({(name, True), (name, False)})
    sys.modules.pop(name, None)


def _drop_changed_graders() -> None:
    """In a child: forget warmed grader modules whose file changed since (pytest imports them anew)."""
    for name, (path, digest) in list(WARMED.items()):
        try:
            same = _digest(path) == digest
        except OSError:
            same = False
        if not same:
            _forget(name)


def grade(sock: socket.socket, request: dict[str, Any], results_fd: int) -> dict[str, Any]:
    """Run one grading in a forked child; return how it ended."""
    private = str(request["private"])
    args = [str(a) for a in request["args"]] + [f"--dl4text-results-fd={results_fd}"]
    env = {str(k): str(v) for k, v in request["env"].items()}
    timeout = float(request["timeout"])
    log_fd = os.open(os.path.join(private, GRADERS_LOG),
                     os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    sys.stdout.flush()
    sys.stderr.flush()
    gc.freeze()  # what the server holds is never garbage: the child's collections skip it
    pid = os.fork()
    if pid == 0:  # the child: never returns
        _child(sock, private, args, env, log_fd, results_fd)
    os.close(log_fd)  # the results pipe is closed by the caller, which received it
    return _wait(sock, pid, timeout)


def _child(sock: socket.socket, private: str, args: list[str], env: dict[str, str], log_fd: int,
           results_fd: int) -> None:
    code = 70
    try:
        _die_with_parent()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.setsid()
        sock.close()
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.close(log_fd)
        os.chdir(private)
        os.environ.clear()
        os.environ.update(env)
        _drop_changed_graders()
        import pytest

        code = int(pytest.main(args))
    except BaseException:  # noqa: BLE001 - whatever happens, the child ends here
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _die_with_parent() -> None:
    """Be killed when the server dies (it is single-threaded: its one thread is the parent)."""
    import ctypes

    parent = os.getppid()
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the line above
        os._exit(70)


def _wait(sock: socket.socket, pid: int, timeout: float) -> dict[str, Any]:
    """Wait for child ``pid`` within ``timeout``; kill its session past it or if the client left."""
    deadline = time.monotonic() + timeout
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLHUP | select.POLLIN)
    pidfd = _pidfd(pid)
    if pidfd is not None:
        poller.register(pidfd, select.POLLIN)
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                _kill_session(pid)
                if os.WIFSIGNALED(status):
                    return {"ended": "signal", "signal": os.WTERMSIG(status)}
                return {"ended": "exited", "code": os.waitstatus_to_exitcode(status)}
            left = deadline - time.monotonic()
            events = poller.poll(max(0.0, min(left, 0.05 if pidfd is None else left)) * 1000)
            if any(fd == sock.fileno() for fd, _ in events):  # the client hung up: nobody waits
                _kill_session(pid)
                os.waitpid(pid, 0)
                return {"ended": "abandoned"}
            if left <= 0:
                _kill_session(pid)
                os.waitpid(pid, 0)
                return {"ended": "timeout", "seconds": timeout}
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):  # not Linux 5.3+: poll every 50 ms instead
        return None


def _kill_session(pid: int) -> None:
    for kill in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        with contextlib.suppress(OSError):
            kill()


def main(argv: list[str]) -> None:
    """``python -I -m dl4text.grading.graderserver FD [--import MODULE]...``: serve until the other end closes."""
    sock = socket.socket(fileno=int(argv[0]))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the grading process; it closes the socket
    os.nice(NICENESS)  # its imports and warm-up take the CPU the kernel leaves
    preload(tuple(name for flag, name in zip(argv[1:], argv[2:], strict=False) if flag == IMPORT_FLAG))
    sock.send(b'{"ready": true}')
    serve(sock)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # nothing to tear down: skip TensorFlow's finalisation, so its grading process need not wait


if __name__ == "__main__":
    main(sys.argv[1:])
