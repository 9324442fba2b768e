"""The IMDB dataset with the contract of ``keras.datasets.imdb``, read from the real archive.

``load_imdb`` returns what ``keras.datasets.imdb.load_data`` returns, argument for
argument, without a network: id sequences where 0 is padding, ``start_char`` starts a
review, ``oov_char`` marks a word outside the vocabulary and a word of rank ``r`` (1 =
most frequent in the training reviews, see :func:`get_word_index`) has id
``r + index_from``.

When ``DL4TEXT_CORPUS`` names an encoded corpus file (the grading view, see
:mod:`dl4text.grading.data_view`), :func:`load_imdb` and :func:`get_word_index` read it
instead of the archive (unless a ``path`` is given), and the raw reviews
(:func:`load_texts`, :func:`load_unsup`) are not available.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from dl4text import config
from dl4text.data.archive import read_reviews
from dl4text.data.corpus import UNKNOWN, EncodedCorpus, EncodedSplit, load_corpus, read_corpus_file
from dl4text.data.errors import DataError
from dl4text.data.source import locate_imdb

PathLike = str | os.PathLike[str] | None


def load_imdb(
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
    *,
    path: PathLike = None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load the IMDB reviews as id sequences: ``(x_train, y_train), (x_test, y_test)``.

    Args mean what they mean in ``keras.datasets.imdb.load_data``: keep ids below
    ``num_words``, map ids below ``skip_top`` or outside the vocabulary to ``oov_char``
    (or drop them when it is None), keep only reviews shorter than ``maxlen``, shuffle
    each split with ``numpy.random.RandomState(seed)``. ``path`` overrides where the data
    is read from (see :func:`dl4text.data.source.locate_imdb`); without it, the corpus file
    named by ``DL4TEXT_CORPUS`` is read when that variable is set.

    Returns 1-D object arrays whose items are int32 id arrays (Keras gives lists of int;
    ``len``, indexing, ``pad_sequences`` and fancy indexing treat both alike), and int64
    label arrays (1 = positive).
    """
    return from_corpus(_corpus(path), num_words=num_words, skip_top=skip_top, maxlen=maxlen,
                       seed=seed, start_char=start_char, oov_char=oov_char, index_from=index_from)


def _corpus(path: PathLike) -> EncodedCorpus:
    """The encoded corpus of ``path``, of ``DL4TEXT_CORPUS``, or of the usual source."""
    file = config.corpus_file() if path is None else None
    if file is not None:
        return read_corpus_file(file)
    return load_corpus(locate_imdb(path))


def from_corpus(
    corpus: EncodedCorpus,
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """What :func:`load_imdb` returns for ``corpus`` (same arguments, same shuffle)."""
    orders = list(split_orders(len(corpus.train), len(corpus.test), seed))

    shifted = [_shift(split, start_char, index_from) for split in (corpus.train, corpus.test)]
    if maxlen:
        orders = [order[(offsets[1:] - offsets[:-1])[order] < maxlen]
                  for order, (_, offsets) in zip(orders, shifted, strict=True)]
        if not all(len(order) for order in orders):
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, "
                             "no sequence was kept. Increase maxlen.")
    if not num_words:
        num_words = 1 + max(int(_kept_max(values, offsets, order))
                            for (values, offsets), order in zip(shifted, orders, strict=True))
    result = []
    for split, (values, offsets), order in zip((corpus.train, corpus.test), shifted, orders,
                                               strict=True):
        keep = (values >= skip_top) & (values < num_words)
        if oov_char is not None:
            values = np.where(keep, values, oov_char)
        else:
            row = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
            values = values[keep]
            offsets = np.concatenate([[0], np.cumsum(np.bincount(row[keep], minlength=len(offsets) - 1))])
        result.append((_rows(values, offsets, order), split.labels[order].astype(np.int64)))
    return result[0], result[1]


def split_orders(n_train: int, n_test: int, seed: int = 113) -> tuple[np.ndarray, np.ndarray]:
    """The orders :func:`load_imdb` shuffles the two splits into, before ``maxlen`` filters them.

    Position ``p`` of the returned training split holds the corpus's training review
    ``orders[0][p]``; the same for the test split with ``orders[1]``. Keras's shuffle:
    ``numpy.random.RandomState(seed)``, training indices first.
    """
    rng = np.random.RandomState(seed)
    orders = []
    for n in (n_train, n_test):
        indices = np.arange(n)
        rng.shuffle(indices)
        orders.append(indices)
    return orders[0], orders[1]


def _shift(split: EncodedSplit, start_char: int | None, index_from: int) -> tuple[np.ndarray, np.ndarray]:
    """Ranks to ids: add ``index_from``, mark unknown words -1, prepend ``start_char``."""
    values = np.where(split.flat == UNKNOWN, -1, split.flat.astype(np.int64) + index_from)
    offsets = split.offsets
    if start_char is not None:
        values = np.insert(values, offsets[:-1], start_char)
        offsets = offsets + np.arange(len(offsets))
    return values, offsets


def _kept_max(values: np.ndarray, offsets: np.ndarray, order: np.ndarray) -> int:
    if len(order) == len(offsets) - 1:
        return int(values.max(initial=0))
    mask = np.zeros(len(offsets) - 1, dtype=bool)
    mask[order] = True
    row_mask = np.repeat(mask, np.diff(offsets))
    return int(values[row_mask].max(initial=0))


def _rows(values: np.ndarray, offsets: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Cut ``values`` into int32 rows (views of one array), in ``order``, as an object array."""
    values = values.astype(np.int32)
    starts, ends = offsets[:-1].tolist(), offsets[1:].tolist()
    out = np.empty(len(order), dtype=object)
    for position, i in enumerate(order.tolist()):
        out[position] = values[starts[i]:ends[i]]
    return out


def get_word_index(*, path: PathLike = None) -> dict[str, int]:
    """Return word -> rank (1 = most frequent word in the training reviews).

    As in Keras, a word's id in the sequences of :func:`load_imdb` is
    ``rank + index_from`` (3 by default), not its rank.
    """
    corpus = _corpus(path)
    return {word: rank for rank, word in enumerate(corpus.vocabulary, start=1)}


def load_texts(split: str = "train", *, path: PathLike = None) -> tuple[list[str], np.ndarray]:
    """Return the raw reviews of ``split`` ('train' or 'test') and their labels, unshuffled."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    _no_raw_reviews(path, "load_texts")
    reviews = read_reviews(Path(locate_imdb(path)), (split,))[split]
    return [r.text for r in reviews], np.array([r.label for r in reviews], dtype=np.int64)


def load_unsup(*, path: PathLike = None) -> list[str]:
    """Return the 50,000 unlabelled reviews (``train/unsup``), e.g. for training word vectors."""
    _no_raw_reviews(path, "load_unsup")
    return [r.text for r in read_reviews(Path(locate_imdb(path)), ("unsup",))["unsup"]]


def _no_raw_reviews(path: PathLike, what: str) -> None:
    """Under ``DL4TEXT_CORPUS`` (grading) there is no archive: say so instead of looking for one."""
    if path is None and config.corpus_file() is not None:
        raise DataError(
            f"{what}: the raw IMDB reviews are not available while grading (the notebook gets "
            f"the encoded corpus only, {config.CORPUS_ENV} is set). Use course.load_imdb() and "
            "get_word_index(), or vectors cached before grading.")
