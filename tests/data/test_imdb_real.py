"""The real archive (DL4TEXT_IMDB): the figures of the course. Skipped when it is not set."""

from __future__ import annotations

import numpy as np
import pytest

from dl4text import config
from dl4text.data import get_word_index, load_imdb


@pytest.fixture(scope="module")
def real_data(real_imdb_path, real_cache):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(config.IMDB_ENV, str(real_imdb_path))
        patch.setenv(config.CACHE_ENV, str(real_cache))
        return load_imdb(num_words=10000), get_word_index()


def test_sizes_and_balanced_labels(real_data) -> None:
    ((x_train, y_train), (x_test, y_test)), _ = real_data
    assert len(x_train) == len(y_train) == 25_000
    assert len(x_test) == len(y_test) == 25_000
    for y in (y_train, y_test):
        assert np.bincount(y).tolist() == [12_500, 12_500]


def test_num_words_keeps_ids_below_it(real_data) -> None:
    ((x_train, _), (x_test, _)), _ = real_data
    for x in (x_train, x_test):
        flat = np.concatenate(list(x))
        assert flat.min() == 1 and flat.max() == 9_999
        assert all(row[0] == 1 for row in x[:100])
    lengths = np.array([len(row) for row in x_train])
    assert 200 < lengths.mean() < 300  # reviews average about 230 words


def test_word_index_has_the_at_rank_one(real_data) -> None:
    _, word_index = real_data
    assert word_index["the"] == 1
    assert {"and", "a", "of", "to"} <= {w for w, r in word_index.items() if r <= 6}
    assert len(word_index) > 70_000
    assert sorted(word_index.values())[:3] == [1, 2, 3]
    # <br /> tags are not words: 'br' is a rare word ("BR", a TV channel), not a top one
    assert word_index.get("br", 10**9) > 10_000
