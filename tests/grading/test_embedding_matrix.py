"""``embedding_matrix``: row rank + index_from holds the word's vector (the course's trap)."""

from __future__ import annotations

import numpy as np
import pytest
from gensim.models import KeyedVectors, Word2Vec

from dl4text.data import get_word_index, load_imdb
from dl4text.embeddings import DimensionMismatchError, VectorsError, load_vectors
from dl4text.grading.matrix import EmbeddingMatrix, embedding_matrix

WORD_INDEX = {"the": 1, "movie": 2, "good": 3, "unknownword": 4, "bad": 5, "plot": 6,
              "rare": 7, "rarer": 5000}


@pytest.fixture
def vectors() -> KeyedVectors:
    rng = np.random.default_rng(0)
    words = ["plot", "bad", "good", "movie", "the", "rare", "rarer", "extra"]
    kv = KeyedVectors(4)
    kv.add_vectors(words, rng.normal(size=(len(words), 4)).astype(np.float32))
    return kv


def test_row_rank_plus_three_holds_the_vector(vectors) -> None:
    matrix, found = embedding_matrix(WORD_INDEX, vectors, num_words=10)
    assert matrix.shape == (10, 4) and matrix.dtype == np.float32
    for word in ("the", "movie", "good", "bad", "plot"):
        np.testing.assert_array_equal(matrix[WORD_INDEX[word] + 3], vectors[word])
    # off by three (matrix[rank]) would put 'the' in row 1: rows 0-2 stay zero
    assert not matrix[:3].any()
    assert not matrix[4 + 3].any(), "a word without a vector keeps a zero row"
    assert found == 5


def test_words_past_num_words_are_left_out(vectors) -> None:
    # 'rare' has id 7 + 3 = 10: inside with num_words=11, outside with num_words=10
    inside = embedding_matrix(WORD_INDEX, vectors, num_words=11)
    np.testing.assert_array_equal(inside.matrix[10], vectors["rare"])
    assert inside.found == 6
    outside = embedding_matrix(WORD_INDEX, vectors, num_words=10)
    assert outside.found == 5 and outside.matrix.shape[0] == 10
    assert not any(np.array_equal(row, vectors["rarer"]) for row in inside.matrix)


def test_index_from_moves_the_rows(vectors) -> None:
    matrix, found = embedding_matrix(WORD_INDEX, vectors, num_words=8, index_from=0)
    np.testing.assert_array_equal(matrix[1], vectors["the"])
    np.testing.assert_array_equal(matrix[7], vectors["rare"])  # rank 7 fits in 8 rows
    assert not matrix[0].any() and not matrix[4].any()  # padding, and 'unknownword'
    assert found == 6


def test_result_unpacks_and_has_names(vectors) -> None:
    result = embedding_matrix(WORD_INDEX, vectors, num_words=10)
    assert isinstance(result, EmbeddingMatrix)
    matrix, found = result
    assert matrix is result.matrix and found == result.found


def test_dimension_mismatch_is_a_clear_error(vectors) -> None:
    assert embedding_matrix(WORD_INDEX, vectors, num_words=10, dim=4).matrix.shape == (10, 4)
    with pytest.raises(DimensionMismatchError, match="dim=300.*4 dimensions") as info:
        embedding_matrix(WORD_INDEX, vectors, num_words=10, dim=300)
    assert isinstance(info.value, VectorsError) and isinstance(info.value, ValueError)


def test_bad_arguments(vectors) -> None:
    with pytest.raises(ValueError, match="num_words"):
        embedding_matrix(WORD_INDEX, vectors, num_words=0)
    with pytest.raises(ValueError, match="ranks start at 1"):
        embedding_matrix({"the": 0}, vectors, num_words=10)


def test_a_word2vec_model_works_too() -> None:
    model = Word2Vec([["good", "movie"], ["bad", "movie"]] * 5, vector_size=6, min_count=1,
                     workers=1, seed=1, epochs=1)
    matrix, found = embedding_matrix({"movie": 1, "good": 2, "bad": 3}, model, num_words=7)
    np.testing.assert_array_equal(matrix[4], model.wv["movie"])
    assert found == 3


def test_glove_matrix_for_the_small_archive(small_imdb, isolated_cache) -> None:
    glove = load_vectors("glove-50")
    word_index = get_word_index(path=small_imdb.path)
    num_words = 30
    matrix, found = embedding_matrix(word_index, glove, num_words=num_words)
    expected = {w for w, r in word_index.items() if r + 3 < num_words and w in glove}
    assert found == len(expected) > 20
    # row k is the vector of the word whose id in the sequences is k
    (x_train, _), _ = load_imdb(path=small_imdb.path, num_words=num_words)
    id_to_word = {r + 3: w for w, r in word_index.items()}
    for word_id in {int(i) for row in x_train for i in row if i >= 3}:
        np.testing.assert_array_equal(matrix[word_id], glove[id_to_word[word_id]])


def test_glove_covers_the_real_vocabulary(real_imdb) -> None:
    glove = load_vectors("glove-50")
    word_index = get_word_index()
    matrix, found = embedding_matrix(word_index, glove, num_words=10_000, dim=50)
    assert 9_500 < found <= 9_997  # ids 3..9999 are words; a few are missing from GloVe
    np.testing.assert_array_equal(matrix[word_index["the"] + 3], glove["the"])
    assert int(np.any(matrix != 0, axis=1).sum()) == found
