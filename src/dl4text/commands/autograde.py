"""``dl4text autograde ASSIGNMENT``: grade the submissions in ``submitted/`` into the gradebook.

Each changed submission goes through ``nbgrader autograde`` with the hidden graders in
place of nbgrader's in-kernel scoring; unchanged ones (same submission, source, graders
and thresholds) are skipped. Unreadable notebooks are graded as empty, with a reason.

With ``--workers N`` (a local Dask cluster) or ``--scheduler tcp://HOST:PORT`` (an existing
one) submissions are graded in parallel, each fenced in (its own folder and user, a time and
a memory bound, no network), and this process alone writes the gradebook
(:mod:`dl4text.parallel`).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from dl4text import config
from dl4text.course_dir import assignments, notebooks
from dl4text.gradebook import failed_checks, submission_score
from dl4text.nbgrader_cli import NbgraderError, run_nbgrader
from dl4text.paths import course_root
from dl4text.submissions import State, repair_unreadable, students, submission_hash


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("autograde", help="grade submitted/ into the gradebook and autograded/",
                       description=__doc__)
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument("--student", action="append", default=None, metavar="ID",
                   help="only this student (repeatable)")
    p.add_argument("--fast", action="store_true", default=None, help="fast mode (or DL4TEXT_FAST=1)")
    p.add_argument("--force", action="store_true", help="regrade even unchanged submissions")
    p.add_argument("--root", type=Path, default=None, help="the course folder")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=None, metavar="N",
                       help="grade N submissions at once on a local Dask cluster of processes")
    where.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                       help="grade in parallel on an existing Dask cluster (workers need dl4text installed)")
    p.add_argument("--task-timeout", type=float, default=6000, metavar="S",
                   help="parallel: seconds the whole grading of one submission may take (default 6000)")
    p.add_argument("--task-memory-mb", type=int, default=None, metavar="MB",
                   help="parallel: memory of the whole grading of one submission (default: 14336, "
                        "or less so that --workers N fit in 90%% of this machine's memory)")
    p.add_argument("--no-fence", action="store_true",
                   help="parallel: grade without the fence (to measure or debug only)")
    p.set_defaults(run=run)


def autograde(root: Path, assignment: str, *, only: list[str] | None = None, fast: bool = False,
              force: bool = False) -> list[dict]:
    """Grade each changed submission of ``assignment``; return one summary row per student."""
    assignments(root, [assignment])
    if not (root / "release" / assignment).is_dir():
        raise FileNotFoundError(f"release/{assignment} is missing: run `dl4text release {assignment}`")
    run_nbgrader(["db", "assignment", "add", assignment], root, quiet=True)
    everyone = students(root, assignment)
    chosen = [s for s in everyone if not only or s in only]
    if only and set(only) - set(everyone):
        raise LookupError(f"no submission of {assignment} from {', '.join(sorted(set(only) - set(everyone)))}")
    state = State(root)
    rows = []
    os.environ[config.FAST_ENV] = "1" if fast else "0"
    for i, student in enumerate(chosen, 1):
        key = f"{assignment}/{student}"
        started = time.monotonic()
        row = {"student": student, "status": "graded", "notes": []}
        row["notes"] += repair_unreadable(root, student, assignment, notebooks(root, assignment))
        digest = submission_hash(root, student, assignment, fast=fast)
        graded_before = (root / "autograded" / student / assignment).is_dir()
        if not force and graded_before and state.unchanged(key, digest) and \
                submission_score(root, assignment, student) is not None:
            row["status"] = "unchanged"
        else:
            print(f"[{i}/{len(chosen)}] grading {student} ...", flush=True)
            state.forget(key)
            try:
                run_nbgrader(["autograde", assignment, "--student", student, "--create", "--force"],
                             root, quiet=True)
                state.record(key, digest)
            except NbgraderError as exc:
                row["status"] = "FAILED"
                row["notes"].append(str(exc).splitlines()[0])
        score = submission_score(root, assignment, student)
        row["score"], row["max_score"] = score if score else (None, None)
        row["lost"] = failed_checks(root, assignment, student)
        row["seconds"] = round(time.monotonic() - started, 1)
        rows.append(row)
    return rows


def format_summary(assignment: str, rows: list[dict]) -> str:
    """A table of every student's score and where points were lost."""
    lines = [f"{assignment}: {len(rows)} submission(s)",
             f"  {'student':<24} {'score':>12}  {'status':<10} {'time':>6}  points lost"]
    for row in rows:
        score = "-" if row["score"] is None else f"{row['score']:g}/{row['max_score']:g}"
        lost = ", ".join(row["lost"]) or "-"
        lines.append(f"  {row['student']:<24} {score:>12}  {row['status']:<10} {row['seconds']:>5.0f}s  {lost}")
        lines += [f"      note: {note}" for note in row["notes"]]
    return "\n".join(lines)


def autograde_in_parallel(root: Path, assignment: str, *, only: list[str] | None = None, fast: bool = False,
                          force: bool = False, workers: int | None = None, scheduler: str | None = None,
                          task_timeout: float = 6000, task_memory_mb: int | None = None,
                          fenced: bool = True) -> list[dict]:
    """Like :func:`autograde`, on Dask workers; this process writes the gradebook."""
    import psutil

    from dl4text.parallel.batch import autograde_parallel
    from dl4text.parallel.task import Limits

    assignments(root, [assignment])
    if not (root / "release" / assignment).is_dir():
        raise FileNotFoundError(f"release/{assignment} is missing: run `dl4text release {assignment}`")
    everyone = students(root, assignment)
    if only and set(only) - set(everyone):
        raise LookupError(f"no submission of {assignment} from {', '.join(sorted(set(only) - set(everyone)))}")
    if task_memory_mb is None:
        task_memory_mb = 14336
        if not scheduler:
            share = psutil.virtual_memory().total * 0.9 / max(1, workers or 1) / 1024**2
            task_memory_mb = int(min(task_memory_mb, share))
    limits = Limits(wall_s=task_timeout, memory_mb=task_memory_mb, fenced=fenced)
    return autograde_parallel(root, assignment, [s for s in everyone if not only or s in only], fast=fast,
                              force=force, workers=workers, scheduler=scheduler, limits=limits)


def run(args: argparse.Namespace) -> int:
    root = (args.root or course_root()).resolve()
    fast = config.fast_mode() if args.fast is None else args.fast
    started = time.monotonic()
    if args.workers is not None or args.scheduler:
        if args.workers is not None and args.workers < 1:
            raise ValueError("--workers must be at least 1")
        rows = autograde_in_parallel(root, args.assignment, only=args.student, fast=fast, force=args.force,
                                     workers=args.workers, scheduler=args.scheduler,
                                     task_timeout=args.task_timeout, task_memory_mb=args.task_memory_mb,
                                     fenced=not args.no_fence)
    else:
        rows = autograde(root, args.assignment, only=args.student, fast=fast, force=args.force)
    if not rows:
        print(f"no submissions of {args.assignment} in {root / 'submitted'}")
        return 0
    print(format_summary(args.assignment, rows))
    from dl4text.parallel.batch import totals

    print(totals(rows, time.monotonic() - started))
    return 1 if any(r["status"] == "FAILED" for r in rows) else 0
