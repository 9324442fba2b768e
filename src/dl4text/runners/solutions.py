"""Executed solution notebooks, checked against the thresholds.

nbgrader's ``generate_solution`` writes ``solutions/<assignment>/`` (solutions in, hidden
tests out: safe to hand out after the deadline); each notebook is then executed and graded
by the hidden graders, its outputs kept, and every graded accuracy printed against its
threshold. A solution below a threshold, or short of full marks, fails the command.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat

from dl4text import config
from dl4text.folder import CourseFolder
from dl4text.nbgrader.cli import run_nbgrader
from dl4text.runners.standalone import NotebookGrade, grade_file


@dataclass
class SeededGrade:
    """One solution notebook graded after training with one seed."""

    seed: int
    grade: NotebookGrade


def solve(root: Path, names: list[str], *, fast: bool, seeds: list[int] | None = None
          ) -> list[SeededGrade]:
    """Generate, execute and grade each solution notebook once per seed (``DL4TEXT_SEED``).

    The notebook of the first seed is written back with its outputs.
    """
    seeds = seeds or [config.training_seed()]
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
            for seed in seeds:
                print(f"executing and grading {path.relative_to(root)} with seed {seed} "
                      f"({'fast mode' if fast else 'full size'}) ...", flush=True)
                with _seed(seed):
                    grade = grade_file(path, root, fast=fast)
                if grade.executed is not None and seed == seeds[0]:
                    nbformat.write(grade.executed, path)
                grades.append(SeededGrade(seed, grade))
    return grades


@contextmanager
def _seed(seed: int) -> Iterator[None]:
    """``DL4TEXT_SEED=seed`` for the kernels started inside (the kernel's environment passes it on)."""
    before = os.environ.get(config.SEED_ENV)
    os.environ[config.SEED_ENV] = str(seed)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(config.SEED_ENV, None)
        else:
            os.environ[config.SEED_ENV] = before


def accuracy_table(grades: list[SeededGrade]) -> tuple[str, bool]:
    """Each graded accuracy over the seeds, against the notes' figure and the threshold; and
    whether every run reached full marks and every threshold."""
    seeds = sorted({g.seed for g in grades})
    runs: dict[str, dict[int, dict]] = {}
    ok = True
    for seeded in grades:
        grade = seeded.grade
        ok &= grade.score >= grade.max_score - 1e-4 and not grade.error
        for m in grade.measured:
            runs.setdefault(m["name"], {})[seeded.seed] = m
    head = "".join(f" {'seed ' + str(s):>8}" for s in seeds)
    lines = [f"  {'accuracy':<36}{head} {'notes':>7} {'threshold':>9} {'reviews':>8}  ok"]
    for name, by_seed in runs.items():
        measured = [by_seed[s]["accuracy"] if s in by_seed else None for s in seeds]
        first = next(iter(by_seed.values()))
        passed = all(a is not None and a >= by_seed[s]["threshold"] for a, s in zip(measured, seeds, strict=True))
        ok &= passed
        notes = first.get("notes")
        cells = "".join(f" {a:>8.4f}" if a is not None else f" {'-':>8}" for a in measured)
        lines.append(f"  {name:<36}{cells} {notes if notes is not None else '-':>7} "
                     f"{first['threshold']:>9.3f} {first['reviews']:>8}  {'yes' if passed else 'NO'}")
    return "\n".join(lines), ok
