"""Word vectors from files (word2vec binary or text, gensim .kv) and the errors of load_vectors."""

from __future__ import annotations

import traceback
from pathlib import Path

import numpy as np
import pytest
from gensim.models import KeyedVectors

from dl4text import config
from dl4text.embeddings import VectorsError, load_vectors

WORDS = ["the", "movie", "good", "bad", "don't", "café"]


@pytest.fixture(scope="module")
def original() -> KeyedVectors:
    kv = KeyedVectors(7)
    rng = np.random.default_rng(42)
    kv.add_vectors(WORDS, rng.normal(size=(len(WORDS), 7)).astype(np.float32))
    return kv


@pytest.fixture(scope="module")
def files(original, tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("vectors")
    out = {}
    for name, binary in (("vectors.txt", False), ("vectors.vec", False),
                         ("vectors.txt.gz", False), ("vectors.bin", True),
                         ("vectors.bin.gz", True), ("binary-without-suffix.dat", True)):
        out[name] = root / name
        original.save_word2vec_format(str(out[name]), binary=binary)
    out["vectors.kv"] = root / "vectors.kv"
    original.save(str(out["vectors.kv"]))
    return out


def assert_same(loaded: KeyedVectors, original: KeyedVectors, exact: bool) -> None:
    assert loaded.index_to_key == original.index_to_key
    assert loaded.vector_size == original.vector_size
    if exact:
        np.testing.assert_array_equal(loaded.vectors, original.vectors)
    else:  # the text format rounds to 6 decimals
        np.testing.assert_allclose(loaded.vectors, original.vectors, atol=1e-5)


@pytest.mark.parametrize("name", ["vectors.txt", "vectors.vec", "vectors.txt.gz", "vectors.bin",
                                  "vectors.bin.gz", "vectors.kv"])
def test_files_load_back(files, original, name) -> None:
    loaded = load_vectors(files[name])
    assert_same(loaded, original, exact=name.startswith("vectors.bin") or name.endswith(".kv"))
    assert_same(load_vectors(str(files[name])), original, exact=False)  # str works too


def test_binary_override(files, original) -> None:
    path = files["binary-without-suffix.dat"]
    assert_same(load_vectors(path, binary=True), original, exact=True)
    with pytest.raises(VectorsError, match="binary=True"):
        load_vectors(path)  # guessed as text from its name: the message says what to pass


def test_limit(files, original) -> None:
    for name in ("vectors.bin", "vectors.txt", "vectors.kv"):
        loaded = load_vectors(files[name], limit=2)
        assert loaded.index_to_key == WORDS[:2]


def test_environment_names_the_default(files, original, monkeypatch) -> None:
    monkeypatch.setenv(config.VECTORS_ENV, str(files["vectors.bin.gz"]))
    assert_same(load_vectors(), original, exact=True)
    monkeypatch.setenv(config.VECTORS_ENV, "word2vec-google-news-300")
    with pytest.raises(VectorsError, match=config.VECTORS_ENV):
        load_vectors()


def assert_readable(error: VectorsError, *fragments: str) -> None:
    """The message names what was given and what is accepted, without a chained traceback."""
    message = str(error)
    for fragment in fragments:
        assert fragment in message
    assert "Accepted:" in message and "word2vec" in message
    assert error.__cause__ is None and (error.__suppress_context__ or error.__context__ is None)
    raised_in = traceback.extract_tb(error.__traceback__)[-1].filename
    assert "dl4text" in raised_in, f"raised deep inside {raised_in}"


def test_missing_file(tmp_path) -> None:
    missing = tmp_path / "GoogleNews-vectors-negative300.bin.gz"
    with pytest.raises(VectorsError) as info:
        load_vectors(missing)
    assert_readable(info.value, str(missing), "does not exist", ".bin.gz")
    with pytest.raises(VectorsError) as info:
        load_vectors(str(missing))
    assert_readable(info.value, str(missing), "does not exist")


def test_unknown_name() -> None:
    with pytest.raises(VectorsError) as info:
        load_vectors("glove-300")
    assert_readable(info.value, "'glove-300'", "'glove-50'", "'imdb-word2vec'", "not a known name")


@pytest.mark.parametrize(("name", "content"), [
    ("garbage.bin", bytes(range(256)) * 20),
    ("garbage.bin.gz", b"not gzip at all"),
    ("garbage.txt", b"hello world\nthis is not a vectors file\n"),
    ("garbage.txt", b"\xff\xfe\x00binary junk\x00\x01" * 50),
    ("garbage.kv", b"not a pickle"),
    ("empty.txt", b""),
])
def test_garbage_files(tmp_path, name, content) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(VectorsError) as info:
        load_vectors(path)
    assert_readable(info.value, str(path))


def test_folder_is_not_a_file(tmp_path) -> None:
    with pytest.raises(VectorsError, match="folder"):
        load_vectors(tmp_path)


def test_misused_arguments(files) -> None:
    with pytest.raises(TypeError, match="vector_size"):
        load_vectors("glove-50", vector_size=10)
    with pytest.raises(TypeError, match="binary"):
        load_vectors("glove-50", binary=True)
    with pytest.raises(ValueError, match="limit"):
        load_vectors(files["vectors.txt"], limit=0)


def test_the_fingerprint_changes_with_the_file_and_not_otherwise(files, monkeypatch, tmp_path) -> None:
    from dl4text.embeddings import vectors_fingerprint

    path = tmp_path / "copy.txt"
    path.write_bytes(files["vectors.txt"].read_bytes())
    first = vectors_fingerprint(str(path))
    assert vectors_fingerprint(path) == first and str(path) in first
    monkeypatch.setenv(config.VECTORS_ENV, str(path))
    assert vectors_fingerprint() == first
    path.write_bytes(path.read_bytes() + b"\n")
    assert vectors_fingerprint(str(path)) != first
    with pytest.raises(VectorsError, match="not there"):
        vectors_fingerprint(str(tmp_path / "missing.bin"))


def test_the_fingerprint_of_the_installed_glove_files(monkeypatch) -> None:
    from dl4text.embeddings import GLOVE_50, vectors_fingerprint

    monkeypatch.delenv(config.VECTORS_ENV, raising=False)
    assert vectors_fingerprint() == vectors_fingerprint(GLOVE_50) == vectors_fingerprint(" GloVe-50 ")
    assert vectors_fingerprint().startswith("glove-50:glove_6B_50d_emb.npy|")
