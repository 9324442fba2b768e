"""Measurements a grader makes itself, in its own process."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from dl4text.grading.graders_view import StudentError

#: Accuracies measured by :func:`assert_accuracy` in this grading process, reported with the
#: verdicts (``dl4text solutions`` prints them against their thresholds).
MEASURED: list[dict[str, Any]] = []
#: rows a model is asked for at a time
BATCH = 1024


def scores(model: Any, x: np.ndarray, *, what: str = "the model", batch_size: int = BATCH) -> np.ndarray:
    """``model``'s one output per row of ``x`` (float64), checked: one number each, all finite."""
    batches = (x[start:start + batch_size] for start in range(0, len(x), batch_size))
    return batch_scores(model, batches, len(x), what=what)


def batch_scores(model: Any, batches: Iterable[np.ndarray], count: int, *,
                 what: str = "the model", on: str = "the test data") -> np.ndarray:
    """``model``'s outputs for ``batches`` (``count`` rows in all), as :func:`scores` checks them.

    Each batch goes through ``model.predict_on_batch``: ``model.predict`` builds a dataset
    pipeline per call, which took half of a1's grading time (3.3 s against 1.6 s for 25,000
    multi-hot reviews). A batch may be a buffer that the iterator refills for the next one:
    its outputs are copied out before the next is asked for.
    """
    parts = []
    for batch in batches:
        try:
            out = np.array(model.predict_on_batch(batch), dtype=np.float64)
        except Exception as exc:  # noqa: BLE001 - a model that cannot predict is the student's
            raise StudentError(f"{what} cannot predict on {on} ({type(exc).__name__}: "
                               f"{str(exc)[:300]})") from None
        if out.ndim == 0 or out.shape[0] != len(batch):
            raise StudentError(f"{what} gives {out.shape[0] if out.ndim else 1} predictions for "
                               f"{len(batch)} reviews")
        parts.append(out.reshape(len(batch), -1))
    result = np.concatenate(parts) if parts else np.zeros((0, 1))
    if len(result) != count:
        raise StudentError(f"{what} gives {len(result)} predictions for {count} reviews")
    if result.shape[1] != 1:
        raise StudentError(f"{what} outputs {result.shape[1]} numbers per review instead of 1")
    if not np.all(np.isfinite(result)):
        raise StudentError(f"{what}'s predictions contain NaN or infinity")
    return result[:, 0]


def hits(y: np.ndarray, predicted: np.ndarray) -> float:
    """Binary accuracy of ``predicted`` scores against labels ``y``: above 0.5 counts as positive."""
    return float(np.mean((np.asarray(predicted) > 0.5).astype(np.int64) == np.asarray(y)))


def notebook_scores(real_scores: np.ndarray | Callable[[], np.ndarray],
                    real_labels: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """A model's scores and the labels on the test split the graded notebook received.

    ``real_scores`` are the model's scores on the real test split of ``course.load_imdb()``
    (in its order), or a function that returns them (called only where they serve), and
    ``real_labels`` that split's labels. Under a grading view the notebook got the same reviews
    in a secret order with shuffled labels (:func:`dl4text.course.kernel_test_order`): the
    scores are reordered, not predicted again. None where the notebook got reviews that the
    real split's ``len(real_labels)`` reviews do not cover (the fast mode's cut comes after the
    secret order): score :func:`dl4text.course.notebook_test_set` then.
    """
    from dl4text import config, course

    seed = config.label_seed()
    if seed is None:
        return _values(real_scores), real_labels
    positions, labels = course.kernel_test_order(seed)
    if positions.max(initial=-1) >= len(real_labels):
        return None
    return _values(real_scores)[positions], labels


def _values(scores: np.ndarray | Callable[[], np.ndarray]) -> np.ndarray:
    return np.asarray(scores() if callable(scores) else scores)


def accuracy(model: Any, x: np.ndarray, y: np.ndarray, batch_size: int = BATCH) -> float:
    """Binary accuracy of ``model`` on ``(x, y)``: predictions above 0.5 count as positive."""
    return hits(y, scores(model, x, batch_size=batch_size))


def assert_accuracy(name: str, model: Any, x: np.ndarray, y: np.ndarray, *,
                    fast: bool | None = None, measured_on: str = "") -> float:
    """Measure ``model``'s test accuracy here and fail unless it reaches threshold ``name``.

    ``name`` is an entry of ``thresholds.toml`` (``"a1_dense.final_model"``); the
    measurement is recorded for reports whether or not it passes. ``measured_on`` tells the
    student what input the grader built (e.g. "the first 500 words, padded before the review").
    """
    return assert_accuracy_of(name, scores(model, x), y, fast=fast, measured_on=measured_on)


def assert_accuracy_of(name: str, predicted: np.ndarray, y: np.ndarray, *,
                       fast: bool | None = None, measured_on: str = "") -> float:
    """:func:`assert_accuracy` for scores the grader computed already (e.g. with :func:`batch_scores`)."""
    from dl4text.course.thresholds import notes_accuracy, threshold

    target = threshold(name, fast=fast)
    measured = hits(y, predicted)
    MEASURED.append({"name": name, "accuracy": round(measured, 4), "threshold": target,
                     "notes": notes_accuracy(name), "reviews": int(len(y))})
    where = f" ({measured_on})" if measured_on else ""
    assert measured >= target, (f"test accuracy {measured:.4f} on {len(y)} test reviews{where}, "
                                f"measured by the grader, is below the target {target:.3f}")
    return measured
