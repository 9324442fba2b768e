"""The owner's side of :class:`GradingExecute`: hand nbgrader a worker's graded notebook.

With ``GradingExecute.replay`` set to a result file written by the gradebook's owner,
``nbgrader autograde`` does everything it always does (copies the submission into
``autograded/``, checks the cells, stores the points with ``SaveAutoGrades``, late
penalties) except executing: the notebook comes from the worker that graded it. A
submission the fence stopped gets every autograded test cell at zero with the reason.

The file: ``{"student": ID, "notebooks": {name: notebook JSON}}`` or
``{"student": ID, "failure": "why it was stopped"}``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat

from dl4text.grading.assignment import Assignment
from dl4text.grading.judge import score_cells


def write_replay(path: Path, student: str, *, notebooks: dict[str, str] | None = None,
                 failure: str = "") -> Path:
    """Write the result file for ``student``: the graded notebooks, or the failure."""
    data: dict[str, Any] = {"student": student}
    if failure:
        data["failure"] = failure
    else:
        data["notebooks"] = notebooks or {}
    path.write_text(json.dumps(data))
    return path


def replay(client: Any, nb: nbformat.NotebookNode, resources: dict, assignment: Assignment
           ) -> tuple[nbformat.NotebookNode, dict]:
    """GradingExecute.preprocess in replay mode: the worker's notebook, or a zero with the reason."""
    from dl4text.grading.verdicts import restore_deleted_test_cells, write_verdicts

    data = json.loads(Path(client.replay).read_text())
    student = resources.get("nbgrader", {}).get("student")
    if data.get("student") != student:
        raise ValueError(f"replay file {client.replay} is for {data.get('student')!r}, not {student!r}")
    if data.get("failure"):
        restore_deleted_test_cells(nb, assignment)
        client.verdicts = score_cells(assignment.test_cells(), [], data["failure"])
        write_verdicts(nb, client.verdicts)
        graded = nb
    else:
        try:
            graded = nbformat.reads(data["notebooks"][assignment.notebook], as_version=4)
        except KeyError:
            raise ValueError(f"replay file {client.replay} has no notebook {assignment.notebook!r}") from None
        client.verdicts = None
    client.nb, client.resources, client.measured = graded, resources, []
    return graded, resources
