"""Running one measurement in a fresh process, and the child's side of it.

The parent runs ``python -m dl4text.bench.<module> ...`` (or any command) and waits for it
with :func:`os.wait4`, which gives that child's own resource usage: CPU time and peak
resident memory (the largest of the child and the descendants it waited for). A child
reports its figures with :func:`emit`: one JSON line marked with :data:`MARKER`, so that
whatever else it prints (TensorFlow's logs, progress) is ignored.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MARKER = "DL4TEXT-BENCH-JSON "
QUIET_TF = {"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0"}


@dataclass
class ChildResult:
    """How a child process went: wall and CPU seconds, peak memory, exit code, its JSON report."""

    command: list[str]
    returncode: int
    wall_s: float
    cpu_s: float
    maxrss_mb: float
    report: dict[str, Any] = field(default_factory=dict)
    stdout: str = ""
    stderr: str = ""

    @property
    def output_tail(self) -> str:
        """The last lines of its output (stdout, then stderr)."""
        return (self.stdout[-2000:] + "\n" + self.stderr[-2000:]).strip()

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def failure(self) -> str:
        """One line saying why the child failed (its exit code and last output line)."""
        last = next((line for line in reversed(self.output_tail.splitlines()) if line.strip()), "")
        return f"exit code {self.returncode}: {last[:300]}"


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a child: this one, TensorFlow quietened, this interpreter's scripts
    first on ``PATH`` (nbgrader runs ``alembic``, nbconvert its kernel), plus ``extra``."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    for key, value in QUIET_TF.items():
        env.setdefault(key, value)
    env.update(extra or {})
    return env


def run_command(command: Sequence[str], *, env: Mapping[str, str] | None = None,
                cwd: Path | None = None, timeout: float | None = None) -> ChildResult:
    """Run ``command`` to its end and measure it from outside (wall time, CPU time, peak RSS).

    Output goes to temporary files (no pipe to fill up); the last :data:`MARKER` line of
    stdout, if any, is parsed as the child's report. A child that runs past ``timeout``
    seconds is killed with its process group (return code -9).
    """
    command = [str(part) for part in command]
    with tempfile.TemporaryFile(mode="w+b") as out, tempfile.TemporaryFile(mode="w+b") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                env=dict(env) if env is not None else child_env(), cwd=cwd,
                                start_new_session=True)
        status, usage = _wait(proc, timeout)
        wall = time.perf_counter() - started
        texts = []
        for handle in (out, err):
            handle.seek(0)
            texts.append(handle.read().decode("utf-8", errors="replace"))
    returncode = os.waitstatus_to_exitcode(status)
    proc.returncode = returncode
    return ChildResult(command=command, returncode=returncode, wall_s=wall,
                       cpu_s=usage.ru_utime + usage.ru_stime, maxrss_mb=usage.ru_maxrss / 1024,
                       report=_report(texts[0]), stdout=texts[0], stderr=texts[1])


def run_module(module: str, *args: str, env: Mapping[str, str] | None = None,
               cwd: Path | None = None, timeout: float | None = None) -> ChildResult:
    """Run ``python -m <module> <args>`` with this interpreter (see :func:`run_command`)."""
    return run_command([sys.executable, "-m", module, *args], env=env, cwd=cwd, timeout=timeout)


def _wait(proc: subprocess.Popen, timeout: float | None) -> tuple[int, resource.struct_rusage]:
    """Wait for ``proc``; past ``timeout``, or when this process is interrupted, kill its group.

    The child has a session of its own (so that its whole tree can be killed), which also
    means Ctrl-C in the terminal does not reach it: an interrupt here kills it instead.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                return status, usage
            if deadline is not None and time.monotonic() > deadline:
                _kill_group(proc.pid)
                _, status, usage = os.wait4(proc.pid, 0)
                return status, usage
            time.sleep(0.05)
    except BaseException:
        _kill_group(proc.pid)
        os.waitpid(proc.pid, 0)
        raise


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _report(text: str) -> dict[str, Any]:
    for line in reversed(text.splitlines()):
        if line.startswith(MARKER):
            try:
                value = json.loads(line[len(MARKER):])
            except ValueError:
                return {}
            return value if isinstance(value, dict) else {}
    return {}


def emit(report: Mapping[str, Any]) -> None:
    """Child side: print ``report`` as the one marked JSON line the parent reads."""
    sys.stdout.flush()
    print(MARKER + json.dumps(report), flush=True)


# -- memory, child side ------------------------------------------------------------------------
def _status_kb(field_name: str) -> int | None:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_mb() -> float:
    """This process's resident memory now, in MB (0 where /proc is missing)."""
    kb = _status_kb("VmRSS")
    return (kb or 0) / 1024


def reset_peak() -> bool:
    """Reset this process's peak resident memory (Linux ``clear_refs``); False where not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


def peak_mb() -> float:
    """This process's peak resident memory in MB since start, or since :func:`reset_peak`."""
    kb = _status_kb("VmHWM")
    if kb is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return kb / 1024
