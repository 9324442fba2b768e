"""``dl4text autograde ASSIGNMENT``: grade the submissions in ``submitted/`` into the gradebook.

Each changed submission is graded by the course's own ``nbgrader autograde`` (with the hidden
graders in place of nbgrader's in-kernel scoring, the kernel in a sandbox) in a scratch course
of its own, fenced in (a time and a memory bound on all of it; its own user and no network
where the machine allows), and this process alone writes the result into the gradebook and
``autograded/`` (:mod:`dl4text.runners`). Unchanged submissions (same submission, source,
graders and thresholds, and the gradebook still holding what was written) are skipped.
Unreadable notebooks, and notebooks that are links, special files or too big, are graded as
the release notebook, with a reason; a submission folder that is a link gets zero, with a reason.

Without ``--workers``/``--scheduler`` the submissions are graded one after another in this
process (no Dask); with ``--workers N`` (a local Dask cluster) or ``--scheduler
tcp://HOST:PORT`` (an existing one), in parallel.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from dl4text import config
from dl4text.folder import CourseFolder
from dl4text.runners.autograde import DEFAULT_TASK_MEMORY_MB, autograde
from dl4text.runners.summary import NO_SANDBOX, format_summary, totals

__all__ = ["add_parser", "autograde", "format_summary", "run"]

def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("autograde", help="grade submitted/ into the gradebook and autograded/",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument("--student", action="append", default=None, metavar="ID",
                   help="only this student (repeatable)")
    p.add_argument("--fast", action="store_true", default=None, help="fast mode (or DL4TEXT_FAST=1)")
    p.add_argument("--force", action="store_true", help="regrade even unchanged submissions")
    p.add_argument("--root", type=Path, default=None, help="the course folder")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=None, metavar="N",
                       help="grade N submissions at once on a local Dask cluster of processes "
                            "(default: one after another in this process)")
    where.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                       help="grade in parallel on an existing Dask cluster (workers need dl4text installed)")
    p.add_argument("--task-timeout", type=float, default=6000, metavar="S",
                   help="seconds the whole grading of one submission may take (default 6000)")
    p.add_argument("--task-memory-mb", type=int, default=None, metavar="MB",
                   help=f"memory of the whole grading of one submission (default: {DEFAULT_TASK_MEMORY_MB}, "
                        "or less so that --workers N fit in 90%% of this machine's memory)")
    p.add_argument("--no-fence", action="store_true",
                   help="grade without the fence (to measure or debug only)")
    p.add_argument("--no-sandbox", action="store_true",
                   help="run the student's kernel without GradingExecute's sandbox "
                        "(--GradingExecute.sandbox=False; to debug only: the summary says so)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = CourseFolder.at(args.root).root
    if not args.no_sandbox:
        from dl4text.sandbox.bwrap import check

        check()  # before any grading: a machine that cannot sandbox says why, once
    fast = config.fast_mode() if args.fast is None else args.fast
    started = time.monotonic()
    rows = autograde(root, args.assignment, only=args.student, fast=fast, force=args.force, workers=args.workers,
                     scheduler=args.scheduler, task_timeout=args.task_timeout, task_memory_mb=args.task_memory_mb,
                     fenced=not args.no_fence, sandbox=not args.no_sandbox)
    if not rows:
        print(f"no submissions of {args.assignment} in {CourseFolder(root).submitted()}")
        return 0
    print(format_summary(args.assignment, rows))
    print(totals(rows, time.monotonic() - started))
    if args.no_sandbox:
        print(f"{NO_SANDBOX}: the student's kernel ran without GradingExecute's sandbox")
    return 1 if any(r.status == "FAILED" for r in rows) else 0
