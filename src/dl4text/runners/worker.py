"""A Dask worker's job: grade one submission in a scratch course, inside its fence.

:func:`grade_task` writes the pack's scratch course and the student's files into a fresh
temporary folder, runs ``nbgrader autograde`` there (the course's own pipeline, with
:class:`~dl4text.grading.execute.GradingExecute`) inside a :class:`~dl4text.runners.fence.Fence`,
and sends back the autograded notebooks. It never raises: every outcome is a
:class:`~dl4text.runners.task.TaskResult`. Nothing here touches the owner's course or gradebook.

Layout of the temporary folder (``base``, root's, mode 0711)::

    base/nbgrader.log        the command's output (the fenced user cannot touch it)
    base/box/                the fenced user's own folder (0700)
        course/              scratch course: source/, grader_tests/, gradebook.db, submitted/<student>/
        home/  tmp/          HOME and TMPDIR of the grading (the kernel's run folders live here)
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from dl4text import config
from dl4text.cells import grade_id_of, is_autograded_test
from dl4text.course.thresholds import THRESHOLDS_FILE
from dl4text.folder import CourseFolder
from dl4text.grading.data_view import warm_cache
from dl4text.nbgrader.cli import path_with_env_bin
from dl4text.runners.fence import Fence
from dl4text.runners.task import FAILED, GRADED, STOPPED, CoursePack, GradingTask, TaskResult, write_folder

ENV_NAMES = {"PATH", "LANG", "TZ"}
ENV_PREFIXES = ("DL4TEXT_", "TF_", "KERAS_", "CUDA_", "OMP_", "MKL_", "OPENBLAS_", "JUPYTER_", "LC_")
THREAD_VARS = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
               "OPENBLAS_NUM_THREADS")
MAX_NOTEBOOK_BYTES = 256 * 1024**2
NO_SANDBOX_FENCE = "NO sandbox around the kernel (--no-sandbox)"
TASK_PREFIX = "dl4text-task-"


def grade_task(pack: CoursePack, task: GradingTask) -> TaskResult:
    """Grade ``task`` against ``pack`` on this machine; return the result, never raise."""
    started = time.monotonic()
    try:
        result = _grade(pack, task)
    except Exception as exc:  # noqa: BLE001 - the batch goes on; the owner reports it
        result = TaskResult(task.student, task.digest, FAILED,
                            reason=f"the worker failed ({type(exc).__name__}: {exc})")
    result.seconds = round(time.monotonic() - started, 2)
    result.worker = worker_name()
    return result


def cancelled_check() -> Callable[[], bool]:
    """A test for "the owner no longer wants this task" (Ctrl-C, a lost client): stop grading then.

    Outside a Dask worker (the in-process runner) nothing cancels: Ctrl-C stops the fence itself.
    """
    if "distributed" not in sys.modules:  # not a Dask worker (and no import of distributed for nothing)
        return lambda: False
    try:
        from distributed import get_worker

        worker = get_worker()
        key = worker.get_current_task()
    except (ImportError, ValueError, KeyError):
        return lambda: False

    def cancelled() -> bool:
        task = worker.state.tasks.get(key)
        return task is None or task.state in ("cancelled", "released", "forgotten")

    return cancelled


def worker_name() -> str:
    """This Dask worker's address, or the host name outside a worker."""
    if "distributed" not in sys.modules:
        return socket.gethostname()
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return socket.gethostname()


