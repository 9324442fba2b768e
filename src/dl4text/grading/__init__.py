"""The grading engine: probes into the student's kernel, hidden graders in their own process.

See ``docs/grading.md``. Grader modules import :class:`Probe`, :func:`grades`,
:class:`Submission`, :class:`StudentError`, :func:`accuracy` and :func:`assert_accuracy` from here.
"""

from dl4text.grading.evaluate import accuracy, assert_accuracy
from dl4text.grading.markers import grades
from dl4text.grading.probe import Probe
from dl4text.grading.submission import StudentError, Submission

__all__ = ["Probe", "StudentError", "Submission", "accuracy", "assert_accuracy", "grades"]
