"""The performance targets read off a benchmark report (synthetic rows; nothing is timed)."""

from __future__ import annotations

from dl4text.bench.report import BenchReport, Comparison
from dl4text.bench.targets import (
    COLD_LOAD,
    PARALLEL,
    check,
    grading_claim,
    targets_table,
)


def row(section: str, claim: str, baseline: float, kit: float, *, baseline_peak: float = 1000.0,
        baseline_rc: int = 0) -> Comparison:
    c = Comparison(section, claim, "baseline", baseline, kit)
    c.details = {"claim": claim, "baseline": {"maxrss_mb": baseline_peak, "returncode": baseline_rc}}
    return c


def by_target(report: BenchReport) -> dict[str, bool | None]:
    return {c.target: c.met for c in check(report)}


def test_each_target_is_met_or_not_by_its_own_row() -> None:
    report = BenchReport(comparisons=[
        row("grading", grading_claim("a1_dense", fast=False), 100.0, 109.0, baseline_peak=2300.0),
        row("grading", grading_claim("a1_dense", fast=True), 20.0, 23.5),       # 1.175 > 1.15
        row("grading", grading_claim("a1_dense", fast=True, warm=False), 20.0, 21.0),  # cold: not a target
        row("parallel", PARALLEL, 180.0, 100.0),                                 # 1.8x
        row("data", COLD_LOAD, 5.0, 5.2),                                         # 1.04 > 1.0
    ])
    met = by_target(report)
    assert met["grading overhead, a1_dense, full size (kit / nbconvert)"] is True
    assert met["grading overhead, a1_dense, fast mode (kit / nbconvert)"] is False
    assert met["speed-up of --workers 2 over --workers 1"] is True
    assert met["a1_dense solution at full size: its kernel's peak memory (MB)"] is True
    assert met["cold load_imdb against the plain loop (kit / loop)"] is False
    # what the run did not measure says so, rather than passing
    assert met["grading overhead, a2_embeddings, full size (kit / nbconvert)"] is None
    table = targets_table(check(report))
    assert "NOT met" in table and "not measured in this run" in table and "1.80x" in table
    assert "2,300 MB" in table and "at most 2,500" in table and "at least 1.7" in table


def test_a_slow_parallel_run_and_a_heavy_notebook_fail_their_targets() -> None:
    report = BenchReport(comparisons=[
        row("grading", grading_claim("a1_dense", fast=False), 100.0, 120.0, baseline_peak=4900.0),
        row("parallel", PARALLEL, 189.0, 125.0),  # 1.51x, the figure of 2026-11-27
    ])
    met = by_target(report)
    assert met["speed-up of --workers 2 over --workers 1"] is False
    assert met["a1_dense solution at full size: its kernel's peak memory (MB)"] is False
    assert met["grading overhead, a1_dense, full size (kit / nbconvert)"] is False


def test_a_failed_baseline_gives_no_peak_and_rows_without_a_claim_are_not_read() -> None:
    unnamed = Comparison("grading", "dl4text grade a1_dense/a1_dense.ipynb (warm graders)", "nbconvert", 100.0, 101.0)
    failed = row("grading", grading_claim("a1_dense", fast=False), 100.0, 101.0, baseline_rc=1)
    assert by_target(BenchReport(comparisons=[unnamed]))[
        "grading overhead, a1_dense, full size (kit / nbconvert)"] is None
    assert by_target(BenchReport(comparisons=[failed]))[
        "a1_dense solution at full size: its kernel's peak memory (MB)"] is None
