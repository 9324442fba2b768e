"""The grading view: the corpus a graded kernel reads, with the test labels shuffled."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from dl4text import config, course
from dl4text.data import DataError, get_word_index, load_imdb, load_texts, load_unsup
from dl4text.data.corpus import cache_path
from dl4text.grading.data_view import CORPUS_FILE, build_grading_view


@pytest.fixture
def real_env(small_imdb, isolated_cache, monkeypatch) -> None:
    """The trusted side: the small archive in DL4TEXT_IMDB, an empty cache, no view."""
    monkeypatch.setenv(config.IMDB_ENV, str(small_imdb.path))
    monkeypatch.delenv(config.CORPUS_ENV, raising=False)
    monkeypatch.delenv(config.LABEL_SEED_ENV, raising=False)
    monkeypatch.delenv(config.FAST_ENV, raising=False)


def enter(view, monkeypatch, tmp_path: Path) -> None:
    """Be the kernel: the view's variables, no archive (DL4TEXT_IMDB names nothing)."""
    for name, value in view.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv(config.IMDB_ENV, str(tmp_path / "no-archive-in-the-sandbox.tar.gz"))


def rows(x: np.ndarray) -> list[tuple[int, ...]]:
    return [tuple(int(i) for i in r) for r in x]


def test_train_data_and_test_reviews_are_the_real_ones(real_env, small_imdb, tmp_path,
                                                       monkeypatch) -> None:
    (x_train, y_train), (x_test, y_test) = load_imdb()
    words = get_word_index()
    view = build_grading_view(tmp_path / "view", label_seed=7)
    enter(view, monkeypatch, tmp_path)
    (vx_train, vy_train), (vx_test, vy_test) = load_imdb()
    assert rows(vx_train) == rows(x_train) and np.array_equal(vy_train, y_train)
    assert get_word_index() == words
    assert sorted(rows(vx_test)) == sorted(rows(x_test))      # the same reviews...
    assert rows(vx_test) != rows(x_test)                     # ...in another order


def test_test_labels_are_shuffled_among_the_reviews(real_env, small_imdb, tmp_path,
                                                    monkeypatch) -> None:
    _, (x_test, y_test) = load_imdb()
    true = dict(zip(rows(x_test), y_test.tolist(), strict=True))  # the fixture's reviews differ
    view = build_grading_view(tmp_path / "view", label_seed=7)
    enter(view, monkeypatch, tmp_path)
    _, (vx_test, vy_test) = load_imdb()
    truth = np.array([true[r] for r in rows(vx_test)])
    assert Counter(vy_test.tolist()) == Counter(y_test.tolist()) == {0: 12, 1: 12}
    assert not np.array_equal(vy_test, truth)
    assert vy_test.dtype == y_test.dtype and vy_test.shape == y_test.shape


def test_seeds(real_env, tmp_path, monkeypatch) -> None:
    def kernel_view(seed: int, name: str):
        view = build_grading_view(tmp_path / name, label_seed=seed)
        with monkeypatch.context() as patch:
            enter(view, patch, tmp_path)
            _, (x, y) = load_imdb()
        return rows(x), y.tolist()

    first = kernel_view(3, "a")
    assert kernel_view(3, "b") == first
    assert kernel_view(4, "c") != first
    assert kernel_view(3, "a") == first  # rebuilt in place


def test_kernel_test_labels_are_what_the_kernel_got(real_env, tmp_path, monkeypatch) -> None:
    view = build_grading_view(tmp_path / "view", label_seed=2024)
    x_graders, y_graders = course.kernel_test_set(2024, num_words=30)
    labels = course.kernel_test_labels(2024)
    with monkeypatch.context() as patch:
        enter(view, patch, tmp_path)
        _, (x_kernel, y_kernel) = course.load_imdb(num_words=30)
        _, (_, y_default) = course.load_imdb()
    assert rows(x_graders) == rows(x_kernel) and np.array_equal(y_graders, y_kernel)
    assert np.array_equal(labels, y_default)
    # notebook_test_set: the kernel's split under DL4TEXT_LABEL_SEED, else the real one
    monkeypatch.setenv(config.LABEL_SEED_ENV, "2024")
    assert np.array_equal(course.notebook_test_set()[1], y_default)
    monkeypatch.delenv(config.LABEL_SEED_ENV)
    assert np.array_equal(course.notebook_test_set()[1], course.load_imdb()[1][1])


