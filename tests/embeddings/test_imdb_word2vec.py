"""Word2Vec trained on the IMDB reviews: trained once, cached by data and parameters."""

from __future__ import annotations

import numpy as np
import pytest

from dl4text.embeddings import VectorsError, load_vectors, train_imdb_word2vec
from dl4text.embeddings.imdb_word2vec import DEFAULTS, cache_path

TINY = {"vector_size": 8, "min_count": 1, "epochs": 2, "workers": 1, "window": 3}


def cache_files(cache):
    return sorted(cache.glob("imdb-word2vec-*"))


def test_trains_on_unlabelled_and_training_reviews(small_imdb, isolated_cache) -> None:
    kv = load_vectors("imdb-word2vec", imdb_path=small_imdb.path, **TINY)
    assert kv.vector_size == 8 and kv.vectors.dtype == np.float32
    expected = {w for d in small_imdb.train + small_imdb.unsup for w in d.words}
    assert set(kv.index_to_key) == expected  # min_count=1: every word, and only those
    assert "unlabelledword" in kv and "zyzzyva" not in kv  # test reviews are not used
    assert np.isfinite(kv.vectors).all() and np.abs(kv.vectors).sum() > 0


def test_second_call_reads_the_cache(small_imdb, isolated_cache) -> None:
    first = load_vectors("imdb-word2vec", imdb_path=small_imdb.path, **TINY)
    [cached] = cache_files(isolated_cache)
    assert cached == cache_path(small_imdb.path, **TINY)
    stamp = cached.stat().st_mtime_ns
    second = load_vectors("imdb-word2vec", imdb_path=small_imdb.path, **{**TINY, "workers": 2})
    assert cached.stat().st_mtime_ns == stamp, "read from the cache, not trained and rewritten"
    assert cache_files(isolated_cache) == [cached]  # workers is not part of the key
    assert second.index_to_key == first.index_to_key
    np.testing.assert_array_equal(second.vectors, first.vectors)
    # other parameters: another model, another file
    other = load_vectors("imdb-word2vec", imdb_path=small_imdb.path, **{**TINY, "vector_size": 5})
    assert other.vector_size == 5 and len(cache_files(isolated_cache)) == 2


def test_data_source_comes_from_the_environment(small_imdb, isolated_cache, monkeypatch) -> None:
    monkeypatch.setenv("DL4TEXT_IMDB", str(small_imdb.path))
    kv = load_vectors("imdb-word2vec", limit=5, **TINY)
    assert len(kv) == 5 and cache_files(isolated_cache)


@pytest.mark.parametrize("damage", [b"", b"garbage" * 50, "half"])
def test_corrupt_cache_is_retrained(small_imdb, isolated_cache, damage) -> None:
    first = load_vectors("imdb-word2vec", imdb_path=small_imdb.path, **TINY)
    [cached] = cache_files(isolated_cache)
    good = cached.read_bytes()
    cached.write_bytes(good[: len(good) // 2] if damage == "half" else damage)
    again = load_vectors("imdb-word2vec", imdb_path=small_imdb.path, **TINY)
    assert again.index_to_key == first.index_to_key
    with np.load(cached) as data:  # rewritten whole
        assert data["vectors"].shape == (len(first), 8)
    assert [p.name for p in isolated_cache.iterdir() if p.name.endswith(".tmp")] == []


def test_one_worker_repeats_exactly(small_imdb, isolated_cache) -> None:
    first = train_imdb_word2vec(small_imdb.path, **TINY)
    again = train_imdb_word2vec(small_imdb.path, **TINY)
    other_seed = train_imdb_word2vec(small_imdb.path, **{**TINY, "seed": 1})
    np.testing.assert_array_equal(first.vectors, again.vectors)
    assert not np.array_equal(first.vectors, other_seed.vectors)
    assert cache_files(isolated_cache) == []  # training alone writes no cache


def test_too_high_min_count_is_a_clear_error(small_imdb, isolated_cache) -> None:
    with pytest.raises(VectorsError, match="lower min_count"):
        load_vectors("imdb-word2vec", imdb_path=small_imdb.path, **{**TINY, "min_count": 10_000})
    assert cache_files(isolated_cache) == []


def test_defaults_are_the_course_ones() -> None:
    assert DEFAULTS == {"vector_size": 100, "window": 5, "min_count": 5, "workers": 2,
                        "epochs": 5, "seed": 0}
