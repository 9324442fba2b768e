"""The marker that ties a hidden grader to an autograded test cell."""

from __future__ import annotations

import pytest


def grades(grade_id: str, points: float = 1.0) -> pytest.MarkDecorator:
    """Mark a grader as one check of the test cell ``grade_id``, weighing ``points`` in it."""
    if points <= 0:
        raise ValueError("points must be positive")
    return pytest.mark.dl4text_grades(grade_id=grade_id, points=float(points))
