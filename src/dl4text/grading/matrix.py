"""The pretrained embedding matrix for a Keras ``Embedding`` layer, aligned with the ids.

The kit's own answer to an exercise of assignment 2, for the graders and the benchmark: it is not
part of the student's package (:mod:`dl4text.kitparts`), so neither the handout nor a
graded kernel can import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
from gensim.models import KeyedVectors

from dl4text.data.vocabulary import VOCABULARY_SIZE
from dl4text.embeddings.errors import DimensionMismatchError


class EmbeddingMatrix(NamedTuple):
    """``matrix``: float32 ``(num_words, d)`` weights; ``found``: rows filled from the vectors.

    Unpacks as ``matrix, found = embedding_matrix(...)``.
    """

    matrix: np.ndarray
    found: int


def embedding_matrix(word_index: Mapping[str, int], vectors: KeyedVectors,
                     num_words: int = VOCABULARY_SIZE, index_from: int = 3, *,
                     dim: int | None = None) -> EmbeddingMatrix:
    """Build the ``(num_words, d)`` float32 weights of an ``Embedding(num_words, d)`` layer.

    ``word_index`` maps a word to its rank (1 = most frequent), as
    :func:`dl4text.data.get_word_index` and ``keras.datasets.imdb.get_word_index`` do.
    In the sequences of ``load_imdb``/``load_data`` that word has id ``rank + index_from``
    (ids 0, 1, 2 are padding, start and out-of-vocabulary), so its vector goes to row
    ``rank + index_from``. Filling ``matrix[rank]``, as the lecture notes do, puts every
    vector three rows away from its word: the network then sees the vector of another word.

    Rows below ``index_from`` and rows of words without a vector stay zero; words whose id
    is ``num_words`` or more are left out, as ``load_imdb(num_words=...)`` leaves them out.
    ``found`` counts the rows filled. ``dim``, when given, must equal the vectors'
    dimension (:class:`DimensionMismatchError` otherwise), e.g. to guard a model built
    for 300-d vectors against 50-d ones.
    """
    kv = getattr(vectors, "wv", vectors)  # a whole Word2Vec model works too
    size = int(kv.vector_size)
    if dim is not None and dim != size:
        raise DimensionMismatchError(
            f"Dimension mismatch: dim={dim} was asked for, but the word vectors have "
            f"{size} dimensions. Build the Embedding layer with output_dim={size}, or load "
            f"{dim}-d vectors.")
    if num_words < 1:
        raise ValueError(f"num_words must be at least 1, not {num_words}")
    if index_from < 0:
        raise ValueError(f"index_from must be 0 or more, not {index_from}")
    rows: list[int] = []
    sources: list[int] = []
    lookup = kv.key_to_index
    for word, rank in word_index.items():
        row = rank + index_from
        if row >= num_words:
            continue
        if rank < 1:
            raise ValueError(f"word_index gives {word!r} the rank {rank}: ranks start at 1")
        source = lookup.get(word)
        if source is not None:
            rows.append(row)
            sources.append(source)
    matrix = np.zeros((num_words, size), dtype=np.float32)
    matrix[rows] = kv.vectors[sources]
    return EmbeddingMatrix(matrix, len(rows))
