"""``dl4text handout [ASSIGNMENT...]``: what students get, built from the course and scanned.

The release notebooks, the student package as a wheel (``dl4text.course``, ``.data`` and
``.embeddings``, nothing of the graders, runners or solutions) and a README that tells a
student how to install, where the data goes, and how to validate and submit; as a folder and
as a zip file beside it. The leak scan of ``dl4text release`` covers every file of it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dl4text.folder import CourseFolder
from dl4text.nbgrader.handout import build_handout


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("handout", help="build the students' handout (notebooks, package wheel, README)",
                       description=__doc__)
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="default: every assignment")
    p.add_argument("--to", type=Path, default=None, help="the handout folder (default: handout/ in the course)")
    p.add_argument("--root", type=Path, default=None, help="the course folder")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    course = CourseFolder.at(args.root)
    handout = build_handout(course.root, args.to or course.handout, args.assignments)
    for problem in handout.problems:
        print(f"  {problem}")
    if handout.problems:
        print(f"FAILED: the handout in {handout.folder} leaks ({len(handout.problems)} problem(s)); "
              "no zip file was written")
        return 1
    print(f"handout: {handout.folder} ({len(handout.notebooks)} notebook(s), {handout.wheel.name}, README.md)")
    print(f"zip:     {handout.archive}")
    return 0
