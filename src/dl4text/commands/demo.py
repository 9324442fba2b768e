"""``dl4text demo``: the whole pipeline on a small sample class, in a folder of its own.

It copies the course (source/, grader_tests/, nbgrader_config.py) into ``demo/``, builds
the release there, makes four sample submissions (the solution, the untouched release, a
partly right one and a broken one), autogrades them in the fast mode, writes feedback and
the grades CSV, and prints where each file is. The course's own gradebook is not touched.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import nbformat

from dl4text import authoring
from dl4text.cells import grade_id_of, is_solution
from dl4text.folder import CourseFolder
from dl4text.nbgrader.export import export
from dl4text.nbgrader.feedback import feedback
from dl4text.nbgrader.leakscan import scan_release
from dl4text.nbgrader.release import generate
from dl4text.runners.autograde import autograde
from dl4text.runners.summary import format_summary

STUDENTS = ("solution", "untouched_release", "partly_right", "broken_file")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="run release -> submissions -> autograde -> feedback -> CSV "
                                    "on a sample class", description=__doc__)
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT",
                   help="default: a1_dense (or the first assignment)")
    p.add_argument("--full", action="store_true", help="full size instead of the fast mode (slow)")
    p.add_argument("--out", type=Path, default=None, help="demo folder (default: demo/ in the course)")
    p.add_argument("--root", type=Path, default=None, help="the course folder")
    p.set_defaults(run=run)


def make_class(demo: Path, assignment: str) -> None:
    """Write the four sample submissions of ``assignment`` into ``demo/submitted``."""
    course = CourseFolder(demo)
    for name in course.notebooks(assignment):
        source = nbformat.read(course.source_notebook(assignment, name), as_version=4)
        release = nbformat.read(course.release_notebook(assignment, name), as_version=4)
        partly = nbformat.reads(nbformat.writes(release), as_version=4)
        solution_ids = [grade_id_of(c) for c in source.cells if c.cell_type == "code" and is_solution(c)]
        for grade_id in solution_ids[: max(1, len(solution_ids) // 2)]:
            authoring.cell_by_id(partly, grade_id).source = authoring.cell_by_id(source, grade_id).source
        for student, nb in (("solution", source), ("untouched_release", release), ("partly_right", partly)):
            authoring.write(nb, course.submitted(student, assignment) / f"{name}.ipynb")
        broken = course.submitted("broken_file", assignment) / f"{name}.ipynb"
        broken.parent.mkdir(parents=True, exist_ok=True)
        broken.write_text(nbformat.writes(source)[:700])  # cut off: not JSON any more


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    course = CourseFolder.at(args.root)
    known = course.assignments()
    names = course.assignments(args.assignments or (["a1_dense"] if "a1_dense" in known else known[:1]))
    demo = (args.out or course.root / "demo").resolve()
    print(f"demo course folder: {demo}")
    if demo.exists():
        shutil.rmtree(demo)
    sample = course.copy_to(demo)
    print("1. release")
    generate(demo, names)
    for name in names:
        leaks = scan_release(sample.release(name), sample.source(name), sample.grader_tests)
        if leaks:
            raise RuntimeError("the release leaks:\n" + "\n".join(map(str, leaks)))
    print(f"2. sample class: {', '.join(STUDENTS)}")
    for name in names:
        make_class(demo, name)
    print(f"3. autograde ({'full size' if args.full else 'fast mode'})")
    summaries = [format_summary(name, autograde(demo, name, fast=not args.full)) for name in names]
    print("4. feedback")
    files = [f for name in names for f in feedback(demo, name)]
    print("5. grades CSV")
    csv_path = demo / "grades.csv"
    export(demo, csv_path)
    print()
    print("\n".join(summaries))
    print()
    print("Files:")
    print(f"  release:     {sample.release()}")
    print(f"  submissions: {sample.submitted()}")
    print(f"  autograded:  {sample.autograded()}")
    for path in files:
        print(f"  feedback:    {path}")
    print(f"  gradebook:   {sample.gradebook_file}")
    print(f"  grades CSV:  {csv_path}")
    print(f"demo finished in {time.monotonic() - started:.0f} s")
    return 0
