"""The summary of a batch: one :class:`Row` per student, whichever way it was graded, and its table."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from dl4text.runners.task import FAILED, GRADED, REFUSED, STOPPED

UNCHANGED = "unchanged"
DUPLICATE = "duplicate"
STATUSES = (GRADED, STOPPED, REFUSED, FAILED, UNCHANGED, DUPLICATE)
NO_SANDBOX = "graded WITHOUT a sandbox (--no-sandbox)"


@dataclass
class Row:
    """One student's line of the summary."""

    student: str
    status: str  # one of STATUSES
    score: float | None = None
    max_score: float | None = None
    lost: list[str] = field(default_factory=list)  # cells that lost points, ``grade_id score/max``
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0  # grading and writing
    grading_s: float = 0.0  # the grading alone
    worker: str = ""
    fences: list[str] = field(default_factory=list)
    sandbox: bool | None = None  # the grade came from a kernel in the sandbox (None: no grading, or unknown)


def format_summary(assignment: str, rows: list[Row]) -> str:
    """A table of every student's score and where points were lost."""
    unboxed = sum(1 for row in rows if row.sandbox is False)
    lines = [f"{assignment}: {len(rows)} submission(s)" + (f", {unboxed} {NO_SANDBOX}" if unboxed else ""),
             f"  {'student':<24} {'score':>12}  {'status':<10} {'time':>6}  points lost"]
    for row in rows:
        score = "-" if row.score is None else f"{row.score:g}/{row.max_score:g}"
        lost = ", ".join(row.lost) or "-"
        lines.append(f"  {row.student:<24} {score:>12}  {row.status:<10} {row.seconds:>5.0f}s  {lost}")
        lines += [f"      note: {note}" for note in row.notes]
    return "\n".join(lines)


def totals(rows: list[Row], seconds: float) -> str:
    """How many were graded, stopped, refused, failed or unchanged, the wall time, the fences used."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    parts = [f"{counts[s]} {s}" for s in STATUSES if s in counts]
    lines = [f"{', '.join(parts) or 'nothing'} in {time.strftime('%H:%M:%S', time.gmtime(seconds))}"]
    fences = sorted({"; ".join(row.fences) for row in rows if row.fences})
    lines += [f"fence: {fence}" for fence in fences]
    return "\n".join(lines)
