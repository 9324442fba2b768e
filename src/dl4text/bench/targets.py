"""The kit's performance targets, read off one benchmark run.

Each target names the row of the run it is read from by that row's ``details["claim"]``
(set where the row is measured), so a renamed row cannot silently drop out of the check:
a target whose row is missing says "not measured in this run". The targets:

* grading overhead (``dl4text grade`` with warm graders against ``jupyter nbconvert
  --execute`` of the same solution notebook): at most 1.10 at full size and 1.15 in the fast
  mode, for each assignment;
* the speed-up of ``dl4text autograde --workers 2`` over ``--workers 1``: at least 1.7;
* the peak memory of the ``a1_dense`` solution notebook's kernel at full size: at most 2.5 GB;
* the cold load of the data against a plain loop over the extracted files: at most 1.0.

Nothing fails on them: the report prints whether each was met, and the JSON keeps it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from dl4text.bench.report import BenchReport, Comparison, markdown_table

#: ``details["claim"]`` of the rows the targets read
COLD_LOAD = "cold-load"
PARALLEL = "parallel-speedup"
ASSIGNMENTS = ("a1_dense", "a2_embeddings", "a3_recurrent")
FULL_OVERHEAD, FAST_OVERHEAD = 1.10, 1.15
MIN_SPEEDUP = 1.7
A1_PEAK_MB = 2500.0
MAX_COLD_LOAD = 1.0


def grading_claim(assignment: str, *, fast: bool, warm: bool = True) -> str:
    """The claim name of a grading row: ``grading-overhead/a1_dense/full/warm``."""
    return f"grading-overhead/{assignment}/{'fast' if fast else 'full'}/{'warm' if warm else 'cold'}"


@dataclass
class TargetCheck:
    """One target against this run: what was measured, the limit, and whether it was met."""

    target: str
    measured: float | None
    limit: float
    at_most: bool  # True: the measured figure must not exceed the limit; False: must reach it
    shown: str = "-"

    @property
    def met(self) -> bool | None:
        """True or False, None when the run did not measure it."""
        if self.measured is None:
            return None
        return self.measured <= self.limit if self.at_most else self.measured >= self.limit

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "met": self.met}


def _row(report: BenchReport, claim: str) -> Comparison | None:
    return next((c for c in report.comparisons if c.details.get("claim") == claim), None)


def _read(report: BenchReport, claim: str, value: Callable[[Comparison], float | None]) -> float | None:
    row = _row(report, claim)
    return None if row is None else value(row)


def _speedup(row: Comparison) -> float | None:
    r = row.ratio
    return None if r is None or r <= 0 else 1 / r


def _baseline_peak(row: Comparison) -> float | None:
    """The peak memory of the nbconvert run: the notebook's kernel (reaped by nbconvert)."""
    baseline = row.details.get("baseline") or {}
    if baseline.get("returncode") != 0:
        return None
    return baseline.get("maxrss_mb")


def check(report: BenchReport) -> list[TargetCheck]:
    """Every target, read off ``report`` (a target the run did not measure has ``met`` None)."""
    checks = []
    for assignment in ASSIGNMENTS:
        for fast, limit in ((False, FULL_OVERHEAD), (True, FAST_OVERHEAD)):
            mode = "fast mode" if fast else "full size"
            measured = _read(report, grading_claim(assignment, fast=fast), lambda c: c.ratio)
            checks.append(TargetCheck(f"grading overhead, {assignment}, {mode} (kit / nbconvert)",
                                      measured, limit, at_most=True,
                                      shown="-" if measured is None else f"{measured:.2f}"))
    speedup = _read(report, PARALLEL, _speedup)
    checks.append(TargetCheck("speed-up of --workers 2 over --workers 1", speedup, MIN_SPEEDUP, at_most=False,
                              shown="-" if speedup is None else f"{speedup:.2f}x"))
    peak = _read(report, grading_claim("a1_dense", fast=False), _baseline_peak)
    checks.append(TargetCheck("a1_dense solution at full size: its kernel's peak memory (MB)", peak,
                              A1_PEAK_MB, at_most=True, shown="-" if peak is None else f"{peak:,.0f} MB"))
    cold = _read(report, COLD_LOAD, lambda c: c.ratio)
    checks.append(TargetCheck("cold load_imdb against the plain loop (kit / loop)", cold, MAX_COLD_LOAD,
                              at_most=True, shown="-" if cold is None else f"{cold:.2f}"))
    return checks


def targets_table(checks: list[TargetCheck]) -> str:
    """The targets as a table: measured, limit, met / NOT met / not measured in this run."""
    rows = []
    for c in checks:
        limit = f"{'at most' if c.at_most else 'at least'} {c.limit:,g}"
        verdict = {True: "met", False: "NOT met", None: "not measured in this run"}[c.met]
        rows.append([c.target, c.shown, limit, verdict])
    return markdown_table(["target", "this run", "limit", "verdict"], rows)
