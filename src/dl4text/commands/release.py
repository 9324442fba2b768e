"""``dl4text release [ASSIGNMENT...]``: build the student release and scan it for leaks."""

from __future__ import annotations

import argparse
from pathlib import Path

from dl4text.folder import CourseFolder
from dl4text.nbgrader.leakscan import scan_release
from dl4text.nbgrader.release import generate, stale_files


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("release", help="generate release/ with nbgrader and scan it for leaks",
                       description=__doc__)
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="default: every assignment")
    p.add_argument("--check", action="store_true",
                   help="change nothing: fail if release/ is stale against source/ or leaks")
    p.add_argument("--root", type=Path, default=None, help="the course folder")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    course = CourseFolder.at(args.root)
    root = course.root
    names = course.assignments(args.assignments)
    problems: list[str] = []
    if args.check:
        problems += stale_files(root, names)
    else:
        generate(root, names)
    for name in names:
        problems += [str(leak) for leak in scan_release(course.release(name), course.source(name),
                                                         course.grader_tests)]
    for problem in problems:
        print(f"  {problem}")
    if problems:
        what = "release/ is stale or leaks" if args.check else "the release leaks"
        print(f"FAILED: {what} ({len(problems)} problem(s)); fix source/ and run `dl4text release`.")
        return 1
    print(f"release/ is {'up to date and ' if args.check else ''}clean: "
          f"{', '.join(names)} (no solutions, hidden tests, grader code, outputs or config)")
    return 0
