"""Where the work runs: a Dask ``LocalCluster`` of processes, or an existing scheduler."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def connect(*, workers: int | None = None, scheduler: str | None = None) -> Iterator[tuple[Any, dict[str, int]]]:
    """Yield a Dask client and each host's CPU share per worker thread (``{"*": n}`` locally).

    ``scheduler`` (``tcp://HOST:PORT``) connects to an existing cluster; otherwise a
    ``LocalCluster`` of ``workers`` single-threaded worker processes starts here (each with a
    nanny, which replaces a worker that dies) and stops on exit.
    """
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler:
        client = Client(scheduler, timeout="60s")
    else:
        count = max(1, workers or 1)
        cluster = LocalCluster(n_workers=count, threads_per_worker=1, processes=True, memory_limit=0,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        shares = thread_shares(client) if scheduler else {"*": max(1, (os.cpu_count() or 1) // count)}
        yield client, shares
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def thread_shares(client: Any) -> dict[str, int]:
    """host -> CPU cores per worker thread on that host (TensorFlow/OpenMP threads of one grading)."""
    cores = client.run(os.cpu_count)
    slots: dict[str, int] = {}
    host_cores: dict[str, int] = {}
    for address, info in client.scheduler_info(n_workers=-1)["workers"].items():
        host = info.get("host") or address.split("://")[-1].rsplit(":", 1)[0]
        slots[host] = slots.get(host, 0) + int(info.get("nthreads", 1))
        host_cores[host] = int(cores.get(address) or 1)
    return {host: max(1, host_cores[host] // slots[host]) for host in slots}
