"""The grading engine: probes into the student's kernel, hidden graders in their own process.

See ``docs/grading.md``. Grader modules import :class:`Probe`, :func:`grades`,
:class:`Submission`, :class:`StudentError`, :func:`accuracy`, :func:`assert_accuracy` and the
scoring helpers (:func:`scores`, :func:`batch_scores`, :func:`hits`, :func:`notebook_scores`,
:func:`assert_accuracy_of`) from here.

The names are imported on first use: the student's kernel imports
:mod:`dl4text.grading.kernel_side` through this package and must not pay for (or see)
pytest and the graders' side.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {"Probe": "probe", "StudentError": "graders_view", "Submission": "graders_view",
            "accuracy": "evaluate", "assert_accuracy": "evaluate", "assert_accuracy_of": "evaluate",
            "batch_scores": "evaluate", "hits": "evaluate", "notebook_scores": "evaluate", "scores": "evaluate",
            "grades": "markers"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"dl4text.grading.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'dl4text.grading' has no attribute {name!r}")
