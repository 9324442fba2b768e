"""The IMDB data at the course's size: all of it, or the first reviews in the fast mode."""

from __future__ import annotations

from typing import Any

import numpy as np

from dl4text import config, data
from dl4text.course.mode import FAST_TEST_REVIEWS, FAST_TRAIN_REVIEWS, is_fast
from dl4text.data.vocabulary import VOCABULARY_SIZE

Split = tuple[np.ndarray, np.ndarray]


def load_imdb(num_words: int | None = VOCABULARY_SIZE, *, fast: bool | None = None,
              **kwargs: Any) -> tuple[Split, Split]:
    """:func:`dl4text.data.load_imdb`, cut to the first 5,000 reviews of each split in the fast mode.

    The cut comes after the shuffle, so both halves stay close to balanced. ``fast``: the mode
    (default: ``DL4TEXT_FAST``).
    """
    train, test = data.load_imdb(num_words=num_words, **kwargs)
    return _cut(train, FAST_TRAIN_REVIEWS, fast), _cut(test, FAST_TEST_REVIEWS, fast)


def _cut(split: Split, size: int, fast: bool | None = None) -> Split:
    x, y = split
    return (x[:size], y[:size]) if (is_fast() if fast is None else fast) else (x, y)


def kernel_test_set(label_seed: int, num_words: int | None = VOCABULARY_SIZE, **kwargs: Any) -> Split:
    """The test split that :func:`load_imdb` returned in a kernel graded under the view of ``label_seed``.

    For the graders (the trusted side): read from the real data, whatever ``DL4TEXT_CORPUS``
    says. The reviews are the real test reviews in the order the kernel got them; the labels
    are the shuffled ones it got (see :mod:`dl4text.grading.data_view`). Same arguments, same
    fast-mode cut as :func:`load_imdb`.
    """
    from dl4text.data.corpus import load_corpus
    from dl4text.data.imdb import from_corpus
    from dl4text.data.shuffled import view_corpus
    from dl4text.data.source import locate_imdb

    corpus = view_corpus(load_corpus(locate_imdb()), label_seed)
    _, test = from_corpus(corpus, num_words=num_words, **kwargs)
    return _cut(test, FAST_TEST_REVIEWS)


def kernel_test_order(label_seed: int) -> Split:
    """``(positions, labels)``: where a graded kernel's test reviews lie in the real test split.

    For a kernel graded under the view of ``label_seed``, position ``p`` of the test split its
    ``load_imdb()`` returned (default ``seed``, no ``maxlen``; the fast-mode cut applied)
    holds the review at position ``positions[p]`` of the real test split of ``load_imdb()`` at
    full size, and the label ``labels[p]``. Graders that scored a model on the real test split
    reorder those scores instead of predicting the same reviews again. No review is decoded.
    """
    from dl4text.data.corpus import load_corpus
    from dl4text.data.imdb import split_orders
    from dl4text.data.shuffled import view_permutations
    from dl4text.data.source import locate_imdb

    corpus = load_corpus(locate_imdb())
    _, order = split_orders(len(corpus.train), len(corpus.test))
    rows, labels = view_permutations(len(corpus.test), label_seed)
    where = np.empty_like(order)
    where[order] = np.arange(len(order))
    return _cut((where[rows[order]], corpus.test.labels[labels[order]].astype(np.int64)), FAST_TEST_REVIEWS)


def kernel_test_labels(label_seed: int, **kwargs: Any) -> np.ndarray:
    """``y_test`` as ``load_imdb()`` returned it in a kernel graded under the view of ``label_seed``."""
    return kernel_test_set(label_seed, **kwargs)[1]


def notebook_test_set(num_words: int | None = VOCABULARY_SIZE, **kwargs: Any) -> Split:
    """The test split the graded notebook's ``load_imdb`` returned, to check what it reports.

    Under a grading view (``DL4TEXT_LABEL_SEED`` set for the graders), the kernel's reviews
    and shuffled labels (:func:`kernel_test_set`); otherwise the real test split. Measure
    a model's *score* with the real test split, never with this one.
    """
    seed = config.label_seed()
    if seed is None:
        return load_imdb(num_words=num_words, **kwargs)[1]
    return kernel_test_set(seed, num_words=num_words, **kwargs)
