"""nbgrader's cell metadata, read in one place (after nbgrader's own ``utils.is_grade`` and friends)."""

from __future__ import annotations

from typing import Any


def nbgrader_meta(cell: Any) -> dict:
    """The cell's ``metadata.nbgrader`` dict (empty when it has none)."""
    meta = cell.get("metadata", {}) if hasattr(cell, "get") else {}
    value = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    return value if isinstance(value, dict) else {}


def grade_id_of(cell: Any) -> str | None:
    """The cell's nbgrader ``grade_id``, or None."""
    grade_id = nbgrader_meta(cell).get("grade_id")
    return grade_id if isinstance(grade_id, str) else None


def is_solution(cell: Any) -> bool:
    """True for a cell the student writes (nbgrader ``solution``)."""
    return bool(nbgrader_meta(cell).get("solution"))


def is_autograded_test(cell: Any) -> bool:
    """True for a cell nbgrader autogrades: a grade cell of code that is not a solution."""
    meta = nbgrader_meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")
