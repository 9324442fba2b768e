"""The fast mode: a reduced course for tests and demos (``DL4TEXT_FAST=1``)."""

from __future__ import annotations

from dl4text import config

FAST_TRAIN_REVIEWS = 5000
FAST_TEST_REVIEWS = 5000


def is_fast() -> bool:
    """True in the fast mode (``DL4TEXT_FAST=1``)."""
    return config.fast_mode()


def epochs(full: int, fast: int | None = None) -> int:
    """Return ``full`` epochs, or ``fast`` (default: a quarter of ``full``, at least 1) in the fast mode."""
    if not is_fast():
        return full
    return fast if fast is not None else max(1, full // 4)
