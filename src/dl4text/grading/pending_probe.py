"""The grader module's probe, made in a thread while the kernel starts.

Drawing a probe can take a while (a2's builds gensim ``KeyedVectors``: 1.2 s, most of it
importing gensim); the kernel needs none of it before its first test cell. :class:`PendingProbe`
loads the graders and draws the probe beside the kernel's start and first cells; the
execution asks for it (and waits, if it must) when it reaches a test cell.
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
        """Wait until the probe is drawn and saved (or failed)."""
        self._thread.join()
