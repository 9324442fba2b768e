"""What the student's kernel gets: its working folder, its environment, its sandbox.

The kernel's working folder is a copy of the submission's folder (regular files only, links
and special files left out, bounded in size) inside the run's ``box/``: nothing it writes
there reaches the autograded folder or the feedback. Its environment is built here from a
short list, not inherited: no variable of the grading process (tokens, paths of the course)
reaches student code.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from dl4text import config
from dl4text.grading.runfolder import RunFolder, copy_out
from dl4text.kitparts import KERNEL_PARTS, copy_parts
from dl4text.sandbox.bwrap import Sandbox, hidden_kit, kit_paths

KERNEL_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0", "PYTHONWARNINGS": "ignore",
              "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1"}
#: variables passed on from the grading process: thread limits a worker sets, the locale, the
#: training seed of ``dl4text solutions --seeds``
PASSED = ("DL4TEXT_SEED", "LANG", "LC_ALL", "TZ", "KERAS_BACKEND", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS",
          "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
#: the most a submission's folder may bring into the kernel's working folder
MAX_WORKDIR_BYTES = 512 * 1024**2


def kernel_environment(run: RunFolder, view_env: dict[str, str], *, fast: bool) -> dict[str, str]:
    """The whole environment of the student's kernel."""
    env = {name: os.environ[name] for name in PASSED if name in os.environ}
    bin_dir = str(Path(sys.executable).parent)
    env.update(KERNEL_ENV, PATH=os.pathsep.join([bin_dir, "/usr/local/bin", "/usr/bin", "/bin"]),
               HOME=str(run.home), TMPDIR=str(run.tmp), MPLCONFIGDIR=str(run.home / ".matplotlib"),
               KERAS_HOME=str(run.home / ".keras"), JUPYTER_RUNTIME_DIR=str(run.home / "runtime"),
               **{config.FAST_ENV: "1" if fast else "0"})
    env.setdefault("LANG", "C.UTF-8")
    env.update(view_env)
    return env


def kernel_sandbox(run: RunFolder, readonly: list[Path], env: dict[str, str], uid: int | None) -> Sandbox:
    """The sandbox of one run: Python, the kernel's parts of the kit and ``readonly`` paths
    read-only, ``run.box`` writable, the installed kit hidden."""
    copy_parts(run.kit, KERNEL_PARTS)
    for path in [run.kit, *run.kit.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    return Sandbox(box=run.box, cwd=run.work, readonly=[*kit_paths(), run.inbox, run.view, *readonly],
                   env={**env, "PYTHONPATH": str(run.kit)}, uid=uid, hidden=hidden_kit())


def copy_workdir(source: Path | None, target: Path, limit: int = MAX_WORKDIR_BYTES) -> list[str]:
    """Copy the regular files of ``source`` (recursively) into ``target``; return what was left out."""
    skipped: list[str] = []
    if source is None or not source.is_dir():
        return skipped
    budget = limit
    for folder, dirs, files in os.walk(source, followlinks=False):
        here = Path(folder)
        rel = here.relative_to(source)
        dirs[:] = [d for d in dirs if not (here / d).is_symlink() and d not in (".ipynb_checkpoints",)]
        (target / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            path = here / name
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode) or info.st_size > budget:
                skipped.append(str(rel / name))
                continue
            budget -= info.st_size
            if not copy_out(here, name, target / rel / name, budget + info.st_size, remove=False):
                skipped.append(str(rel / name))
    return skipped
