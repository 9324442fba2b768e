"""The class graded through a real Dask cluster on 127.0.0.1: like the serial run, through a
killed worker, and across an interrupted and resumed batch.

The cluster: ``dask scheduler`` and two ``dask worker`` processes (one thread each, with a
nanny), started here and always torn down.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from ..grading.sample_course import ASSIGNMENT
from .conftest import BIN, CLASS, _recorded, _wait_until, dl4text, grades, start_dl4text, summary_rows


@dataclass
class Cluster:
    address: str
    nannies: list[int]


def _start(command: list[str], log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM the process group, then SIGKILL what is left of it."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            os.killpg(process.pid, signal.SIGKILL)  # the nanny's worker, if it outlived it
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    from distributed import Client

    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    processes: list[subprocess.Popen] = []
    try:
        processes.append(_start([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
                                 "--no-dashboard", "--scheduler-file", str(scheduler_file)],
                                folder / "scheduler.log"))
        deadline = time.monotonic() + 120
        while not scheduler_file.is_file():
            assert time.monotonic() < deadline, (folder / "scheduler.log").read_text()
            assert processes[0].poll() is None, (folder / "scheduler.log").read_text()
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        for i in range(2):
            processes.append(_start([str(BIN / "dask"), "worker", address, "--nworkers", "1", "--nthreads", "1",
                                     "--no-dashboard", "--memory-limit", "0", "--name", f"worker-{i}",
                                     "--local-directory", str(folder / f"worker-{i}")],
                                    folder / f"worker-{i}.log"))
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=180)
        yield Cluster(address=address, nannies=[p.pid for p in processes[1:]])
    finally:
        for process in reversed(processes):
            _stop(process)


def _wait_for_workers(cluster: Cluster, count: int) -> None:
    from distributed import Client

    with Client(cluster.address, timeout="60s") as client:
        client.wait_for_workers(count, timeout=180)


def _busy_worker(cluster: Cluster) -> psutil.Process | None:
    """A worker process (a nanny's child) with a fenced ``nbgrader autograde`` under it."""
    for nanny in cluster.nannies:
        for worker in psutil.Process(nanny).children():
            try:
                if any("nbgrader" in " ".join(p.cmdline()) for p in worker.children(recursive=True)):
                    return worker
            except psutil.Error:
                continue
    return None


def _check_complete(root: Path, serial_grades: dict, students: list[str] = CLASS) -> None:
    assert grades(root) == {s: serial_grades[s] for s in students}
    assert set(_recorded(root)) == set(students)
    for student in students:
        assert (root / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()


def _only(students: list[str]) -> list[str]:
    return [arg for student in students for arg in ("--student", student)]


def test_the_class_graded_on_the_cluster_matches_the_serial_run(cluster: Cluster, course: Path,
                                                               serial_grades: dict) -> None:
    done = dl4text(course, "--scheduler", cluster.address)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(summary_rows(done.stdout)) == sorted((s, "graded") for s in CLASS), done.stdout
    assert "done=8 failed=0 remaining=0" in done.stderr
    _check_complete(course, serial_grades)


def test_a_killed_worker_costs_no_grade(cluster: Cluster, course: Path, serial_grades: dict) -> None:
    students = CLASS[:4]
    run = start_dl4text(course, "--scheduler", cluster.address, *_only(students))
    _wait_until(lambda: len(_recorded(course)) >= 1 and _busy_worker(cluster) is not None, run)
    victim = _busy_worker(cluster)
    assert victim is not None
    victim.kill()  # mid-batch: one submission written, others in flight
    out, err = run.communicate(timeout=600)
    assert run.returncode == 0, out + err
    assert sorted(summary_rows(out)) == sorted((s, "graded") for s in students), out
    _check_complete(course, serial_grades, students)
    _wait_for_workers(cluster, 2)  # the nanny replaced the worker


def test_an_interrupted_batch_resumes_without_regrading(cluster: Cluster, course: Path,
                                                        serial_grades: dict) -> None:
    """Ctrl-C on a local cluster, then a killed owner on the scheduler, then the resume."""
    students = CLASS[3:]
    run = start_dl4text(course, "--workers", "2", *_only(students))
    _wait_until(lambda: len(_recorded(course)) >= 2, run)
    run.send_signal(signal.SIGINT)  # Ctrl-C
    out, err = run.communicate(timeout=120)
    assert run.returncode == 130, out + err
    after_interrupt = _recorded(course)
    assert 2 <= len(after_interrupt) < len(students)
    found = grades(course)
    for student in after_interrupt:
        assert found[student] == serial_grades[student]

    run = start_dl4text(course, "--scheduler", cluster.address, *_only(students))
    _wait_until(lambda: len(_recorded(course)) > len(after_interrupt), run)
    run.kill()  # a killed process: no chance to clean up
    run.wait(timeout=60)
    before_resume = _recorded(course)
    assert set(after_interrupt) <= set(before_resume)

    done = dl4text(course, "--scheduler", cluster.address, *_only(students))
    assert done.returncode == 0, done.stdout + done.stderr
    rows = summary_rows(done.stdout)
    assert sorted(s for s, _ in rows) == sorted(students)  # each once
    assert {s for s, status in rows if status == "unchanged"} == set(before_resume)
    assert {s for s, status in rows if status == "graded"} == set(students) - set(before_resume)
    _check_complete(course, serial_grades, students)
