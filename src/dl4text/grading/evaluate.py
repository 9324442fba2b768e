"""Measurements a grader makes itself, in its own process."""

from __future__ import annotations

from typing import Any

import numpy as np

from dl4text.grading.graders_view import StudentError

#: Accuracies measured by :func:`assert_accuracy` in this grading process, reported with the
#: verdicts (``dl4text solutions`` prints them against their thresholds).
MEASURED: list[dict[str, Any]] = []


def accuracy(model: Any, x: np.ndarray, y: np.ndarray, batch_size: int = 1024) -> float:
    """Binary accuracy of ``model`` on ``(x, y)``: predictions above 0.5 count as positive."""
    try:
        scores = np.asarray(model.predict(x, batch_size=batch_size, verbose=0))
    except Exception as exc:  # noqa: BLE001 - a model that cannot predict is the student's
        raise StudentError(f"the model cannot predict on the test data ({type(exc).__name__}: "
                           f"{str(exc)[:300]})") from None
    if scores.shape[0] != len(y):
        raise StudentError(f"the model gives {scores.shape[0]} predictions for {len(y)} reviews")
    scores = scores.reshape(len(y), -1)
    if scores.shape[1] != 1:
        raise StudentError(f"the model outputs {scores.shape[1]} numbers per review instead of 1")
    if not np.all(np.isfinite(scores)):
        raise StudentError("the model's predictions contain NaN or infinity")
    return float(np.mean((scores[:, 0] > 0.5).astype(np.int64) == np.asarray(y)))


def assert_accuracy(name: str, model: Any, x: np.ndarray, y: np.ndarray, *,
                    fast: bool | None = None, measured_on: str = "") -> float:
    """Measure ``model``'s test accuracy here and fail unless it reaches threshold ``name``.

    ``name`` is an entry of ``thresholds.toml`` (``"a1_dense.final_model"``); the
    measurement is recorded for reports whether or not it passes. ``measured_on`` tells the
    student what input the grader built (e.g. "the first 500 words, padded before the review").
    """
    from dl4text.course.thresholds import notes_accuracy, threshold

    target = threshold(name, fast=fast)
    measured = accuracy(model, x, y)
    MEASURED.append({"name": name, "accuracy": round(measured, 4), "threshold": target,
                     "notes": notes_accuracy(name), "reviews": int(len(y))})
    where = f" ({measured_on})" if measured_on else ""
    assert measured >= target, (f"test accuracy {measured:.4f} on {len(y)} test reviews{where}, "
                                f"measured by the grader, is below the target {target:.3f}")
    return measured
