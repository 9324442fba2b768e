"""Grade a class in parallel: the owner packs, Dask workers grade, the owner writes each result.

Submissions whose content hash was recorded after a successful write are skipped; the
others become one task each. Results are written as they arrive (in this process, which
owns the gradebook), so an interrupted batch loses at most the gradings in flight.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from dl4text.course_dir import notebooks
from dl4text.parallel.cluster import connect
from dl4text.parallel.owner import Owner
from dl4text.parallel.pack import pack_course, pack_task
from dl4text.parallel.progress import Progress
from dl4text.parallel.task import FAILED, STOPPED, Limits, TaskResult
from dl4text.parallel.worker import grade_task
from dl4text.submissions import repair_unreadable, submission_hash


def autograde_parallel(root: Path, assignment: str, students: list[str], *, fast: bool, force: bool = False,
                       workers: int | None = None, scheduler: str | None = None,
                       limits: Limits | None = None, progress: bool = True) -> list[dict]:
    """Grade ``students``' submissions of ``assignment``; return one summary row each, in order."""
    limits = limits or Limits()
    rows: dict[str, dict] = {}
    with Owner(root, assignment) as owner:
        todo: list[tuple[str, str, list[str]]] = []
        for student in students:
            notes = repair_unreadable(root, student, assignment, notebooks(root, assignment))
            digest = submission_hash(root, student, assignment, fast=fast)
            if not force and owner.unchanged(student, digest):
                rows[student] = _unchanged_row(owner, student)
            else:
                todo.append((student, digest, notes))
        if todo:
            _run(owner, todo, rows, fast=fast, workers=workers, scheduler=scheduler, limits=limits,
                 progress=progress)
    return [rows[s] for s in students]


def _run(owner: Owner, todo: list[tuple[str, str, list[str]]], rows: dict[str, dict], *, fast: bool,
         workers: int | None, scheduler: str | None, limits: Limits, progress: bool) -> None:
    from distributed import as_completed

    root, assignment = owner.root, owner.assignment
    with ThreadPoolExecutor(1) as pool:
        packing = pool.submit(pack_course, root, assignment, fast=fast)  # while the cluster starts
        with connect(workers=workers, scheduler=scheduler) as (client, shares):
            pack = dataclasses.replace(packing.result(), threads_by_host=shares)
            pack_future = client.scatter(pack, broadcast=True, hash=False)
            futures: dict[Any, tuple[str, str, list[str]]] = {}
            for student, digest, notes in todo:
                task = pack_task(root, assignment, student, digest, limits)
                future = client.submit(grade_task, pack_future, task, pure=False,
                                       key=f"dl4text-{assignment}-{student}-{uuid.uuid4().hex[:8]}")
                futures[future] = (student, digest, notes)
            bar = Progress(len(todo), assignment) if progress else None
            try:
                for future in as_completed(futures):
                    student, digest, notes = futures[future]
                    row = owner.write(_result_of(future, student, digest))
                    row["notes"] = notes + row["notes"]
                    rows[student] = row
                    if bar:
                        bar.advance(row)
                    future.release()
            finally:
                if bar:
                    bar.close()
                client.cancel(list(futures))


def _result_of(future: Any, student: str, digest: str) -> TaskResult:
    """The worker's result, or what to record when the task itself failed."""
    from distributed.scheduler import KilledWorker

    try:
        return future.result()
    except KilledWorker as exc:
        return TaskResult(student, digest, STOPPED, reason=(
            f"the grading of this submission crashed its worker several times and was stopped ({exc})"))
    except Exception as exc:  # noqa: BLE001 - the batch goes on; the row says why
        return TaskResult(student, digest, FAILED, reason=f"the task failed ({type(exc).__name__}: {exc})")


def _unchanged_row(owner: Owner, student: str) -> dict:
    from dl4text.gradebook import failed_checks, submission_score

    score = submission_score(owner.root, owner.assignment, student)
    return {"student": student, "status": "unchanged", "notes": [], "score": score[0] if score else None,
            "max_score": score[1] if score else None, "seconds": 0.0,
            "lost": failed_checks(owner.root, owner.assignment, student)}


def totals(rows: list[dict], seconds: float) -> str:
    """How many were graded, stopped, failed or unchanged, the wall time, and the fences used."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    parts = [f"{counts[s]} {s}" for s in ("graded", "stopped", "FAILED", "unchanged", "duplicate") if s in counts]
    lines = [f"{', '.join(parts) or 'nothing'} in {time.strftime('%H:%M:%S', time.gmtime(seconds))}"]
    fences = sorted({"; ".join(row["fences"]) for row in rows if row.get("fences")})
    lines += [f"fence: {fence}" for fence in fences]
    return "\n".join(lines)
