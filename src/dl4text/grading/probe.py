"""What a grader asks of the student's kernel: calls, values and models, chosen at grading time."""

from __future__ import annotations

import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}$")
SPEC_FILE = "spec.pkl"


@dataclass(frozen=True)
class ProbeEntry:
    """One request: after the test cell ``grade_id`` ran, call, evaluate or save ``target``."""

    grade_id: str
    key: str
    kind: str  # "call" | "value" | "model"
    target: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


class Probe:
    """The list of requests a grader module's ``probe(rng, fast)`` returns."""

    def __init__(self) -> None:
        self.entries: list[ProbeEntry] = []

    def _add(self, entry: ProbeEntry) -> None:
        if not _KEY.match(entry.key):
            raise ValueError(f"probe key {entry.key!r}: use letters, digits, '_', '.', '-'")
        if any(e.key == entry.key for e in self.entries):
            raise ValueError(f"probe key {entry.key!r} is used twice")
        self.entries.append(entry)

    def call(self, grade_id: str, key: str, function: str, *args: Any, **kwargs: Any) -> None:
        """Call ``function(*args, **kwargs)`` in the kernel and keep its (numeric) result as ``key``."""
        self._add(ProbeEntry(grade_id, key, "call", function, tuple(args), dict(kwargs)))

    def value(self, grade_id: str, key: str, expression: str) -> None:
        """Evaluate ``expression`` in the notebook's namespace and keep it as ``key``."""
        self._add(ProbeEntry(grade_id, key, "value", expression))

    def model(self, grade_id: str, key: str, expression: str) -> None:
        """Save the Keras model that ``expression`` names as ``key.keras``."""
        self._add(ProbeEntry(grade_id, key, "model", expression))

    def grade_ids(self) -> list[str]:
        """The test cells that have requests, in first-request order."""
        return list(dict.fromkeys(e.grade_id for e in self.entries))

    def entry(self, key: str) -> ProbeEntry:
        """Return the request named ``key``."""
        for e in self.entries:
            if e.key == key:
                return e
        raise KeyError(f"the probe has no entry {key!r}")

    def save(self, run_dir: Path) -> Path:
        """Write the requests where the kernel reads them."""
        path = run_dir / SPEC_FILE
        with path.open("wb") as handle:
            pickle.dump(self.entries, handle, protocol=pickle.HIGHEST_PROTOCOL)
        return path

    @classmethod
    def load(cls, run_dir: Path) -> Probe:
        """Read the requests back (the grader side only reads files it wrote itself)."""
        probe = cls()
        with (run_dir / SPEC_FILE).open("rb") as handle:
            probe.entries = pickle.load(handle)
        return probe
