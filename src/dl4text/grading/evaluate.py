"""Measurements a grader makes itself, in its own process."""

from __future__ import annotations

from typing import Any

import numpy as np

from dl4text.grading.submission import StudentError


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
