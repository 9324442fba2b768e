"""Running nbgrader's own commands on a course folder, and reading its gradebook."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


class NbgraderError(RuntimeError):
    """An nbgrader command failed; the message holds the end of its log."""


def run_nbgrader(args: list[str], root: Path, *, quiet: bool = False) -> str:
    """Run ``nbgrader ARGS`` in the course folder ``root``; return its log, raise on failure.

    nbgrader silently falls back to its defaults when ``nbgrader_config.py`` fails to load,
    which would grade with stock nbgrader: that is treated as a failure here.
    """
    command = [sys.executable, "-m", "nbgrader", *args]
    # nbgrader runs `alembic` from PATH: put this environment's scripts first.
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent),
                                                 os.environ.get("PATH", "")]))
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False, env=env)
    log = done.stdout + done.stderr
    if "Exception while loading config file" in log:
        raise NbgraderError(f"{root / 'nbgrader_config.py'} failed to load:\n{log[-3000:]}")
    if done.returncode != 0:
        raise NbgraderError(f"nbgrader {' '.join(args)} failed (exit {done.returncode}):\n{log[-3000:]}")
    if not quiet:
        for line in log.splitlines():
            if "| ERROR]" in line or "| WARNING]" in line and "checksum" not in line:
                print("  " + line, file=sys.stderr)
    return log
