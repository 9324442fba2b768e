"""Executed solution notebooks, checked against the thresholds.

nbgrader's ``generate_solution`` writes ``solutions/<assignment>/`` (solutions in, hidden
tests out: safe to hand out after the deadline); each notebook is then executed and graded
by the hidden graders, its outputs kept, and every graded accuracy printed against its
threshold. A solution below a threshold, or short of full marks, fails the command.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from dl4text.folder import CourseFolder
from dl4text.nbgrader.cli import run_nbgrader
from dl4text.runners.standalone import NotebookGrade, grade_file


def solve(root: Path, names: list[str], *, fast: bool) -> list[NotebookGrade]:
    """Generate, execute and grade each solution notebook; write it back with its outputs."""
    grades = []
    for name in names:
        print(f"generating solutions/{name} ...", flush=True)
        # generate_solution needs the assignment in the gradebook (absent on a fresh clone)
        run_nbgrader(["db", "assignment", "add", name], root, quiet=True)
        run_nbgrader(["generate_solution", name, "--force"], root, quiet=True)
        found = sorted(CourseFolder(root).solutions(name).glob("*.ipynb"))
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
