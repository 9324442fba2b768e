"""``dl4text solutions [ASSIGNMENT...]``: executed solution notebooks, checked against the thresholds.

nbgrader's ``generate_solution`` writes ``solutions/<assignment>/`` (solutions in, hidden
tests out: safe to hand out after the deadline); each notebook is then executed and graded
by the hidden graders, its outputs kept, and every graded accuracy printed against its
threshold. A solution below a threshold, or short of full marks, fails the command.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dl4text import config
from dl4text.folder import CourseFolder
from dl4text.runners.solutions import accuracy_table, solve
from dl4text.runners.standalone import format_table


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("solutions", help="generate, execute and check the solution notebooks",
                       description=__doc__)
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="default: every assignment")
    p.add_argument("--fast", action="store_true", default=None, help="fast mode (or DL4TEXT_FAST=1)")
    p.add_argument("--seeds", type=int, nargs="+", default=None, metavar="SEED",
                   help="train each solution once per seed (DL4TEXT_SEED for the notebook); "
                        "default: DL4TEXT_SEED or 0")
    p.add_argument("--root", type=Path, default=None, help="the course folder")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    course = CourseFolder.at(args.root)
    fast = config.fast_mode() if args.fast is None else args.fast
    grades = solve(course.root, course.assignments(args.assignments), fast=fast, seeds=args.seeds)
    print(format_table([g.grade for g in grades]))
    table, ok = accuracy_table(grades)
    print(table)
    print("notes: the lecture notes' test accuracy for the same model; the frozen model's is for "
          "Word2Vec-300 vectors, the kit's GloVe-50 (see a2_embeddings)")
    if not ok:
        print("FAILED: a solution is below a threshold or short of full marks")
        return 1
    print(f"all solutions reach full marks and every threshold; notebooks in {course.solutions()}")
    return 0
