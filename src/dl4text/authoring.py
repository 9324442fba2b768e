"""Build and edit nbgrader notebooks in code: for source notebooks and test fixtures."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat import NotebookNode

from dl4text.cells import grade_id_of

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def _meta(grade_id: str, *, grade: bool, solution: bool, locked: bool,
          points: float | None = None, task: bool = False) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": task}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def markdown(text: str) -> NotebookNode:
    """A prose cell (not part of grading)."""
    return nbformat.v4.new_markdown_cell(text.strip("\n"))


def code(source: str) -> NotebookNode:
    """A plain code cell the student may run and edit."""
    return nbformat.v4.new_code_cell(source.strip("\n"))


def solution(grade_id: str, source: str) -> NotebookNode:
    """An nbgrader solution cell: ``### BEGIN SOLUTION`` regions are cleared in the release."""
    cell = nbformat.v4.new_code_cell(source.strip("\n"))
    cell.metadata.update(_meta(grade_id, grade=False, solution=True, locked=False))
    return cell


def tests(grade_id: str, points: float, source: str) -> NotebookNode:
    """An autograded, locked test cell holding the visible tests; the hidden graders score it."""
    cell = nbformat.v4.new_code_cell(source.strip("\n"))
    cell.metadata.update(_meta(grade_id, grade=True, solution=False, locked=True, points=points))
    return cell


def manual(grade_id: str, points: float, prompt: str = "YOUR ANSWER HERE") -> NotebookNode:
    """A manually graded free-text answer cell."""
    cell = nbformat.v4.new_markdown_cell(prompt)
    cell.metadata.update(_meta(grade_id, grade=True, solution=True, locked=False, points=points))
    return cell


RUBRIC_NOTE = "*Graded by hand: your grader marks this answer against a rubric.*"


def rubric_id(answer_id: str) -> str:
    """The grade id of the rubric cell that follows the hand-graded answer ``answer_id``."""
    return f"{answer_id}_rubric"


def rubric(answer_id: str, text: str) -> NotebookNode:
    """The grader's rubric for the hand-graded answer ``answer_id``, to place right after it.

    A locked markdown cell whose ``BEGIN MARK SCHEME`` region (between HTML comments, so that
    it renders without headings) nbgrader's ClearMarkScheme
    removes from the release; autograde's OverwriteCells puts the locked cell's source back
    from the gradebook, so formgrader shows the rubric under the student's answer, and the
    course's feedback clears it again (see :mod:`dl4text.nbgrader.config`).
    """
    cell = nbformat.v4.new_markdown_cell(
        f"{RUBRIC_NOTE}\n\n<!-- BEGIN MARK SCHEME (removed from the release and the feedback) -->\n{text.strip()}\n<!-- END MARK SCHEME -->")
    cell.metadata.update(_meta(rubric_id(answer_id), grade=False, solution=False, locked=True))
    return cell


def notebook(cells: list[NotebookNode]) -> NotebookNode:
    """A notebook with the Python 3 kernel."""
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def write(nb: NotebookNode, path: Path) -> Path:
    """Write ``nb`` to ``path`` (folders created), without outputs."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def cell_by_id(nb: NotebookNode, grade_id: str) -> NotebookNode:
    """The cell whose nbgrader ``grade_id`` is ``grade_id``."""
    for cell in nb.cells:
        if grade_id_of(cell) == grade_id:
            return cell
    raise KeyError(f"no cell with grade_id {grade_id!r}")


def replace_source(nb: NotebookNode, grade_id: str, source: str) -> NotebookNode:
    """Return a copy of ``nb`` with cell ``grade_id`` holding ``source`` (for fixture submissions)."""
    copy = nbformat.reads(nbformat.writes(nb), as_version=4)
    cell_by_id(copy, grade_id).source = source.strip("\n")
    return copy
