"""Where the batch's gradings run: in this process one after another, or on Dask workers.

Both run the same :func:`~dl4text.runners.worker.grade_task` (a scratch course, the fence)
on the same tasks and hand back the same results; the batch writes them with the same
owner. :class:`InProcess` (no ``--workers``/``--scheduler``) starts no cluster: no start-up
cost, and one grading at a time with every core of this machine. :class:`OnDask` submits
every task at once to a local cluster or an existing scheduler.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from dl4text.runners.progress import Lines, Progress
from dl4text.runners.task import FAILED, STOPPED, CoursePack, GradingTask, TaskResult
from dl4text.runners.worker import grade_task


class Executor(Protocol):
    """Runs gradings; a context manager (``shares`` is known once entered)."""

    #: host -> CPU cores per grading there (``"*"``: every host)
    shares: dict[str, int]

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> Any: ...

    def progress(self, total: int, label: str) -> Progress | Lines:
        """How this executor shows the batch going on."""
        ...

    def grade(self, pack: CoursePack, tasks: list[GradingTask],
              starting: Callable[[GradingTask], None] | None = None) -> Iterator[tuple[GradingTask, TaskResult]]:
        """Grade ``tasks``; yield each with its result as it is done (``starting``: told before each
        one starts, where the executor knows)."""
        ...


class InProcess:
    """Each task in this process, one after another (the fence still bounds each)."""

    def __init__(self) -> None:
        self.shares = {"*": os.cpu_count() or 1}

    def __enter__(self) -> InProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def progress(self, total: int, label: str) -> Lines:
        return Lines(total)

    def grade(self, pack: CoursePack, tasks: list[GradingTask],
              starting: Callable[[GradingTask], None] | None = None) -> Iterator[tuple[GradingTask, TaskResult]]:
        for task in tasks:
            if starting:
                starting(task)
            yield task, grade_task(pack, task)


class OnDask:
    """Every task at once on a Dask cluster: ``workers`` local processes, or an existing ``scheduler``."""

    def __init__(self, *, workers: int | None = None, scheduler: str | None = None) -> None:
        self.workers, self.scheduler = workers, scheduler
        self.shares: dict[str, int] = {}
        self._connection: Any = None
        self.client: Any = None

    def __enter__(self) -> OnDask:
        from dl4text.runners.cluster import connect

        self._connection = connect(workers=self.workers, scheduler=self.scheduler)
        self.client, self.shares = self._connection.__enter__()
        return self

    def __exit__(self, *exc: object) -> Any:
        connection, self._connection, self.client = self._connection, None, None
        return connection.__exit__(*exc) if connection is not None else None

    def progress(self, total: int, label: str) -> Progress:
        return Progress(total, label)

    def grade(self, pack: CoursePack, tasks: list[GradingTask],
              starting: Callable[[GradingTask], None] | None = None) -> Iterator[tuple[GradingTask, TaskResult]]:
        from distributed import as_completed

        client = self.client
        pack_future = client.scatter(pack, broadcast=True, hash=False)
        futures: dict[Any, GradingTask] = {}
        try:
            for task in tasks:
                future = client.submit(grade_task, pack_future, task, pure=False,
                                       key=f"dl4text-{pack.assignment}-{task.student}-{uuid.uuid4().hex[:8]}")
                futures[future] = task
            for future in as_completed(futures):
                task = futures[future]
                yield task, _result_of(future, task)
                future.release()
        finally:
            client.cancel(list(futures))


def _result_of(future: Any, task: GradingTask) -> TaskResult:
    """The worker's result, or what to record when the task itself failed."""
    from distributed.scheduler import KilledWorker

    try:
        return future.result()
    except KilledWorker as exc:
        return TaskResult(task.student, task.digest, STOPPED, reason=(
            f"the grading of this submission crashed its worker several times and was stopped ({exc})"))
    except Exception as exc:  # noqa: BLE001 - the batch goes on; the row says why
        return TaskResult(task.student, task.digest, FAILED, reason=f"the task failed ({type(exc).__name__}: {exc})")


def executor_for(*, workers: int | None = None, scheduler: str | None = None) -> InProcess | OnDask:
    """In this process without ``workers`` and ``scheduler``; on Dask with either."""
    if workers is not None and workers < 1:
        raise ValueError("--workers must be at least 1")
    if workers is None and not scheduler:
        return InProcess()
    return OnDask(workers=workers, scheduler=scheduler)
