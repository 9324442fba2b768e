"""The graders' own measurements: scores batch by batch, checked, and accuracy against thresholds."""

from __future__ import annotations

import numpy as np
import pytest

from dl4text.grading import StudentError
from dl4text.grading.evaluate import MEASURED, accuracy, assert_accuracy_of, batch_scores, hits, scores
from dl4text.grading.multihot import multi_hot_batches

keras = pytest.importorskip("keras")


def dense(outputs: int = 1, inputs: int = 12) -> keras.Model:
    keras.utils.set_random_seed(3)
    return keras.Sequential([keras.Input(shape=(inputs,)), keras.layers.Dense(4, activation="relu"),
                             keras.layers.Dense(outputs, activation="sigmoid")])


def test_scores_are_the_models_predictions_batch_by_batch() -> None:
    model = dense()
    x = np.random.default_rng(0).normal(size=(50, 12)).astype(np.float32)
    want = model.predict(x, verbose=0)[:, 0]
    for size in (7, 50, 64):
        got = scores(model, x, batch_size=size)
        assert got.shape == (50,) and got.dtype == np.float64
        np.testing.assert_allclose(got, want, rtol=1e-6)
    assert hits(np.ones(50), got) == float(np.mean(want > 0.5))
    assert accuracy(model, x, (want > 0.5).astype(int)) == 1.0


def test_multi_hot_batches_score_as_the_whole_matrix() -> None:
    model = dense(inputs=30)
    reviews = [np.random.default_rng(i).integers(0, 30, size=i % 9) for i in range(23)]
    whole = np.zeros((23, 30), dtype=np.float32)
    for i, review in enumerate(reviews):
        whole[i, review] = 1
    got = batch_scores(model, multi_hot_batches(reviews, 30, size=5), len(reviews))
    np.testing.assert_allclose(got, model.predict(whole, verbose=0)[:, 0], rtol=1e-6)


@pytest.mark.parametrize(("model", "x", "reason"), [
    (lambda: dense(outputs=2), np.zeros((5, 12), np.float32), "outputs 2 numbers per review instead of 1"),
    (lambda: dense(), np.zeros((5, 7), np.float32), "cannot predict on the test data"),
])
def test_a_model_that_does_not_give_one_score_per_review_is_the_students_error(model, x, reason) -> None:
    with pytest.raises(StudentError, match=reason):
        scores(model(), x)


def test_nan_predictions_and_missing_rows_are_the_students_error() -> None:
    model = dense()
    model.layers[-1].kernel.assign(np.full((4, 1), np.nan, dtype=np.float32))
    with pytest.raises(StudentError, match="NaN or infinity"):
        scores(model, np.ones((3, 12), np.float32))
    with pytest.raises(StudentError, match="gives 3 predictions for 4 reviews"):
        batch_scores(dense(), [np.ones((3, 12), np.float32)], 4)


def test_assert_accuracy_of_records_and_fails_below_the_threshold() -> None:
    MEASURED.clear()
    y = np.array([1, 0, 1, 0])
    assert assert_accuracy_of("a1_dense.final_model", np.array([0.9, 0.1, 0.8, 0.2]), y, fast=False) == 1.0
    with pytest.raises(AssertionError, match="test accuracy 0.5000 on 4 test reviews"):
        assert_accuracy_of("a1_dense.final_model", np.array([0.9, 0.9, 0.8, 0.8]), y, fast=False)
    assert [m["accuracy"] for m in MEASURED] == [1.0, 0.5]
    MEASURED.clear()
