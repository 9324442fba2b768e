"""Running nbgrader's own commands on a course folder, and reading its gradebook."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


class NbgraderError(RuntimeError):
    """An nbgrader command failed; the message holds the end of its log."""


def path_with_env_bin(path: str | None) -> str:
    """``path`` (a PATH value) with this Python environment's ``bin/`` first.

    nbgrader runs ``alembic`` from PATH when it creates a gradebook: started as
    ``.venv/bin/dl4text`` without an activated environment, PATH lacks it. Every way this kit
    runs nbgrader (a command, in this process, in a worker's fence) goes through here.
    """
    bin_dir = str(Path(sys.executable).parent)
    return os.pathsep.join([bin_dir, *(p for p in (path or "").split(os.pathsep) if p and p != bin_dir)])


def put_env_bin_on_path() -> None:
    """Put this environment's ``bin/`` first on this process's PATH (for nbgrader in this process)."""
    os.environ["PATH"] = path_with_env_bin(os.environ.get("PATH"))


def run_nbgrader(args: list[str], root: Path, *, quiet: bool = False) -> str:
    """Run ``nbgrader ARGS`` in the course folder ``root``; return its log, raise on failure.

    nbgrader silently falls back to its defaults when ``nbgrader_config.py`` fails to load,
    which would grade with stock nbgrader: that is treated as a failure here.
    """
    command = [sys.executable, "-m", "nbgrader", *args]
    env = dict(os.environ, PATH=path_with_env_bin(os.environ.get("PATH")))
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
