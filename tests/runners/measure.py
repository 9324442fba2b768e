"""Measure parallel grading here (a script, not a test): run once with
``.venv/bin/python -m tests.runners.measure`` from the project folder.

1. The class of eight fast sample submissions, graded by ``dl4text autograde`` serially and
   with ``--workers 2`` (each end to end, from a fresh copy of the same course); grades compared.
2. One submission graded by the worker's code with its fence and without (alternating,
   three times each): wall time and CPU time of everything it started.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from dl4text import authoring as a
from dl4text.nbgrader.cli import run_nbgrader
from dl4text.runners.fence import capabilities
from dl4text.runners.pack import pack_course, pack_task
from dl4text.runners.task import GRADED, Limits
from dl4text.runners.worker import grade_task

from ..grading.sample_course import ASSIGNMENT, make_course, source_notebook
from ..grading.submissions import CASES
from .conftest import CLASS, dl4text, grades


def _class(folder: Path) -> Path:
    root = make_course(folder)
    run_nbgrader(["generate_assignment", ASSIGNMENT, "--force"], root)
    for student in CLASS:
        a.write(CASES[student].make(source_notebook()),
                root / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    return root


def _cpu() -> float:
    """CPU seconds of this process (the fence's watch) and of all it started and waited for."""
    usages = [resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usages)


def _timed_cli(template: Path, folder: Path, *args: str) -> tuple[float, float, dict]:
    root = Path(shutil.copytree(template, folder))
    started, cpu = time.monotonic(), _cpu()
    done = dl4text(root, *args, timeout=3600)
    seconds, cpu = time.monotonic() - started, _cpu() - cpu
    if done.returncode != 0:
        sys.exit(f"dl4text autograde {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds, cpu, grades(root)


def _timed_task(pack, root: Path, fenced: bool) -> tuple[float, float]:
    started, cpu = time.monotonic(), _cpu()
    result = grade_task(pack, pack_task(root, ASSIGNMENT, "solution", "-", Limits(wall_s=600, memory_mb=4096,
                                                                                 fenced=fenced)))
    seconds, cpu = time.monotonic() - started, _cpu() - cpu
    assert result.status == GRADED, result.reason
    return seconds, cpu


def main() -> None:
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    with tempfile.TemporaryDirectory(prefix="dl4text-measure-") as tmp:
        template = _class(Path(tmp) / "template")
        serial_s, serial_cpu, serial = _timed_cli(template, Path(tmp) / "serial")
        parallel_s, parallel_cpu, parallel = _timed_cli(template, Path(tmp) / "parallel", "--workers", "2")
        assert parallel == serial, (parallel, serial)
        print(f"{len(CLASS)} submissions: serial {serial_s:.1f} s, --workers 2 {parallel_s:.1f} s, "
              f"ratio serial/parallel {serial_s / parallel_s:.2f} (grades identical); "
              f"cpu serial {serial_cpu:.1f} s, --workers 2 {parallel_cpu:.1f} s")

        pack = pack_course(template, ASSIGNMENT, fast=True, threads_by_host={"*": os.cpu_count() or 1})
        caps = capabilities()
        print(f"fence here: own user {caps.own_user} {caps.own_user_why_not}, covers {list(caps.covers)}, "
              f"no network {caps.no_network} {caps.no_network_why_not}")
        runs: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
        for _ in range(3):
            for fenced in (True, False):
                runs[fenced].append(_timed_task(pack, template, fenced))
        for fenced in (True, False):
            walls = ", ".join(f"{w:.1f}" for w, _ in runs[fenced])
            cpus = ", ".join(f"{c:.1f}" for _, c in runs[fenced])
            print(f"one submission {'fenced  ' if fenced else 'unfenced'}: wall {walls} s, cpu {cpus} s")
        wall = {f: statistics.median(w for w, _ in runs[f]) for f in runs}
        cpu = {f: statistics.median(c for _, c in runs[f]) for f in runs}
        print(f"medians: fenced {wall[True]:.1f} s wall / {cpu[True]:.1f} s cpu, unfenced {wall[False]:.1f} s "
              f"wall / {cpu[False]:.1f} s cpu; ratio fenced/unfenced wall {wall[True] / wall[False]:.2f}, "
              f"cpu {cpu[True] / cpu[False]:.2f}")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
