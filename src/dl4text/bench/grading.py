"""Grading: ``dl4text grade`` on each solution notebook against plain ``jupyter nbconvert --execute``.

Both commands run the same source notebook in a fresh process and are timed whole, from
outside (interpreter start, kernel start, every cell; for the kit also its probes and the
hidden graders). The ratio is the kit's overhead on top of merely executing the notebook.
The full run grades every notebook of ``source/`` at full size, then in the fast mode; the
quick run grades the first one in the fast mode (``DL4TEXT_FAST=1`` for every command and
their kernels). ``dl4text grade`` runs twice: with its warm graders (the default: a graders'
server started with the grading, TensorFlow imported while the kernel runs) and with cold
ones (``DL4TEXT_WARM_GRADERS=0``: a fresh ``python -m pytest`` after the kernel), each row
against the same nbconvert run.

The kit runs first: any warm-up (files read for the first time) then counts against it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from dl4text.bench.child import ChildResult, child_env, run_command
from dl4text.bench.report import Comparison
from dl4text.bench.targets import grading_claim
from dl4text.folder import CourseFolder
from dl4text.grading.warm import WARM_ENV

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
    """Rows per notebook and mode, warm and cold graders (the first notebook, fast, when ``quick``).

    The full run measures every notebook at full size, then in the fast mode.
    """
    notebooks = solution_notebooks(root)
    rows = []
    for fast in (True,) if quick else (False, True):
        for notebook in notebooks[:1] if quick else notebooks:
            rows += compare(notebook, root, workdir, fast=fast)
    for name in missing_assignments(root):
        rows.append(Comparison.unavailable("grading", f"dl4text grade {name}", BASELINE,
                                           f"skipped: source/{name}/ has no notebook yet"))
    if quick and len(notebooks) > 1:
        skipped = ", ".join(f"{p.parent.name}/{p.name}" for p in notebooks[1:])
        rows.append(Comparison.unavailable("grading", "the other notebooks", BASELINE,
                                           f"full run only ({skipped})"))
    return rows


def compare(notebook: Path, root: Path, workdir: Path, *, fast: bool) -> list[Comparison]:
    """``dl4text grade`` of ``notebook`` with warm graders, then cold ones, then nbconvert: two rows."""
    env = child_env({"DL4TEXT_FAST": "1" if fast else "0"})
    name = f"{notebook.parent.name}/{notebook.name}"
    kits = {label: run_command(grade_command(notebook, root, fast=fast), env={**env, WARM_ENV: switch}, cwd=root)
            for label, switch in (("warm graders", "1"), ("cold graders", "0"))}
    baseline = run_command(nbconvert_command(notebook, workdir), env=env, cwd=root)
    rows = []
    for label, kit in kits.items():
        notes = ["fast mode" if fast else "full size"]
        score = score_of(kit)
        if score:
            notes.append(f"graded {score[0]:g}/{score[1]:g}")
        row = Comparison.from_children("grading", f"dl4text grade {name} ({label}{', fast' if fast else ''})",
                                       BASELINE, baseline, kit, note=", ".join(notes))
        row.details["claim"] = grading_claim(notebook.parent.name, fast=fast, warm=label == "warm graders")
        rows.append(row)
    return rows