def _grade(pack: CoursePack, task: GradingTask) -> TaskResult:
    if pack.thresholds != THRESHOLDS_FILE.read_bytes():
        return TaskResult(task.student, task.digest, FAILED, reason=(
            f"the worker's {THRESHOLDS_FILE.name} differs from the owner's: install the same dl4text "
            "on every worker"))
    sweep_stale_folders()
    with contextlib.suppress(OSError):  # a read-only cache: the grading's own error names it
        warm_cache()
    with tempfile.TemporaryDirectory(prefix=TASK_PREFIX, ignore_cleanup_errors=True) as tmp, \
            _held(Path(tmp) / ".lock"):
        base = Path(tmp)
        os.chmod(base, 0o711)
        box = base / "box"
        course = box / "course"
        write_folder(pack.files, course)
        write_folder(task.files, CourseFolder(course).submitted(task.student, pack.assignment))
        for folder in ("home", "tmp"):
            (box / folder).mkdir()
        command = [sys.executable, "-m", "nbgrader", "autograde", pack.assignment, "--student", task.student,
                   "--force", "--create"]
        limits = task.limits
        if not limits.sandbox:
            command.append("--GradingExecute.sandbox=False")
        with Fence(wall_s=limits.wall_s, memory_mb=limits.memory_mb, enabled=limits.fenced) as fence:
            fence.grant(box)
            outcome = fence.run(command, cwd=course, env=grading_env(box, pack), log=base / "nbgrader.log",
                                cancelled=cancelled_check())
        fences = outcome.fences + ([] if limits.sandbox else [NO_SANDBOX_FENCE])
        result = TaskResult(task.student, task.digest, GRADED, fences=fences)
        if outcome.cancelled:
            result.status, result.reason = FAILED, "cancelled: the owner no longer wanted this grading"
            return result
        if outcome.stopped:
            result.status, result.reason = STOPPED, outcome.stopped
            return result
        log = (base / "nbgrader.log").read_bytes()[-200_000:].decode("utf-8", "replace")
        if outcome.returncode != 0 or "Exception while loading config file" in log:
            result.status = FAILED
            result.reason = f"nbgrader autograde failed (exit {outcome.returncode}): {_last_error(log)}"
            return result
        folder = ("autograded", task.student, pack.assignment)
        for name in pack.notebooks:
            try:
                text = _read_inside(course, (*folder, f"{name}.ipynb")).decode("utf-8")
                result.scores.update(cell_scores(json.loads(text)))
            except (OSError, ValueError) as exc:
                result.status, result.notebooks = FAILED, {}
                result.reason = f"the autograded notebook {name}.ipynb cannot be read ({exc})"
                return result
            result.notebooks[name] = text
        return result


@contextmanager
def _held(lock: Path) -> Iterator[None]:
    """Hold an flock on ``lock`` (the task folder is in use) until the block ends or the worker dies."""
    fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def sweep_stale_folders() -> None:
    """Remove task folders left by a worker that died (older than a minute, their lock free)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{TASK_PREFIX}*"):
        try:
            if time.time() - folder.lstat().st_mtime < 60:
                continue
            fd = os.open(folder / ".lock", os.O_RDWR | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            shutil.rmtree(folder, ignore_errors=True)
        except BlockingIOError:
            pass
        finally:
            os.close(fd)


def grading_env(box: Path, pack: CoursePack) -> dict[str, str]:
    """The environment of the fenced grading: a short list from the worker's, its own HOME and TMPDIR."""
    env = {k: v for k, v in os.environ.items() if k in ENV_NAMES or k.startswith(ENV_PREFIXES)}
    env.update(PATH=path_with_env_bin(env.get("PATH") or "/usr/bin:/bin"),  # nbgrader runs `alembic` from PATH
               HOME=str(box / "home"), TMPDIR=str(box / "tmp"), USER="dl4text-grading",
               LOGNAME="dl4text-grading", PYTHONDONTWRITEBYTECODE="1",
               **{config.CACHE_ENV: str(config.cache_dir()), config.FAST_ENV: "1" if pack.fast else "0"})
    threads = pack.threads_by_host.get(_host()) or pack.threads_by_host.get("*")
    if threads:
        env.update(dict.fromkeys(THREAD_VARS, str(threads)))
    return env


def _host() -> str:
    name = worker_name()
    return name.split("://")[-1].rsplit(":", 1)[0]


def cell_scores(nb: dict) -> dict[str, float]:
    """grade_id -> the points an autograded test cell displays (its verdict), read like nbgrader does."""
    scores = {}
    for cell in nb.get("cells", []):
        if not is_autograded_test(cell):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "execute_result":
                text = output.get("data", {}).get("text/plain", "0")
                scores[grade_id_of(cell)] = float("".join(text) if isinstance(text, list) else text)
                break
    return scores


def _read_inside(root: Path, parts: tuple[str, ...]) -> bytes:
    """Read ``root/parts...`` without following a link the fenced user may have planted."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in parts[:-1]:
            nxt = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = nxt
        leaf = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
    finally:
        os.close(fd)
    with os.fdopen(leaf, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_NOTEBOOK_BYTES:
            raise OSError("not a regular file of a sane size")
        return handle.read(MAX_NOTEBOOK_BYTES + 1)


def _last_error(log: str) -> str:
    lines = [line for line in log.splitlines() if "ERROR" in line or "Error" in line]
    return (lines[-1] if lines else (log.strip().splitlines() or ["no output"])[-1])[:500]
