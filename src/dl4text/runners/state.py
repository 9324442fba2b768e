"""The owner's record of what it wrote: ``.dl4text/autograde-state.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dl4text.folder import CourseFolder


class State:
    """What was written last time, per student and assignment (``.dl4text/autograde-state.json``).

    Each entry: the submission's content hash and what the gradebook's owner wrote for it
    (every cell's auto score, their total, whether it was graded in the sandbox). An entry
    of an earlier kit is the hash alone.
    """

    def __init__(self, root: Path) -> None:
        self.path = CourseFolder(root).state_dir / "autograde-state.json"
        try:
            self.data: dict[str, Any] = json.loads(self.path.read_text())
        except (OSError, ValueError):
            self.data = {}
        if not isinstance(self.data, dict):
            self.data = {}

    def entry(self, key: str) -> dict[str, Any]:
        """The entry of ``key`` as a dict (``{}`` when there is none)."""
        value = self.data.get(key)
        if isinstance(value, str):
            return {"digest": value}
        return value if isinstance(value, dict) else {}

    def unchanged(self, key: str, digest: str) -> bool:
        """True when the recorded hash of ``key`` is ``digest``."""
        return self.entry(key).get("digest") == digest

    def record(self, key: str, digest: str, **written: Any) -> None:
        """Remember ``digest`` (and what was ``written``) for ``key``, at once and atomically."""
        self.data[key] = {"digest": digest, **written}
        self.path.parent.mkdir(exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1))
        tmp.replace(self.path)

    def forget(self, key: str) -> None:
        self.data.pop(key, None)
