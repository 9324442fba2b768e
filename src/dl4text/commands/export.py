"""``dl4text export``: the grades as a CSV an LMS imports.

One row per student, one column per assignment (its score), then the total and the
maximum; a student with no submission of an assignment scores 0 there.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dl4text.folder import CourseFolder
from dl4text.nbgrader.export import export


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="write the grades CSV (a row per student)", description=__doc__)
    p.add_argument("--to", type=Path, default=Path("grades.csv"), help="output file (default grades.csv)")
    p.add_argument("--root", type=Path, default=None, help="the course folder")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = CourseFolder.at(args.root).root
    target = args.to if args.to.is_absolute() else Path.cwd() / args.to
    count, names = export(root, target)
    print(f"wrote {target}: {count} student(s), assignments {', '.join(names) or '-'}")
    return 0
