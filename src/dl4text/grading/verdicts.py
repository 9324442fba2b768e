"""Writing the graders' verdicts into the graded notebook, where nbgrader reads the points.

Every autograded test cell's outputs are replaced by its verdict: a report on stdout, then
the points as the cell's ``execute_result`` (nbgrader's partial credit). Test cells the
student deleted are put back first, so their points are recorded (as zero when nothing ran).
"""

from __future__ import annotations

import nbformat

from dl4text.cells import grade_id_of, is_autograded_test
from dl4text.grading.assignment import Assignment
from dl4text.grading.judge import CellVerdict


def restore_deleted_test_cells(nb: nbformat.NotebookNode, assignment: Assignment) -> None:
    """Put back autograded test cells the student deleted, so their points are recorded.

    Each goes back after the cell that precedes it in the source notebook (or at the end).
    """
    source = nbformat.read(assignment.source_notebook, as_version=4)
    present = {grade_id_of(c) for c in nb.cells}
    for position, cell in enumerate(source.cells):
        grade_id = grade_id_of(cell)
        if grade_id is None or grade_id in present or not is_autograded_test(cell):
            continue
        restored = nbformat.from_dict(dict(cell))
        restored.outputs, restored.execution_count = [], None
        index = len(nb.cells)
        for previous in reversed(source.cells[:position]):
            prev_id = grade_id_of(previous)
            matches = [i for i, c in enumerate(nb.cells) if prev_id and grade_id_of(c) == prev_id]
            if matches:
                index = matches[0] + 1
                break
        nb.cells.insert(index, restored)
        present.add(grade_id)


def write_verdicts(nb: nbformat.NotebookNode, verdicts: list[CellVerdict]) -> None:
    """Replace each autograded test cell's outputs with its verdict (report, then points)."""
    by_id = {v.grade_id: v for v in verdicts}
    for cell in nb.cells:
        if not is_autograded_test(cell):
            continue
        grade_id = grade_id_of(cell)
        verdict = by_id.get(grade_id)
        if verdict is None:  # a test cell the source does not have
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                   text="This cell is not graded.\n"),
                            nbformat.v4.new_output("execute_result", data={"text/plain": "0"},
                                                   execution_count=cell.get("execution_count"))]
            continue
        cell.outputs = [
            nbformat.v4.new_output("stream", name="stdout", text=verdict.report()),
            nbformat.v4.new_output("execute_result", data={"text/plain": repr(float(verdict.score))},
                                   execution_count=cell.get("execution_count")),
        ]
