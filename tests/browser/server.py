"""A real Jupyter server (``jupyter lab`` or ``jupyter server``) on a free local port, for the browser tests.

The server runs in a folder of the test's choosing (its working folder and root, so an
``nbgrader_config.py`` there is read, as formgrader and Validate read it), with a token,
with Jupyter's configuration, runtime and JupyterLab's settings and workspaces in a
throw-away folder (nothing from ``~/.jupyter`` and no workspace of an earlier run), and
without JupyterLab's news and update checks (no network).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_S = 90.0
QUIET_LAB = {"@jupyterlab/apputils-extension/notification.jupyterlab-settings":
             {"fetchNews": "false", "checkForUpdates": False}}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class JupyterServer:
    """A started server: its address, token, folder and log; ``stop()`` ends it and its kernels."""

    process: subprocess.Popen
    port: int
    token: str
    root: Path
    log: Path

    @property
    def base(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """The address of ``path`` (e.g. ``lab/tree/x.ipynb``) with the token, so a browser is logged in."""
        sep = "&" if "?" in path else "?"
        return f"{self.base}/{path.lstrip('/')}{sep}token={self.token}"

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the server's log, for a failure's message."""
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def stop(self) -> None:
        """Stop the server (SIGTERM: it shuts its kernels down), then its whole process group."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # kernels it left behind, if any
        except ProcessLookupError:
            pass


def _wait_ready(server: JupyterServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"jupyter exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(server.url("api/status"), timeout=5) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"jupyter did not answer within {timeout:.0f} s:\n{server.log_tail()}")


def start_jupyter(root: Path, state: Path, log: Path, *, app: str = "lab",
                  env: dict[str, str] | None = None, timeout: float = START_TIMEOUT_S) -> JupyterServer:
    """Start ``jupyter <app>`` in ``root`` (its working folder and root folder) and wait until it answers.

    ``state`` receives Jupyter's configuration, runtime, settings and workspace folders;
    ``env`` is added to this process's environment.
    """
    port, token = free_port(), secrets.token_hex(16)
    dirs = {name: state / name for name in ("config", "data", "runtime", "settings", "workspaces")}
    for folder in dirs.values():
        folder.mkdir(parents=True, exist_ok=True)
    for name, settings in QUIET_LAB.items():
        target = dirs["settings"] / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(settings))
    full_env = {**os.environ, **(env or {}),
                "JUPYTER_CONFIG_DIR": str(dirs["config"]), "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
                "JUPYTER_DATA_DIR": str(dirs["data"]),
                "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
                "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "jupyter", app, "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}"]
    if app == "lab":
        command += ["--LabApp.news_url=None"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=root, env=full_env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    server = JupyterServer(process, port, token, root, log)
    _wait_ready(server, timeout)
    return server
