"""Points that add up: a cell's shares sum to its points, and a solution scores its maximum exactly."""

from __future__ import annotations

import itertools

from dl4text.grading.judge import score_cells, shares


def test_shares_add_up_to_the_points_exactly() -> None:
    for points, count in itertools.product([1, 2, 3, 4, 5, 15], range(1, 10)):
        got = shares(float(points), [1.0] * count)
        # exact to the 6 decimals every total is rounded to (binary floats of 1e-4 steps carry noise)
        assert round(sum(got), 6) == points, (points, count, got)
        assert max(got) - min(got) < 1e-3


def test_weights_share_in_proportion_and_negative_weights_count_as_zero() -> None:
    assert shares(3.0, [1.0, 2.0]) == [1.0, 2.0]
    assert shares(2.0, [-1.0, 1.0]) == [0.0, 2.0]
    assert shares(2.0, [0.0, 0.0]) == [1.0, 1.0]


def test_a_cell_whose_checks_all_pass_scores_its_points_and_the_json_shares_add_up() -> None:
    raw = [{"grade_id": "test_small_data", "name": f"check_{i}", "weight": 1.0, "passed": True, "reason": ""}
           for i in range(3)]
    [verdict] = score_cells({"test_small_data": 2.0}, raw)
    assert verdict.score == 2.0
    assert round(sum(check.score for check in verdict.checks), 6) == 2.0
    raw[1]["passed"] = False
    [partial] = score_cells({"test_small_data": 2.0}, raw)
    assert partial.score == round(2.0 - partial.checks[1].max_score, 4) < 2.0
