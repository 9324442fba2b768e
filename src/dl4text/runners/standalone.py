"""Grade notebooks without nbgrader: ``dl4text grade``."""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from dl4text.grading.assignment import find_assignment
from dl4text.grading.judge import CellVerdict, prestart_graders


@dataclass
class NotebookGrade:
    """The outcome of grading one notebook."""

    notebook: str
    assignment: str
    verdicts: list[CellVerdict] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0
    measured: list[dict[str, Any]] = field(default_factory=list)
    executed: Any = None
    sandboxed: bool = True

    @property
    def score(self) -> float:
        return round(sum(v.score for v in self.verdicts), 6)

    @property
    def max_score(self) -> float:
        return round(sum(v.max_score for v in self.verdicts), 6)

    def as_json(self) -> dict[str, Any]:
        """The ``--json`` form: one object per notebook."""
        tests = []
        for verdict in self.verdicts:
            if not verdict.checks:
                tests.append({"name": verdict.grade_id, "score": 0.0,
                              "max_score": verdict.max_score, "reason": verdict.note})
            for check in verdict.checks:
                reason = check.reason if not check.passed else ""
                if verdict.note and not check.passed:
                    reason = f"{reason} ({verdict.note})" if reason else verdict.note
                tests.append({"name": f"{verdict.grade_id}: {check.name}", "score": check.score,
                              "max_score": check.max_score, "reason": reason})
        return {"notebook": self.notebook, "assignment": self.assignment, "score": self.score,
                "max_score": self.max_score, "tests": tests, "error": self.error,
                "measured": self.measured, "seconds": round(self.seconds, 1), "sandbox": self.sandboxed}


def find_notebooks(paths: list[Path]) -> list[Path]:
    """Expand folders into the notebooks they hold (checkpoints skipped), in order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"{path} does not exist")
    return found


def grade_file(path: Path, root: Path, *, fast: bool, **limits: Any) -> NotebookGrade:
    """Grade one notebook file against the course at ``root``; never raises for a bad notebook.

    The limits are the course's (``nbgrader_config.py``) unless ``limits`` name others.
    """
    started = time.monotonic()
    try:
        assignment = find_assignment(root, path)
    except LookupError as exc:
        return NotebookGrade(notebook=str(path), assignment="?", error=str(exc))
    grade = NotebookGrade(notebook=str(path), assignment=assignment.name)
    # The graders' server imports TensorFlow on the other core while this process imports
    # nbgrader and starts the kernel, rather than beside the kernel's own import of it.
    prestart_graders(fast=fast, grader_file=assignment.grader_file)
    from dl4text.grading.execute import GradingExecute  # nbgrader: 0.7 s of imports

    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # noqa: BLE001 - an unreadable notebook scores zero with a reason
        nb = None
        grade.error = f"the notebook cannot be read ({type(exc).__name__}: {str(exc)[:200]})"
    if nb is None:
        from dl4text.grading.judge import score_cells

        grade.verdicts = score_cells(assignment.test_cells(), [], grade.error)
        return grade
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    workdir = Path(tempfile.mkdtemp(prefix="dl4text-work-"))
    try:
        given = {name: value for name, value in limits.items() if value is not None}
        client = GradingExecute(config=_course_config(root), fast=fast, course_root=str(root), **given)
        grade.sandboxed = client.sandbox
        resources = {"metadata": {"path": str(workdir)},
                     "nbgrader": {"assignment": assignment.name, "notebook": assignment.notebook}}
        client.preprocess(nb, resources)
        grade.verdicts = client.verdicts
        grade.measured = client.measured
        grade.executed = client.nb
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    grade.seconds = time.monotonic() - started
    return grade


def _course_config(root: Path) -> Any:
    """The course's nbgrader configuration (its limits), or an empty one where it has none."""
    from traitlets.config import Config

    from dl4text.folder import CourseFolder
    from dl4text.nbgrader.inprocess import course_config

    return course_config(root) if CourseFolder(root).config_file.is_file() else Config()


def format_table(grades: list[NotebookGrade]) -> str:
    """A plain-text table: each check's points and reason, then each notebook's total."""
    lines = []
    for grade in grades:
        lines.append(f"{grade.notebook}  ({grade.assignment})")
        if grade.error:
            lines.append(f"  error: {grade.error}")
        for test in grade.as_json()["tests"]:
            mark = "ok  " if test["score"] >= test["max_score"] else "FAIL"
            reason = f"  {test['reason']}" if test["reason"] else ""
            lines.append(f"  {mark} {test['score']:>5g}/{test['max_score']:<5g} {test['name']}{reason}")
        lines.append(f"  total: {grade.score:g} / {grade.max_score:g}   ({grade.seconds:.0f} s)")
        lines.append("")
    return "\n".join(lines)
