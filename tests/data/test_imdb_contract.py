"""``load_imdb`` and ``get_word_index`` keep the contract of ``keras.datasets.imdb``.

Checked on the small archive, against expectations computed from its clean words, and
against a transcription of Keras's own post-processing.
"""

from __future__ import annotations

import numpy as np
import pytest

from dl4text.data import get_word_index, load_imdb

UNKNOWN_RANK = 10**9  # a test-only word, for the Keras reference: never under num_words


def keras_load_data(small, num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1,
                    oov_char=2, index_from=3):
    """``keras.datasets.imdb.load_data`` from its ``np.load`` on, as in keras 3.15.

    Transcribed from keras/src/datasets/imdb.py (and python_utils.remove_long_seq), fed
    with the ranks Keras's imdb.npz would hold for the small archive.
    """
    def ranks(docs):
        out = np.empty(len(docs), dtype=object)
        out[:] = [[small.word_index.get(w, UNKNOWN_RANK) for w in d.words] for d in docs]
        return out

    x_train, labels_train = ranks(small.train), np.array([d.label for d in small.train])
    x_test, labels_test = ranks(small.test), np.array([d.label for d in small.test])

    rng = np.random.RandomState(seed)
    indices = np.arange(len(x_train))
    rng.shuffle(indices)
    x_train = x_train[indices]
    labels_train = labels_train[indices]
    indices = np.arange(len(x_test))
    rng.shuffle(indices)
    x_test = x_test[indices]
    labels_test = labels_test[indices]

    if start_char is not None:
        x_train = [[start_char] + [w + index_from for w in x] for x in x_train]
        x_test = [[start_char] + [w + index_from for w in x] for x in x_test]
    elif index_from:
        x_train = [[w + index_from for w in x] for x in x_train]
        x_test = [[w + index_from for w in x] for x in x_test]
    else:
        x_train = [list(x) for x in x_train]
        x_test = [list(x) for x in x_test]

    def remove_long_seq(maxlen, seq, label):
        new_seq, new_label = [], []
        for x, y in zip(seq, label, strict=True):
            if len(x) < maxlen:
                new_seq.append(x)
                new_label.append(y)
        return new_seq, new_label

    if maxlen:
        x_train, labels_train = remove_long_seq(maxlen, x_train, labels_train)
        x_test, labels_test = remove_long_seq(maxlen, x_test, labels_test)
    xs = x_train + x_test
    labels = np.concatenate([labels_train, labels_test])
    assert num_words, "Keras's num_words=None keeps max(id) - 1: compared separately"
    if oov_char is not None:
        xs = [[w if (skip_top <= w < num_words) else oov_char for w in x] for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < num_words] for x in xs]
    idx = len(x_train)
    return (xs[:idx], labels[:idx]), (xs[idx:], labels[idx:])


def as_lists(x: np.ndarray) -> list[list[int]]:
    return [list(map(int, row)) for row in x]


@pytest.fixture
def load(small_imdb, isolated_cache):
    def load(**kwargs):
        return load_imdb(path=small_imdb.path, **kwargs)
    return load


@pytest.mark.parametrize("kwargs", [
    {"num_words": 20},
    {"num_words": 1000},
    {"num_words": 12, "skip_top": 6},
    {"num_words": 30, "maxlen": 15},
    {"num_words": 25, "oov_char": None},
    {"num_words": 25, "oov_char": None, "skip_top": 4, "maxlen": 20},
    {"num_words": 40, "seed": 0},
    {"num_words": 40, "start_char": None},
    {"num_words": 40, "start_char": None, "index_from": 0},
    {"num_words": 40, "start_char": 3, "oov_char": 4, "index_from": 5},
], ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()))
def test_matches_keras_load_data(load, small_imdb, kwargs) -> None:
    (x_train, y_train), (x_test, y_test) = load(**kwargs)
    (k_train, ky_train), (k_test, ky_test) = keras_load_data(small_imdb, **kwargs)
    assert as_lists(x_train) == k_train
    assert as_lists(x_test) == k_test
    np.testing.assert_array_equal(y_train, ky_train)
    np.testing.assert_array_equal(y_test, ky_test)


def test_types_follow_keras(load, small_imdb) -> None:
    (x_train, y_train), (x_test, y_test) = load(num_words=20)
    for x, y, docs in ((x_train, y_train, small_imdb.train), (x_test, y_test, small_imdb.test)):
        assert x.dtype == object and x.ndim == 1 and len(x) == len(docs)
        assert all(isinstance(row, np.ndarray) and row.dtype == np.int32 for row in x)
        assert np.issubdtype(y.dtype, np.integer) and set(y.tolist()) == {0, 1}
        assert len(y) == len(x)


def test_ids_are_rank_plus_index_from(load, small_imdb) -> None:
    (x_train, y_train), (x_test, _) = load(seed=5, num_words=1000)
    expected = {tuple([1] + small_imdb.ids(d)): d.label for d in small_imdb.train}
    assert {tuple(row.tolist()) for row in x_train} == set(expected)
    # 'the' (rank 1) is id 4, never id 1: 1 is start_char.
    the = small_imdb.word_index["the"] + 3
    assert the == 4 and any(the in row for row in x_train)
    # every review starts with start_char, and only there
    assert all(row[0] == 1 and 1 not in row[1:] for row in x_train)
    assert all(row[0] == 1 for row in x_test)


