"""``autograde()``: the one entry point of grading a class (``dl4text autograde``, the demo, tests)."""

from __future__ import annotations

from pathlib import Path

from dl4text.runners.summary import Row

DEFAULT_TASK_MEMORY_MB = 14336


def default_task_memory_mb(workers: int | None = None, scheduler: str | None = None) -> int:
    """The memory bound of one grading: 14 GiB, or this machine's share per local worker."""
    import psutil

    if scheduler:
        return DEFAULT_TASK_MEMORY_MB
    share = psutil.virtual_memory().total * 0.9 / max(1, workers or 1) / 1024**2
    return int(min(DEFAULT_TASK_MEMORY_MB, share))


def autograde(root: Path, assignment: str, *, only: list[str] | None = None, fast: bool = False,
              force: bool = False, workers: int | None = None, scheduler: str | None = None,
              task_timeout: float = 6000, task_memory_mb: int | None = None, fenced: bool = True,
              sandbox: bool = True, progress: bool = True) -> list[Row]:
    """Grade each changed submission of ``assignment``; return one summary row per student.

    One after another in this process without ``workers`` and ``scheduler``; on Dask with either.
    """
    from dl4text.runners.batch import grade_class
    from dl4text.runners.task import Limits

    limits = Limits(wall_s=task_timeout, memory_mb=task_memory_mb or default_task_memory_mb(workers, scheduler),
                    fenced=fenced, sandbox=sandbox)
    return grade_class(root, assignment, only=only, fast=fast, force=force, workers=workers,
                       scheduler=scheduler, limits=limits, progress=progress)
