"""The grader module's probe, made in a thread while the kernel runs its first cells.

Drawing a probe can take a while (a2's builds gensim ``KeyedVectors``: 1.2 s, most of it
importing gensim); the kernel needs none of it before its first test cell. :class:`PendingProbe`
loads the graders and draws the probe in a thread that the execution starts once the kernel
is up (:meth:`PendingProbe.start`): begun earlier, it took the grading process's interpreter
from the work that starts the kernel (writing the data view took 0.83 s beside it instead of
0.35 s). The execution asks for the probe (and waits, if it must) when it reaches a test cell;
asked for before it was started, it is drawn then.
"""

from __future__ import annotations

import logging
import secrets
import threading

import numpy as np

from dl4text.grading.assignment import Assignment
from dl4text.grading.probe import Probe
from dl4text.grading.runfolder import RunFolder

log = logging.getLogger(__name__)


class PendingProbe:
    """``assignment``'s probe for this grading, drawn and saved into ``run`` in a thread."""

    def __init__(self, assignment: Assignment, *, fast: bool, run: RunFolder,
                 logger: logging.Logger | logging.LoggerAdapter = log) -> None:
        self._assignment, self._fast, self._run, self._log = assignment, fast, run, logger
        self._probe = Probe()
        self.failure: str | None = None  # why the graders cannot grade (set once the probe is ready)
        self._thread = threading.Thread(target=self._make, name="dl4text-probe", daemon=True)
        self._lock = threading.Lock()

    def start(self) -> None:
        """Begin drawing the probe in its thread (again: nothing)."""
        with self._lock:
            if self._thread.ident is None:
                self._thread.start()

    def _make(self) -> None:
        try:
            graders = self._assignment.load_graders()
            rng = np.random.default_rng(secrets.randbits(64))
            self._probe = graders.probe(rng, self._fast) if hasattr(graders, "probe") else Probe()
        except Exception as exc:  # noqa: BLE001 - report, grade zero, keep the batch going
            self._log.error("graders of %s could not be loaded: %s", self._assignment.name, exc)
            self._probe = Probe()
            self.failure = f"the graders could not be loaded ({exc}); tell your instructor"
        try:
            self._probe.save(self._run)
        except OSError as exc:  # the kernel's probe cells then find no requests: nothing is graded
            self._log.error("the probe of %s could not be saved: %s", self._assignment.name, exc)
            self._probe = Probe()
            self.failure = self.failure or f"the graders' probe could not be saved ({exc}); tell your instructor"

    def __call__(self) -> Probe:
        """The probe, once drawn and saved (waits for the thread)."""
        self.wait()
        return self._probe

    def wait(self) -> None:
        """Wait until the probe is drawn and saved (or failed); start it first if need be."""
        self.start()
        self._thread.join()