def test_kernel_test_labels_follow_the_fast_cut(real_env, tmp_path, monkeypatch) -> None:
    view = build_grading_view(tmp_path / "view", label_seed=5)
    monkeypatch.setenv(config.FAST_ENV, "1")
    monkeypatch.setattr("dl4text.course.sizes.FAST_TEST_REVIEWS", 10)
    labels = course.kernel_test_labels(5)
    enter(view, monkeypatch, tmp_path)
    _, (x_test, y_test) = course.load_imdb()
    assert len(x_test) == 10 and np.array_equal(labels, y_test)


def test_the_view_holds_no_real_corpus_and_no_archive(real_env, small_imdb, isolated_cache,
                                                      tmp_path) -> None:
    isolated_cache.mkdir(parents=True, exist_ok=True)
    (isolated_cache / "aclImdb_v1.tar.gz").write_bytes(small_imdb.path.read_bytes())
    view = build_grading_view(tmp_path / "view", label_seed=1)
    real = cache_path(small_imdb.path)
    assert real.is_file()  # the real cache was warmed...
    assert [p.name for p in view.cache.iterdir()] == [CORPUS_FILE]  # ...and stays out
    assert view.env == {config.CACHE_ENV: str(view.cache),
                        config.CORPUS_ENV: str(view.cache / CORPUS_FILE)}
    assert view.readonly == () and view.label_seed == 1
    assert real.read_bytes() != (view.cache / CORPUS_FILE).read_bytes()


def test_the_kernel_never_locates_the_archive(real_env, tmp_path, monkeypatch) -> None:
    view = build_grading_view(tmp_path / "view", label_seed=1)
    enter(view, monkeypatch, tmp_path)

    def no_archive(*args, **kwargs):
        raise AssertionError("the archive was looked for")

    monkeypatch.setattr("dl4text.data.imdb.locate_imdb", no_archive)
    monkeypatch.setattr("dl4text.data.corpus.locate_imdb", no_archive)
    monkeypatch.setattr("dl4text.data.corpus.fingerprint", no_archive)
    assert len(load_imdb()[1][0]) == 24 and get_word_index()


def test_raw_reviews_are_not_available_while_grading(real_env, tmp_path, monkeypatch) -> None:
    view = build_grading_view(tmp_path / "view", label_seed=1)
    enter(view, monkeypatch, tmp_path)
    for call in (lambda: load_texts("test"), lambda: load_texts("train"), load_unsup):
        with pytest.raises(DataError, match="not available while grading"):
            call()