def test_labels_follow_their_reviews(load, small_imdb) -> None:
    label_of = {tuple([1] + small_imdb.ids(d)): d.label for d in small_imdb.train}
    (x_train, y_train), _ = load(num_words=1000, seed=7)
    assert [label_of[tuple(row.tolist())] for row in x_train] == y_train.tolist()
    assert y_train.sum() == sum(d.label for d in small_imdb.train)


def test_seed_shuffles_deterministically(load) -> None:
    (a, ya), (ta, tya) = load(num_words=50, seed=1)
    (b, yb), (tb, tyb) = load(num_words=50, seed=1)
    (c, yc), _ = load(num_words=50, seed=2)
    assert as_lists(a) == as_lists(b) and as_lists(ta) == as_lists(tb)
    assert ya.tolist() == yb.tolist() and tya.tolist() == tyb.tolist()
    assert as_lists(a) != as_lists(c), "another seed, another order"
    assert sorted(map(tuple, as_lists(a))) == sorted(map(tuple, as_lists(c)))
    # shuffled: neither the archive's order (all neg first) nor sorted by label
    assert ya.tolist() != sorted(ya.tolist())


def test_num_words_makes_rarer_words_oov(load, small_imdb) -> None:
    num_words = 10
    (x_train, _), (x_test, _) = load(num_words=num_words, seed=3)
    rows = {tuple([1] + small_imdb.ids(d)): d for d in small_imdb.train}
    for row in x_train:
        assert row.max() < num_words
    full = load(num_words=1000, seed=3)[0][0]
    for cut, whole in zip(x_train, full, strict=True):
        assert tuple(whole.tolist()) in rows
        expected = [w if w < num_words else 2 for w in whole.tolist()]
        assert cut.tolist() == expected
    assert any(2 in row for row in x_train)


def test_test_only_word_is_oov_even_without_num_words(load, small_imdb) -> None:
    (x_train, _), (x_test, _) = load()  # num_words=None keeps every training word
    assert not any(2 in row for row in x_train)
    with_word = [d for d in small_imdb.test if "zyzzyva" in d.words]
    assert with_word
    expected = {tuple([1] + [i if i >= 0 else 2 for i in small_imdb.ids(d)])
                for d in small_imdb.test}
    assert {tuple(row.tolist()) for row in x_test} == expected
    assert sum(2 in row for row in x_test) == len(with_word)
    # the largest id is the last word of the vocabulary, kept
    assert max(row.max() for row in x_train) == len(small_imdb.word_index) + 3


def test_oov_char_none_drops_words(load, small_imdb) -> None:
    (x_train, _), (x_test, _) = load(num_words=10, oov_char=None, seed=0)
    (f_train, _), (f_test, _) = load(num_words=10_000, seed=0)
    for cut, whole in zip(list(x_train) + list(x_test), list(f_train) + list(f_test),
                          strict=True):
        assert cut.tolist() == [w for w in whole.tolist() if 0 <= w < 10 and w != 2]


def test_skip_top_marks_the_most_frequent_ids(load) -> None:
    (x_train, _), _ = load(num_words=1000, skip_top=6, seed=0)
    (f_train, _), _ = load(num_words=1000, seed=0)
    for cut, whole in zip(x_train, f_train, strict=True):
        # Keras compares ids, start_char included, with skip_top.
        assert cut.tolist() == [w if w >= 6 else 2 for w in whole.tolist()]
    assert not any(np.isin(row, [1, 3, 4, 5]).any() for row in x_train)


def test_maxlen_keeps_sequences_shorter_than_maxlen(load, small_imdb) -> None:
    lengths = sorted(len(d.words) + 1 for d in small_imdb.train)  # + start_char
    maxlen = lengths[len(lengths) // 2]
    (x_train, y_train), (x_test, _) = load(num_words=1000, maxlen=maxlen)
    assert all(len(row) < maxlen for row in x_train)
    assert len(x_train) == sum(n < maxlen for n in lengths) and len(y_train) == len(x_train)
    assert len(x_test) == sum(len(d.words) + 1 < maxlen for d in small_imdb.test)
    with pytest.raises(ValueError, match="maxlen"):
        load(maxlen=1)


def test_empty_review_is_just_the_start_mark(load, small_imdb) -> None:
    assert any(not d.words for d in small_imdb.train)
    (x_train, _), _ = load(num_words=1000)
    assert sum(row.tolist() == [1] for row in x_train) == 1
    (x_train, _), _ = load(num_words=1000, start_char=None)
    assert sum(len(row) == 0 for row in x_train) == 1


def test_word_index_ranks_by_frequency_then_alphabet(small_imdb, isolated_cache) -> None:
    index = get_word_index(path=small_imdb.path)
    assert index == small_imdb.word_index
    assert sorted(index.values()) == list(range(1, len(index) + 1))
    counts = small_imdb.counts
    ranked = sorted(index, key=index.get)
    for first, second in zip(ranked, ranked[1:], strict=False):
        assert (counts[first], second) > (counts[second], first)
    # a tie: "zebra" is met first in the archive, "apple" still ranks first
    assert counts["apple"] == counts["zebra"] and index["apple"] < index["zebra"]
    # only words of the training reviews, with no tag or punctuation debris
    assert "zyzzyva" not in index and "unlabelledword" not in index
    assert not {"br", "i", ""} & set(index)
    assert {"don't", "it's", "rock'n'roll", "90s"} <= set(index)
