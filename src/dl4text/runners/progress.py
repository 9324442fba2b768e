"""How a batch shows it is going on: a bar (on Dask), or a line per submission (in this process)."""

from __future__ import annotations

import sys
from typing import Any

from dl4text.runners.task import FAILED, REFUSED, STOPPED, GradingTask


class Progress:
    """tqdm over finished submissions; ``advance(row)`` after each one is written."""

    def __init__(self, total: int, label: str) -> None:
        from tqdm import tqdm

        self.total, self.done, self.failed = total, 0, 0
        self.bar = tqdm(total=total, desc=label, unit="submission", file=sys.stderr, dynamic_ncols=True)
        self._postfix()

    def starting(self, task: GradingTask) -> None:
        """Nothing to say: on Dask every task starts at once."""

    def advance(self, row: Any) -> None:
        """Count one finished submission; print a line for one that failed or was stopped."""
        if row.status in (FAILED, STOPPED, REFUSED):
            self.failed += 1
            self.bar.write(f"  {row.student}: {row.status}: {'; '.join(row.notes)[:300]}", file=sys.stderr)
        else:
            self.done += 1
        self._postfix()
        self.bar.update(1)

    def _postfix(self) -> None:
        self.bar.set_postfix_str(f"done={self.done} failed={self.failed} "
                                 f"remaining={self.total - self.done - self.failed}", refresh=False)

    def close(self) -> None:
        self.bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Lines:
    """``[i/n] grading STUDENT ...`` on stdout as each grading starts (one at a time)."""

    def __init__(self, total: int) -> None:
        self.total, self.started = total, 0

    def starting(self, task: GradingTask) -> None:
        self.started += 1
        print(f"[{self.started}/{self.total}] grading {task.student} ...", flush=True)

    def advance(self, row: Any) -> None:
        """The summary says how it went."""

    def close(self) -> None:
        pass

    def __enter__(self) -> Lines:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
