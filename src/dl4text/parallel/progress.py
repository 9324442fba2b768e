"""A progress bar for a batch: done, failed, remaining, and the estimated time left."""

from __future__ import annotations

import sys
from typing import Any

from dl4text.parallel.task import FAILED, STOPPED


class Progress:
    """tqdm over finished submissions; ``advance(row)`` after each one is written."""

    def __init__(self, total: int, label: str) -> None:
        from tqdm import tqdm

        self.total, self.done, self.failed = total, 0, 0
        self.bar = tqdm(total=total, desc=label, unit="submission", file=sys.stderr, dynamic_ncols=True)
        self._postfix()

    def advance(self, row: dict[str, Any]) -> None:
        """Count one finished submission; print a line for one that failed or was stopped."""
        if row["status"] in (FAILED, STOPPED):
            self.failed += 1
            self.bar.write(f"  {row['student']}: {row['status']}: {'; '.join(row['notes'])[:300]}",
                           file=sys.stderr)
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
