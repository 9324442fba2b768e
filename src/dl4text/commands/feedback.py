"""``dl4text feedback ASSIGNMENT``: nbgrader's HTML feedback for each graded student."""

from __future__ import annotations

import argparse
from pathlib import Path

from dl4text.folder import CourseFolder
from dl4text.nbgrader.feedback import feedback


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("feedback", help="write feedback/<student>/<assignment>/*.html",
                       description=__doc__)
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument("--student", default=None, metavar="ID", help="only this student")
    p.add_argument("--root", type=Path, default=None, help="the course folder")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = CourseFolder.at(args.root).root
    files = feedback(root, args.assignment, args.student)
    for path in files:
        print(f"  {path.relative_to(root)}")
    print(f"{len(files)} feedback file(s) in {CourseFolder(root).feedback()}")
    return 0
