"""The test split shuffled in secret: its reviews reordered and its labels permuted, by a seed.

The grading view (:mod:`dl4text.grading.data_view`) gives the student's kernel this corpus;
the graders rebuild it from the same seed (:func:`dl4text.course.kernel_test_set`).
"""

from __future__ import annotations

import numpy as np

from dl4text.data.corpus import EncodedCorpus, EncodedSplit


def view_corpus(corpus: EncodedCorpus, label_seed: int) -> EncodedCorpus:
    """``corpus`` with its test reviews reordered and their labels permuted, by ``label_seed``.

    Position ``p`` of the view's test split holds the real test review ``rows[p]`` and the
    label of the real review ``labels[p]``, where ``rows`` and then ``labels`` are drawn
    with ``np.random.default_rng(label_seed).permutation``. The training split is shared.
    """
    rows, labels = view_permutations(len(corpus.test), label_seed)
    test = _reorder(corpus.test, rows, corpus.test.labels[labels])
    return EncodedCorpus(train=corpus.train, test=test, vocabulary=corpus.vocabulary)


def view_permutations(n: int, label_seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``(rows, labels)``: how :func:`view_corpus` reorders ``n`` test reviews and their labels."""
    rng = np.random.default_rng(check_seed(label_seed))
    rows = rng.permutation(n)
    labels = rng.permutation(n)
    return rows, labels


def _reorder(split: EncodedSplit, rows: np.ndarray, labels: np.ndarray) -> EncodedSplit:
    """The rows ``rows`` of ``split``, in that order, with ``labels``."""
    lengths = np.diff(split.offsets)[rows]
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    index = np.repeat(split.offsets[:-1][rows] - offsets[:-1], lengths)
    index += np.arange(offsets[-1], dtype=np.int64)
    return EncodedSplit(flat=split.flat[index], offsets=offsets, labels=np.asarray(labels))


def check_seed(label_seed: int) -> int:
    """``label_seed`` as an int, checked to be a non-negative integer."""
    if isinstance(label_seed, bool) or not isinstance(label_seed, int | np.integer) or label_seed < 0:
        raise ValueError(f"label_seed must be a non-negative int, not {label_seed!r}")
    return int(label_seed)
