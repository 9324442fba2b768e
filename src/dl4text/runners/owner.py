"""The gradebook's owner: the one process that writes grades, ``autograded/`` and the state.

Workers only send results back; :class:`Owner` writes each with ``nbgrader autograde``
(in this process, :class:`~dl4text.runners.replay.ReplayGrading` in place of the grading step: nothing is executed again, and no
student code runs in this process), from a private copy of the files the worker graded (never
from ``submitted/`` itself, where a link could point anywhere), then records in
``.dl4text/autograde-state.json`` the submission's content hash and what it wrote (each cell's
auto score and their total, and whether the kernel ran in the sandbox). The entry is recorded
only after the write succeeded, and a write is never cut by Ctrl-C, so an interrupted batch
resumes where it stopped: a submission is either written and recorded, or graded again. An
unchanged submission is skipped only while the gradebook still holds what was written. An
flock on ``.dl4text/autograde.lock`` keeps a second owner out.
"""

from __future__ import annotations

import copy
import fcntl
import os
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dl4text.folder import CourseFolder
from dl4text.nbgrader import inprocess
from dl4text.nbgrader.cli import NbgraderError
from dl4text.nbgrader.gradebook import Grades, gradebook, submission_grades
from dl4text.nbgrader.submitted import read_folder
from dl4text.runners.replay import replay_pipeline, write_replay
from dl4text.runners.state import State
from dl4text.runners.summary import DUPLICATE, NO_SANDBOX, UNCHANGED, Row
from dl4text.runners.task import FAILED, REFUSED, STOPPED, TaskResult, write_folder

#: recorded while a submission is being written: matches no hash, so a cut write is redone
WRITING = "writing"
#: why an unchanged submission is graded again all the same
REGRADED_OLD_STATE = "graded by an earlier dl4text, which did not record what it wrote: regraded"
REGRADED_NO_SANDBOX = "graded without a sandbox last time: regraded"
REGRADED_TAMPERED = "the gradebook no longer held what was written: regraded"


class Owner:
    """Writes workers' results into the course at ``root``; use as a context manager."""

    def __init__(self, root: Path, assignment: str, *, sandbox: bool = True) -> None:
        self.root, self.assignment, self.sandbox = root, assignment, sandbox
        self.course = CourseFolder(root)
        self.state = State(root)
        self.written: set[str] = set()
        self._lock: int | None = None
        self._config: Any = None

    def __enter__(self) -> Owner:
        lock_path = self.course.state_dir / "autograde.lock"
        lock_path.parent.mkdir(exist_ok=True)
        self._lock = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock)
            self._lock = None
            raise RuntimeError(f"another dl4text autograde is writing the gradebook of {self.root}") from None
        self._config = inprocess.course_config(self.root, GradingExecute__course_root=str(self.root))
        with gradebook(self.root) as gb:
            gb.update_or_create_assignment(self.assignment)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def key(self, student: str) -> str:
        return f"{self.assignment}/{student}"

    def unchanged(self, student: str, digest: str) -> tuple[bool, str]:
        """(skip it, why not): skip when this very submission was written before and the gradebook
        still holds what was written; otherwise, when it is the same submission, say why it is
        graded again."""
        entry = self.state.entry(self.key(student))
        if entry.get("digest") != digest or not self.course.autograded(student, self.assignment).is_dir():
            return False, ""
        if "auto_scores" not in entry:
            return False, REGRADED_OLD_STATE
        if self.sandbox and entry.get("sandbox") is False:
            return False, REGRADED_NO_SANDBOX
        grades = submission_grades(self.root, self.assignment, student)
        if grades is None or grades.auto_scores != entry["auto_scores"] or \
                grades.auto_total != entry.get("auto_total"):
            return False, REGRADED_TAMPERED
        return True, ""

    def row(self, student: str, status: str, *, notes: list[str] | None = None, grades: Grades | None = None,
            **fields: Any) -> Row:
        """The summary row of ``student``, its points read from the gradebook (or from ``grades``)."""
        if grades is None:
            grades = submission_grades(self.root, self.assignment, student)
        row = Row(student, status, notes=list(notes or []), **fields)
        if grades is not None:
            row.score, row.max_score, row.lost = grades.score, grades.max_score, list(grades.lost)
        if status == UNCHANGED:
            row.sandbox = self.state.entry(self.key(student)).get("sandbox")
        if row.sandbox is False and NO_SANDBOX not in row.notes:
            row.notes.append(NO_SANDBOX)
        return row

    def write(self, result: TaskResult, files: dict[str, bytes] | None = None) -> Row:
        """Write one result (a grade, or a zero with the reason); return its summary row.

        ``files`` are the submission's files as the worker graded them (default: read again
        from ``submitted/``); nbgrader copies them into ``autograded/`` from a private folder,
        never from ``submitted/`` itself.
        """
        started = time.monotonic()
        status, notes, grades, sandbox = result.status, [], None, None
        if result.student in self.written:
            status, notes = DUPLICATE, ["a second result for this student was ignored"]
        elif result.status == FAILED:
            notes.append(result.reason)
        else:
            try:
                grades = self._write(result, files)
                self.written.add(result.student)
                sandbox = self.sandbox if result.status not in (STOPPED, REFUSED) else None
            except NbgraderError as exc:
                status = FAILED
                notes.append(str(exc).splitlines()[0] + " " + _last_line(str(exc)))
            if result.status in (STOPPED, REFUSED):
                notes.append(result.reason)
        return self.row(result.student, status, notes=notes, grades=grades, worker=result.worker,
                        grading_s=result.seconds, fences=list(result.fences), sandbox=sandbox,
                        seconds=round(result.seconds + time.monotonic() - started, 1))

    def _write(self, result: TaskResult, files: dict[str, bytes] | None) -> Grades | None:
        key = self.key(result.student)
        if files is None:
            files = read_folder(self.course.submitted(result.student, self.assignment))
        failure = result.reason if result.status in (STOPPED, REFUSED) else ""
        with tempfile.TemporaryDirectory(prefix="dl4text-replay-") as tmp:
            staged = Path(tmp) / "submitted"
            write_folder(files, staged / result.student / self.assignment)
            replay = write_replay(Path(tmp) / "result.json", result.student, notebooks=result.notebooks,
                                  failure=failure)
            cfg = copy.deepcopy(self._config)
            replay_pipeline(cfg, replay)
            cfg.CourseDirectory.submitted_directory = str(staged)
            with deferred_interrupt():
                self.state.record(key, WRITING)
                inprocess.call(self.root, "autograde", self.assignment, result.student, force=True,
                               create=True, config=cfg)
                grades = submission_grades(self.root, self.assignment, result.student)
                self.state.record(key, result.digest, auto_scores=grades.auto_scores if grades else None,
                                  auto_total=grades.auto_total if grades else None,
                                  sandbox=self.sandbox if not failure else None)
        return grades


@contextmanager
def deferred_interrupt() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) until the block is done, then raise it: no half-written grade.

    A process that inherited SIGINT ignored (started with ``&`` from a script) keeps ignoring it.
    """
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is signal.SIG_IGN):
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            raise KeyboardInterrupt


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if len(lines) > 1 else ""
