"""What a grader asks of the student's kernel: calls, values and models, chosen at grading time."""

from __future__ import annotations

import pickle
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dl4text.grading.runfolder import SPEC_FILE

if TYPE_CHECKING:
    from dl4text.grading.runfolder import RunFolder

_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,100}$")


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
            raise ValueError(f"probe key {entry.key!r}: use letters, digits, '_', '-'")
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

    def save(self, run: RunFolder) -> None:
        """Write the probe for the graders (private) and its requests, as plain data, for the kernel."""
        with (run.private / SPEC_FILE).open("wb") as handle:
            pickle.dump(self.entries, handle, protocol=pickle.HIGHEST_PROTOCOL)
        with run.requests.open("wb") as handle:
            pickle.dump([asdict(e) for e in self.entries], handle, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, private: Path) -> Probe:
        """Read the probe back from the run's private folder, which the kernel never sees."""
        probe = cls()
        with (private / SPEC_FILE).open("rb") as handle:
            probe.entries = pickle.load(handle)
        return probe
