"""``dl4text feedback ASSIGNMENT``: nbgrader's HTML feedback for each graded student."""

from __future__ import annotations

import argparse
from pathlib import Path

from dl4text.course_dir import assignments
from dl4text.nbgrader_cli import run_nbgrader
from dl4text.paths import course_root


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("feedback", help="write feedback/<student>/<assignment>/*.html",
                       description=__doc__)
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument("--student", default=None, metavar="ID", help="only this student")
    p.add_argument("--root", type=Path, default=None, help="the course folder")
    p.set_defaults(run=run)


def feedback(root: Path, assignment: str, student: str | None = None) -> list[Path]:
    """Generate the feedback HTML; return the files written."""
    assignments(root, [assignment])
    args = ["generate_feedback", assignment, "--force"]
    if student:
        args += ["--student", student]
    run_nbgrader(args, root, quiet=True)
    return sorted((root / "feedback").glob(f"{student or '*'}/{assignment}/*.html"))


def run(args: argparse.Namespace) -> int:
    root = (args.root or course_root()).resolve()
    files = feedback(root, args.assignment, args.student)
    for path in files:
        print(f"  {path.relative_to(root)}")
    print(f"{len(files)} feedback file(s) in {root / 'feedback'}")
    return 0
