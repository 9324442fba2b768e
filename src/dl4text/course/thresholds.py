"""Accuracy thresholds, from the one config file ``thresholds.toml`` beside this module.

Each entry names a graded accuracy (``"<assignment>.<name>"``) and holds the full-size
threshold, the fast-mode threshold, and the figures each was derived from. Students may
read them: a target helps.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from dl4text.course.mode import is_fast

THRESHOLDS_FILE = Path(__file__).with_name("thresholds.toml")


@cache
def thresholds() -> dict[str, dict[str, Any]]:
    """Return every entry of ``thresholds.toml`` as ``{"a1_dense.final_model": {...}}``."""
    with THRESHOLDS_FILE.open("rb") as handle:
        raw = tomllib.load(handle)
    return {f"{assignment}.{name}": entry
            for assignment, entries in raw.items() for name, entry in entries.items()}


def notes_accuracy(name: str) -> float | None:
    """Return the lecture notes' test accuracy for ``name``, or None where the notes give none."""
    entry = thresholds().get(name, {})
    return float(entry["notes"]) if "notes" in entry else None


def threshold(name: str, *, fast: bool | None = None) -> float:
    """Return the minimum test accuracy for ``name`` (``"a1_dense.final_model"``) in the current mode."""
    table = thresholds()
    if name not in table:
        raise KeyError(f"no threshold named {name!r} in {THRESHOLDS_FILE}; known: {sorted(table)}")
    fast = is_fast() if fast is None else fast
    return float(table[name]["fast" if fast else "full"])
