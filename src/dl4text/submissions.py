"""The class's submissions in nbgrader's ``submitted/`` folder: listing, checking, hashing."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import nbformat

from dl4text.course.thresholds import THRESHOLDS_FILE

UNREADABLE_NOTE = """**This notebook could not be read when it was graded** ({reason}).
It was graded as the untouched release notebook; your original file is kept beside it as
`{name}.unreadable`. Ask your instructor if you think this is wrong."""


def students(root: Path, assignment: str) -> list[str]:
    """Students with a submission of ``assignment`` in ``submitted/``."""
    base = root / "submitted"
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / assignment).is_dir())


def submission_hash(root: Path, student: str, assignment: str, *, fast: bool) -> str:
    """A hash of everything that decides a grade: the submission, the source, the graders."""
    digest = hashlib.sha256(f"fast={fast}\n".encode())
    folders = [root / "submitted" / student / assignment, root / "source" / assignment]
    files = [p for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()]
    files += [root / "grader_tests" / f"test_{assignment}.py", THRESHOLDS_FILE]
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(root) if path.is_relative_to(root) else path.name).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def repair_unreadable(root: Path, student: str, assignment: str, notebooks: list[str]) -> list[str]:
    """Replace each unreadable or missing notebook with the release's, with a note; keep the original.

    nbgrader drops a submission whose notebook it cannot read (no grade at all); this keeps
    a zero grade and a reason instead. Returns what was repaired, in words.
    """
    repaired = []
    folder = root / "submitted" / student / assignment
    for name in notebooks:
        path = folder / f"{name}.ipynb"
        release = root / "release" / assignment / f"{name}.ipynb"
        if path.is_file():
            try:
                nbformat.validate(nbformat.read(path, as_version=4))
                continue
            except Exception as exc:  # noqa: BLE001 - any unreadable notebook is repaired
                reason = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
            shutil.move(path, path.with_name(path.name + ".unreadable"))
        else:
            reason = "the notebook was not submitted"
        nb = nbformat.read(release, as_version=4)
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(
            UNREADABLE_NOTE.format(reason=reason, name=path.name)))
        nbformat.write(nb, path)
        repaired.append(f"{student}/{assignment}/{name}.ipynb: {reason}")
    return repaired


class State:
    """What was graded last time, per student and assignment (``.dl4text/autograde-state.json``)."""

    def __init__(self, root: Path) -> None:
        self.path = root / ".dl4text" / "autograde-state.json"
        try:
            self.data: dict[str, str] = json.loads(self.path.read_text())
        except (OSError, ValueError):
            self.data = {}

    def unchanged(self, key: str, digest: str) -> bool:
        return self.data.get(key) == digest

    def record(self, key: str, digest: str) -> None:
        """Remember ``digest`` for ``key`` (written at once, atomically)."""
        self.data[key] = digest
        self.path.parent.mkdir(exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1))
        tmp.replace(self.path)

    def forget(self, key: str) -> None:
        self.data.pop(key, None)
