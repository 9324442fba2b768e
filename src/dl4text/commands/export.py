"""``dl4text export``: the grades as a CSV an LMS imports.

One row per student, one column per assignment (its score, manual points from formgrader
included); a student with no submission of an assignment scores 0 there. ``--format csv``
(the default) adds the total and the maximum; ``canvas`` and ``moodle`` write the columns
their gradebook imports read (see :mod:`dl4text.nbgrader.export`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dl4text.folder import CourseFolder
from dl4text.nbgrader.export import FORMATS, export


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="write the grades CSV (a row per student; --format canvas|moodle)",
                       description=__doc__)
    p.add_argument("--to", type=Path, default=None,
                   help="output file (default grades.csv, or grades-canvas.csv / grades-moodle.csv)")
    p.add_argument("--format", choices=FORMATS, default="csv",
                   help="csv (nbgrader's columns and the total), canvas or moodle (their gradebook imports)")
    p.add_argument("--root", type=Path, default=None, help="the course folder")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = CourseFolder.at(args.root).root
    to = args.to or Path("grades.csv" if args.format == "csv" else f"grades-{args.format}.csv")
    target = to if to.is_absolute() else Path.cwd() / to
    count, names = export(root, target, args.format)
    print(f"wrote {target} ({args.format}): {count} student(s), assignments {', '.join(names) or '-'}")
    return 0
