"""Grading: ``dl4text grade`` on each solution notebook against plain ``jupyter nbconvert --execute``.

Both commands run the same source notebook in a fresh process and are timed whole, from
outside (interpreter start, kernel start, every cell; for the kit also its probes and the
hidden graders). The ratio is the kit's overhead on top of merely executing the notebook.
The full run grades every notebook of ``source/`` at full size; the quick run grades the
first one in the fast mode (``DL4TEXT_FAST=1`` for both commands and their kernels).

The kit runs first: any warm-up (files read for the first time) then counts against it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from dl4text.bench.child import ChildResult, child_env, run_command
from dl4text.bench.report import Comparison
from dl4text.folder import CourseFolder

EXPECTED = ("a1_dense", "a2_embeddings", "a3_recurrent")
BASELINE = "jupyter nbconvert --execute"
NOTEBOOK_TIMEOUT = 3600


def solution_notebooks(root: Path) -> list[Path]:
    """The instructor notebooks under ``root/source/``, assignment by assignment."""
    source = CourseFolder(root).source()
    if not source.is_dir():
        return []
    return sorted(p for p in source.glob("*/*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def missing_assignments(root: Path) -> list[str]:
    """The course's assignments that have no notebook in ``source/`` yet."""
    return [name for name in EXPECTED if not any(CourseFolder(root).source(name).glob("*.ipynb"))]


def nbconvert_command(notebook: Path, out_dir: Path) -> list[str]:
    """``jupyter nbconvert --to notebook --execute`` of ``notebook`` into ``out_dir``."""
    return [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
            f"--ExecutePreprocessor.timeout={NOTEBOOK_TIMEOUT}", "--output-dir", str(out_dir),
            "--output", f"{notebook.stem}-executed", str(notebook)]


def grade_command(notebook: Path, root: Path, *, fast: bool) -> list[str]:
    """``dl4text grade --json`` of ``notebook`` against the course at ``root``."""
    return [sys.executable, "-m", "dl4text.cli", "grade", "--json", "--root", str(root),
            *(["--fast"] if fast else []), str(notebook)]


def score_of(child: ChildResult) -> tuple[float, float] | None:
    """The (score, max score) that ``dl4text grade --json`` printed, None if it printed none."""
    text = child.stdout
    start = text.find("[")
    try:
        graded = json.loads(text[start:]) if start >= 0 else []
    except ValueError:
        return None
    if not graded:
        return None
    return (sum(g.get("score", 0) for g in graded), sum(g.get("max_score", 0) for g in graded))


def measure(root: Path, workdir: Path, *, quick: bool) -> list[Comparison]:
    """One row per notebook (the first only when ``quick``), plus one per missing assignment."""
    env = child_env({"DL4TEXT_FAST": "1" if quick else "0"})
    notebooks = solution_notebooks(root)
    rows = []
    for notebook in notebooks[:1] if quick else notebooks:
        name = f"{notebook.parent.name}/{notebook.name}"
        kit = run_command(grade_command(notebook, root, fast=quick), env=env, cwd=root)
        baseline = run_command(nbconvert_command(notebook, workdir), env=env, cwd=root)
        notes = ["fast mode" if quick else "full size"]
        score = score_of(kit)
        if score:
            notes.append(f"graded {score[0]:g}/{score[1]:g}")
        rows.append(Comparison.from_children("grading", f"dl4text grade {name}", BASELINE, baseline, kit,
                                             note=", ".join(notes)))
    for name in missing_assignments(root):
        rows.append(Comparison.unavailable("grading", f"dl4text grade {name}", BASELINE,
                                           f"skipped: source/{name}/ has no notebook yet"))
    if quick and len(notebooks) > 1:
        skipped = ", ".join(f"{p.parent.name}/{p.name}" for p in notebooks[1:])
        rows.append(Comparison.unavailable("grading", "the other notebooks", BASELINE,
                                           f"full run only ({skipped})"))
    return rows
