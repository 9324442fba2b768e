"""``multi_hot``: the course's ``vectorize_sequences``, vectorised, in float32."""

from __future__ import annotations

import numpy as np
import pytest

from dl4text.data import load_imdb
from dl4text.grading.multihot import multi_hot, multi_hot_batches


def vectorize_sequences(sequences, dimension=10000):
    """The lecture notes' version (a Python loop, float64): the reference."""
    results = np.zeros((len(sequences), dimension))
    for i, sequence in enumerate(sequences):
        results[i, sequence] = 1.0
    return results


def test_rows_mark_the_ids_of_each_sequence() -> None:
    out = multi_hot([[1, 3, 5], [0, 9], [4]], dimension=10)
    assert out.dtype == np.float32 and out.shape == (3, 10)
    expected = np.zeros((3, 10), dtype=np.float32)
    expected[0, [1, 3, 5]] = 1
    expected[1, [0, 9]] = 1  # id 0 and dimension - 1 are inside
    expected[2, 4] = 1
    np.testing.assert_array_equal(out, expected)


def test_repeated_ids_give_one_and_empty_reviews_give_zeros() -> None:
    out = multi_hot([[2, 2, 2, 7], [], [7, 2]], dimension=8)
    assert out[0].tolist() == out[2].tolist() == [0, 0, 1, 0, 0, 0, 0, 1]
    assert not out[1].any()
    assert set(np.unique(out).tolist()) == {0.0, 1.0}


def test_matches_the_notes_on_real_sequences(small_imdb, isolated_cache) -> None:
    (x_train, _), (x_test, _) = load_imdb(path=small_imdb.path, num_words=30)
    for x in (x_train, x_test):  # object arrays of int32 arrays, as load_imdb gives
        np.testing.assert_array_equal(multi_hot(x, dimension=30),
                                      vectorize_sequences(x, dimension=30).astype(np.float32))
    as_lists = [row.tolist() for row in x_train]
    np.testing.assert_array_equal(multi_hot(as_lists, 30), multi_hot(x_train, 30))


def test_empty_input_and_dtype_choice() -> None:
    assert multi_hot([], dimension=5).shape == (0, 5)
    assert multi_hot([[]], dimension=5).tolist() == [[0, 0, 0, 0, 0]]
    assert multi_hot([[1]], dimension=3, dtype=np.uint8).dtype == np.uint8


@pytest.mark.parametrize("bad", [[[0, 10]], [[-1, 2]], [np.array([3, 12], dtype=np.int32)]])
def test_ids_outside_the_dimension_are_a_value_error(bad) -> None:
    with pytest.raises(ValueError, match=r"outside \[0, 10\)"):
        multi_hot(bad, dimension=10)


def test_batches_are_the_matrix_in_slices_of_one_reused_buffer(small_imdb, isolated_cache) -> None:
    (x_train, _), _ = load_imdb(path=small_imdb.path, num_words=30)
    whole = multi_hot(x_train, dimension=30)
    seen, buffers = [], set()
    for batch in multi_hot_batches(x_train, dimension=30, size=7):
        assert batch.dtype == np.float32 and batch.shape[1] == 30 and len(batch) <= 7
        seen.append(batch.copy())  # valid until the next batch is asked for
        buffers.add(batch.__array_interface__["data"][0])
    np.testing.assert_array_equal(np.concatenate(seen), whole)
    assert len(seen) == -(-len(x_train) // 7) and len(buffers) == 1  # one buffer, refilled
    assert list(multi_hot_batches([], dimension=5, size=3)) == []