def test_a_missing_corpus_file_is_a_clear_error(isolated_cache, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(config.CORPUS_ENV, str(tmp_path / "gone.npz"))
    with pytest.raises(DataError, match=config.CORPUS_ENV):
        load_imdb()


def test_the_seed_must_be_a_non_negative_int(real_env, tmp_path) -> None:
    for bad in (-1, 1.5, "3", True):
        with pytest.raises(ValueError, match="label_seed"):
            build_grading_view(tmp_path / "view", label_seed=bad)


def test_a_vectors_file_is_readable_in_the_kernel(real_env, tmp_path, monkeypatch) -> None:
    vectors = tmp_path / "my-vectors.txt"
    vectors.write_text("2 3\ngood 1 0 0\nbad 0 1 0\n")
    monkeypatch.setenv(config.VECTORS_ENV, str(vectors))
    view = build_grading_view(tmp_path / "view", label_seed=1)
    assert view.readonly == (vectors.resolve(),)
    assert view.env[config.VECTORS_ENV] == str(vectors.resolve())


def test_imdb_word2vec_vectors_are_cached_and_in_the_view(real_env, small_imdb, isolated_cache,
                                                          tmp_path, monkeypatch) -> None:
    from dl4text.embeddings import load_vectors
    from dl4text.embeddings.imdb_word2vec import cache_path as vectors_path

    monkeypatch.setenv(config.VECTORS_ENV, "imdb-word2vec")
    isolated_cache.mkdir(parents=True, exist_ok=True)
    other = isolated_cache / "imdb-word2vec-0123456789abcdef-000000000000.npz"
    other.write_bytes(b"vectors of another archive")
    view = build_grading_view(tmp_path / "view", label_seed=1)  # trains them: cold cache
    trained = vectors_path()
    assert trained.is_file() and view.env[config.VECTORS_ENV] == "imdb-word2vec"
    assert sorted(p.name for p in view.cache.iterdir()) == sorted([CORPUS_FILE, trained.name])
    want = load_vectors()
    enter(view, monkeypatch, tmp_path)
    assert vectors_path() == view.cache / trained.name
    got = load_vectors()
    assert got.index_to_key == want.index_to_key and np.array_equal(got.vectors, want.vectors)
    with pytest.raises(DataError, match="not available while grading"):
        load_vectors("imdb-word2vec", vector_size=7)  # not cached: it would need the reviews


def test_kernel_test_order_maps_the_kernels_reviews_onto_the_real_ones(real_env, tmp_path,
                                                                       monkeypatch) -> None:
    _, (x_real, _) = course.load_imdb(num_words=30)
    x_graders, y_graders = course.kernel_test_set(77, num_words=30)
    positions, labels = course.kernel_test_order(77)
    assert np.array_equal(labels, y_graders)
    assert rows(x_real[positions]) == rows(x_graders)
    assert sorted(positions.tolist()) == list(range(len(x_real)))  # a permutation: every review once
    assert not np.array_equal(positions, np.arange(len(x_real)))
    # the fast mode: the cut comes after the secret order, so positions reach past the cut
    monkeypatch.setenv(config.FAST_ENV, "1")
    monkeypatch.setattr("dl4text.course.sizes.FAST_TEST_REVIEWS", 10)
    fast_positions, fast_labels = course.kernel_test_order(77)
    assert np.array_equal(fast_positions, positions[:10]) and np.array_equal(fast_labels, labels[:10])


def test_notebook_scores_are_the_real_scores_in_the_notebooks_order(real_env, tmp_path, monkeypatch) -> None:
    from dl4text.grading.evaluate import notebook_scores

    def score(x: np.ndarray) -> np.ndarray:  # any function of the review alone, as a model is
        return np.array([(int(np.sum(r)) % 97) / 97 for r in x])

    _, (x_real, y_real) = course.load_imdb(num_words=30)
    assert notebook_scores(score(x_real), y_real)[1] is y_real  # no view: the real split itself
    monkeypatch.setenv(config.LABEL_SEED_ENV, "31")
    x_notebook, y_notebook = course.notebook_test_set(num_words=30)
    scores, labels = notebook_scores(score(x_real), y_real)
    assert np.array_equal(scores, score(x_notebook)) and np.array_equal(labels, y_notebook)
    assert not np.array_equal(labels, y_real)
    monkeypatch.setenv(config.FAST_ENV, "1")  # the notebook's first reviews are not the graders' first
    monkeypatch.setattr("dl4text.course.sizes.FAST_TEST_REVIEWS", 5)
    assert notebook_scores(score(course.load_imdb(num_words=30)[1][0]), y_real[:5]) is None

    def never() -> np.ndarray:
        raise AssertionError("scores that cannot be reordered were asked for")

    assert notebook_scores(never, y_real[:5]) is None  # given as a function, they are not predicted
    monkeypatch.setenv(config.FAST_ENV, "0")
    lazy_scores, lazy_labels = notebook_scores(lambda: score(x_real), y_real)
    assert np.array_equal(lazy_scores, score(x_notebook)) and np.array_equal(lazy_labels, y_notebook)
