"""What travels between the gradebook's owner and a Dask worker (all of it picklable bytes).

* :class:`CoursePack`, once per batch: a scratch course for the assignment (source, hidden
  graders, ``nbgrader_config.py``, a gradebook with the assignment's cells and nothing else)
  and the owner's ``thresholds.toml``;
* :class:`GradingTask`, one per submission: the student's submitted files (regular files only,
  read without following a link: :func:`dl4text.nbgrader.submitted.read_folder`) and the limits;
* :class:`TaskResult`, back: the autograded notebooks (test cells hold the verdicts), or
  why the submission was stopped, or why it could not be graded.

No path of the owner's machine travels: workers need no shared filesystem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

#: the submission was graded: ``notebooks`` hold the result
GRADED = "graded"
#: the fence stopped the grading (time, memory, a crashed worker): a zero grade with ``reason``
STOPPED = "stopped"
#: the submission could not be graded (nbgrader or the worker failed): nothing is recorded
FAILED = "FAILED"
#: the submission is not graded at all (its folder is a link...): a zero grade with ``reason``
REFUSED = "refused"


@dataclass(frozen=True)
class Limits:
    """The fence of one submission's grading (see :mod:`dl4text.runners.fence`)."""

    wall_s: float = 6000.0
    memory_mb: int = 14336
    fenced: bool = True
    #: the kernel in GradingExecute's sandbox (False: ``--GradingExecute.sandbox=False``, ``--no-sandbox``)
    sandbox: bool = True


@dataclass(frozen=True)
class CoursePack:
    """The assignment's grading material, sent once to every worker."""

    assignment: str
    notebooks: tuple[str, ...]
    files: dict[str, bytes]
    thresholds: bytes
    fast: bool
    threads_by_host: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class GradingTask:
    """One submission: its files (relative to ``submitted/<student>/<assignment>/``) and limits."""

    student: str
    digest: str
    files: dict[str, bytes]
    limits: Limits
    skipped: tuple[str, ...] = ()  # files of the submission left out, as ``name: why``


@dataclass
class TaskResult:
    """What a worker sends back for one submission; never an exception."""

    student: str
    digest: str
    status: str
    notebooks: dict[str, str] = field(default_factory=dict)  # name -> autograded notebook JSON
    scores: dict[str, float] = field(default_factory=dict)  # grade_id -> points, for the log
    reason: str = ""
    seconds: float = 0.0
    fences: list[str] = field(default_factory=list)
    worker: str = ""


def read_folder(folder: Path, skipped: list[str] | None = None) -> dict[str, bytes]:
    """Every regular file under ``folder``, by POSIX relative path (see :func:`dl4text.nbgrader.submitted.read_folder`)."""
    from dl4text.nbgrader.submitted import read_folder as read

    return read(folder, skipped)


def write_folder(files: dict[str, bytes], folder: Path) -> None:
    """Write ``files`` under ``folder``; refuse names that would leave it."""
    for name, data in files.items():
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts:
            raise ValueError(f"refusing to write {name!r} outside {folder}")
        path = folder.joinpath(*relative.parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
