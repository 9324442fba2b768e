"""The owner's second pass: a preprocessor that hands nbgrader a worker's graded notebook.

With :class:`ReplayGrading` in place of :class:`~dl4text.grading.execute.GradingExecute`
(:func:`replay_pipeline`), ``nbgrader autograde`` does everything it always does (copies
the submission into ``autograded/``, checks the cells, stores the points with
``SaveAutoGrades``, late penalties) except executing: the notebook comes from the worker
that graded it. A submission the fence stopped gets every autograded test cell at zero
with the reason. The grading engine knows nothing of this: it has no replay mode.

The file: ``{"student": ID, "notebooks": {name: notebook JSON}}`` or
``{"student": ID, "failure": "why it was stopped"}``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

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


class ReplayGrading(NbGraderPreprocessor):
    """Stands in for :class:`GradingExecute` in the owner's ``nbgrader autograde``: no execution.

    It returns the notebook the worker graded (``result_file``), or the submission with every
    autograded test cell at zero and the reason, when the fence stopped it.
    """

    result_file = Unicode("", help="The result file written by the gradebook's owner.").tag(config=True)
    course_root = Unicode("", help="The course folder (default: the current folder).").tag(config=True)

    def preprocess(self, nb: nbformat.NotebookNode, resources: dict) -> tuple[nbformat.NotebookNode, dict]:
        """The worker's graded notebook for this submission, or a zero with the reason."""
        from dl4text.grading.verdicts import restore_deleted_test_cells, write_verdicts

        info = resources.get("nbgrader", {})
        root = Path(self.course_root or os.getcwd()).resolve()
        assignment = Assignment(root=root, name=info["assignment"], notebook=info["notebook"])
        data = json.loads(Path(self.result_file).read_text())
        if data.get("student") != info.get("student"):
            raise ValueError(f"result file {self.result_file} is for {data.get('student')!r}, "
                             f"not {info.get('student')!r}")
        if data.get("failure"):
            restore_deleted_test_cells(nb, assignment)
            write_verdicts(nb, score_cells(assignment.test_cells(), [], data["failure"]))
            return nb, resources
        try:
            return nbformat.reads(data["notebooks"][assignment.notebook], as_version=4), resources
        except KeyError:
            raise ValueError(f"result file {self.result_file} has no notebook {assignment.notebook!r}") from None


def replay_pipeline(config: Any, result_file: Path) -> Any:
    """``config`` with :class:`ReplayGrading` in place of the grading step, reading ``result_file``."""
    from nbgrader.converters.autograde import Autograde

    from dl4text.grading.execute import GradingExecute

    steps = config.Autograde.get("autograde_preprocessors") or Autograde.class_traits()[
        "autograde_preprocessors"].default()
    config.Autograde.autograde_preprocessors = [ReplayGrading if step is GradingExecute else step
                                                for step in steps]
    config.ReplayGrading.result_file = str(result_file)
    config.ReplayGrading.course_root = config.GradingExecute.get("course_root", "")
    return config
