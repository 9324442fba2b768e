"""``dl4text solutions [ASSIGNMENT...]``: executed solution notebooks, checked against the thresholds.

nbgrader's ``generate_solution`` writes ``solutions/<assignment>/`` (solutions in, hidden
tests out: safe to hand out after the deadline); each notebook is then executed and graded
by the hidden graders, its outputs kept, and every graded accuracy printed against its
threshold. A solution below a threshold, or short of full marks, fails the command.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nbformat

from dl4text import config
from dl4text.course_dir import assignments
from dl4text.grading.standalone import NotebookGrade, format_table, grade_file
from dl4text.nbgrader_cli import run_nbgrader
from dl4text.paths import course_root


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("solutions", help="generate, execute and check the solution notebooks",
                       description=__doc__)
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="default: every assignment")
    p.add_argument("--fast", action="store_true", default=None, help="fast mode (or DL4TEXT_FAST=1)")
    p.add_argument("--root", type=Path, default=None, help="the course folder")
    p.set_defaults(run=run)


def solve(root: Path, names: list[str], *, fast: bool) -> list[NotebookGrade]:
    """Generate, execute and grade each solution notebook; write it back with its outputs."""
    grades = []
    for name in names:
        print(f"generating solutions/{name} ...", flush=True)
        # generate_solution needs the assignment in the gradebook (absent on a fresh clone)
        run_nbgrader(["db", "assignment", "add", name], root, quiet=True)
        run_nbgrader(["generate_solution", name, "--force"], root, quiet=True)
        found = sorted((root / "solutions" / name).glob("*.ipynb"))
        if not found:
            raise RuntimeError(f"nbgrader generate_solution wrote no notebook into solutions/{name}")
        for path in found:
            print(f"executing and grading {path.relative_to(root)} "
                  f"({'fast mode' if fast else 'full size'}) ...", flush=True)
            grade = grade_file(path, root, fast=fast)
            if grade.executed is not None:
                nbformat.write(grade.executed, path)
            grades.append(grade)
    return grades


def accuracy_table(grades: list[NotebookGrade]) -> tuple[str, bool]:
    """The table of graded accuracies against thresholds, and whether all pass."""
    lines = [f"  {'accuracy':<36} {'measured':>9} {'threshold':>9} {'reviews':>8}  ok"]
    ok = True
    for grade in grades:
        full = grade.score >= grade.max_score - 1e-4 and not grade.error
        ok &= full
        for m in grade.measured:
            passed = m["accuracy"] >= m["threshold"]
            ok &= passed
            lines.append(f"  {m['name']:<36} {m['accuracy']:>9.4f} {m['threshold']:>9.3f} "
                         f"{m['reviews']:>8}  {'yes' if passed else 'NO'}")
    return "\n".join(lines), ok


def run(args: argparse.Namespace) -> int:
    root = (args.root or course_root()).resolve()
    fast = config.fast_mode() if args.fast is None else args.fast
    grades = solve(root, assignments(root, args.assignments), fast=fast)
    print(format_table(grades))
    table, ok = accuracy_table(grades)
    print(table)
    if not ok:
        print("FAILED: a solution is below a threshold or short of full marks")
        return 1
    print(f"all solutions reach full marks and every threshold; notebooks in {root / 'solutions'}")
    return 0
