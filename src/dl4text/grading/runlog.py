"""The record of one notebook's execution, written by the grading side only."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from dl4text.grading.runfolder import LOG_FILE


@dataclass
class ExecutionLog:
    """Which test cells were probed, and why execution stopped if it did."""

    probed: list[str] = field(default_factory=list)
    timed_out_cells: list[int] = field(default_factory=list)
    stopped_at_cell: int | None = None
    stop_reason: str | None = None
    seconds: float = 0.0

    @property
    def stopped(self) -> bool:
        """True once the kernel died or was stopped."""
        return self.stop_reason is not None

    def stop(self, cell_index: int, reason: str) -> None:
        """Record that execution ended at ``cell_index`` for ``reason`` (the first reason wins)."""
        if self.stop_reason is None:
            self.stopped_at_cell, self.stop_reason = cell_index, reason

    def why_not_probed(self, grade_id: str, target: str) -> str:
        """A sentence for the student on why nothing came back for ``target``."""
        if self.stop_reason is not None and grade_id not in self.probed:
            where = f" at cell {self.stopped_at_cell + 1}" if self.stopped_at_cell is not None else ""
            return f"the notebook stopped{where} before '{target}' could be checked: {self.stop_reason}"
        return f"nothing was produced for '{target}'"

    def save(self, run_dir: Path) -> None:
        """Write the log into ``run_dir``."""
        (Path(run_dir) / LOG_FILE).write_text(json.dumps(asdict(self)))

    @classmethod
    def load(cls, run_dir: Path) -> ExecutionLog:
        """Read the log from ``run_dir`` (an empty log if there is none)."""
        path = Path(run_dir) / LOG_FILE
        if not path.is_file():
            return cls()
        return cls(**json.loads(path.read_text()))
