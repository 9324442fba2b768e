"""The grading section of `dl4text bench` on the sample course: the kit and nbconvert alternate.

Nothing about speed is asserted: each side's figure is the median of its own runs, every run
is kept in the details, and the warm row graded the notebook fully.
"""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from dl4text.bench import grading
from dl4text.bench.grading import compare, solution_notebooks
from tests.grading.sample_course import make_course


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> list:
    """Three alternations asked for, on a notebook counted as long: two are run."""
    root = make_course(tmp_path_factory.mktemp("course"))
    [notebook] = solution_notebooks(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(grading, "LONG_RUN_S", 0.0)
        return compare(notebook, root, tmp_path_factory.mktemp("work"), fast=True, repeats=3)


def test_the_warm_grading_and_nbconvert_alternate_and_each_side_is_its_median(rows: list) -> None:
    warm, cold = rows
    assert "warm graders, fast" in warm.what and "cold graders, fast" in cold.what
    assert len(warm.details["kit"]["runs_wall_s"]) == 2 and len(cold.details["kit"]["runs_wall_s"]) == 1
    baselines = warm.details["baseline"]["runs_wall_s"]
    assert len(baselines) == 2 and cold.details["baseline"]["runs_wall_s"] == baselines
    assert warm.kit == pytest.approx(statistics.median(warm.details["kit"]["runs_wall_s"]), abs=1e-3)
    assert warm.baseline == pytest.approx(statistics.median(baselines), abs=1e-3) == cold.baseline
    assert warm.ratio == pytest.approx(warm.kit / warm.baseline)
    assert "graded 3/3" in warm.note and "median of 2 run(s) against 2 of nbconvert" in warm.note
    assert warm.details["claim"] != cold.details["claim"]


def test_a_failing_run_gives_no_figure_and_says_why(tmp_path: Path) -> None:
    root = make_course(tmp_path / "course")
    [notebook] = solution_notebooks(root)
    notebook.write_text("{ not a notebook")
    warm, _ = compare(notebook, root, tmp_path / "work", fast=True, repeats=1)
    assert warm.ratio is None and "baseline failed" in warm.note
