"""Hidden graders of a2_embeddings: padding, the Embedding network, the pretrained embedding
matrix, the frozen pretrained network, and the notes' 200-review self-practice.

Every input below is drawn from ``rng`` at grading time. Expected values are computed here with
the graders' own code (NumPy loops, ``keras.utils.pad_sequences`` on the graders' own copy of the
test set), never with the student's functions nor with ``dl4text.embeddings.embedding_matrix``.

What crosses over from the kernel, per exercise:

1. ``pad_reviews`` on ragged hidden reviews (lists and int32 arrays; empty, exactly ``maxlen``,
   longer), at the default ``maxlen`` and at one chosen here.
2. ``build_embedding_model(num_words=n, embedding_dim=d, maxlen=m)`` as a saved model, for sizes
   chosen here, and with its defaults.
3. the trained ``embedding_model``: its test accuracy is measured here.
4. ``build_embedding_matrix`` on a small random ``KeyedVectors`` and word index built here
   (pickled into the kernel), and the notebook's ``pretrained_matrix``, compared with the matrix
   built here from ``load_vectors()`` and ``get_word_index()`` (the same ``DL4TEXT_VECTORS``
   reaches the kernel and the graders).
5. ``build_pretrained_model`` on a random matrix chosen here (written into the probe's expression,
   base64-encoded), saved; the trained ``pretrained_model``, whose Embedding weights must still
   equal the notebook's ``pretrained_matrix``.
6. ``small_indices``, ``x_small``, ``y_small``, the two histories' ``params``, the two reported
   accuracies, and both 200-review models, measured here on every test review.

What cannot be checked: that ``fit`` really received ``x_small``. The graders check that the
200 indices are distinct training reviews, that ``x_small``/``y_small`` are those reviews, that
each history ran ``ceil(200 / 32) = 7`` batches per epoch for 20 epochs, as a fit on 200
reviews at ``batch_size=32`` does (a fit on the 25,000 reviews runs 782), and that each saved
model's optimizer ran those 140 steps (so the model is the one that history belongs to).

The two reported accuracies are compared with each model's accuracy on the test split the
notebook received: while grading, the kernel gets the test reviews in a secret order with
shuffled labels (:mod:`dl4text.grading.data_view`; the graders rebuild that split with
:func:`dl4text.course.notebook_test_set`), so the accuracies it reports are near 0.5, and fitting
a model on the test set gains nothing: the graders measure every score on the true labels.

Only the 200-review *pretrained* model has an accuracy target. The 200-review task-specific
model scores close to guessing (0.516-0.523 at full size, 0.513-0.528 in the fast mode, where
always answering "positive" scores 0.514): a target above guessing and below what the solution
reaches does not exist. Its accuracy is measured all the same, to check the one the notebook
reports.
"""

from __future__ import annotations

import base64
import math
import re
from functools import cache
from typing import Any

import numpy as np

from dl4text.data.vocabulary import VOCABULARY_SIZE
from dl4text.grading import (
    Probe,
    StudentError,
    Submission,
    accuracy,
    assert_accuracy,
    assert_accuracy_of,
    grades,
    hits,
    notebook_scores,
    scores,
)

NUM_WORDS = VOCABULARY_SIZE
MAXLEN = 100
EMB_DIM = 300
INDEX_FROM = 3
SMALL = 200
SMALL_BATCH = 32
SMALL_EPOCHS = 20
REPORTED_TOL = 0.002
NP = "__import__('numpy')"
_PRETRAINED_EXPR = re.compile(
    r"b64decode\('(?P<data>[A-Za-z0-9+/=]*)'\).*reshape\((?P<n>\d+), (?P<d>\d+)\).*"
    r"maxlen=(?P<m>\d+)\)$")


# -- what to ask of the kernel ------------------------------------------------------------------
def probe(rng: np.random.Generator, fast: bool) -> Probe:
    p = Probe()
    _probe_pad(p, rng)
    n, d, m = int(rng.integers(200, 3000)), int(rng.integers(2, 25)), int(rng.integers(5, 60))
    p.model("test_build_embedding_model", "emb_sizes",
            f"build_embedding_model(num_words={n}, embedding_dim={d}, maxlen={m})")
    p.model("test_build_embedding_model", "emb_default", "build_embedding_model()")
    p.model("test_embedding_model", "embedding_model", "embedding_model")
    _probe_matrix(p, rng)
    _probe_pretrained(p, rng)
    p.model("test_pretrained_model", "pretrained_model", "pretrained_model")
    p.value("test_small_data", "small_indices", f"{NP}.asarray(small_indices)")
    p.value("test_small_data", "x_small", f"{NP}.asarray(x_small)")
    p.value("test_small_data", "y_small", f"{NP}.asarray(y_small)")
    for which in ("embedding", "pretrained"):
        p.value("test_small_data", f"small_{which}_params", f"small_{which}_history.params")
        p.value("test_small_data", f"small_{which}_accuracy", f"float(small_{which}_accuracy)")
        p.model("test_small_data", f"small_{which}_model", f"small_{which}_model")
    return p


def _review(rng: np.random.Generator, length: int) -> np.ndarray:
    return np.concatenate([[1], rng.integers(3, NUM_WORDS, size=max(length - 1, 0))])[:length]


def _probe_pad(p: Probe, rng: np.random.Generator) -> None:
    """Ragged reviews: empty, short, exactly maxlen, maxlen + 1 and long, lists and arrays."""
    for key, maxlen in (("pad_default", MAXLEN), ("pad_maxlen", int(rng.integers(5, 21)))):
        lengths = [0, maxlen, maxlen + 1, int(rng.integers(2, maxlen)),
                   int(rng.integers(maxlen + 2, 4 * maxlen))]
        lengths += [int(rng.integers(1, 3 * maxlen)) for _ in range(int(rng.integers(3, 8)))]
        reviews = [_review(rng, n) for n in rng.permutation(lengths)]
        mixed = [r.astype(np.int32) if rng.random() < 0.5 else r.tolist() for r in reviews]
        if key == "pad_default":
            p.call("test_pad_reviews", key, "pad_reviews", mixed)
        else:
            p.call("test_pad_reviews", key, "pad_reviews", mixed, maxlen=maxlen)


def _random_words(rng: np.random.Generator, count: int) -> list[str]:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    words: dict[str, None] = {}
    while len(words) < count:
        words["".join(rng.choice(letters, size=int(rng.integers(3, 9))))] = None
    return list(words)


def _keyed_vectors(words: list[str], vectors: np.ndarray) -> Any:
    from dl4text.embeddings.keyed import keyed_vectors

    return keyed_vectors(words, vectors)


def _probe_matrix(p: Probe, rng: np.random.Generator) -> None:
    # A word index of ranks 1..r, vectors for about 3/4 of its words plus words it lacks, and a
    # num_words that leaves the last ranks out (their rows would be num_words or more).
    r = int(rng.integers(60, 120))
    words = _random_words(rng, r + 25)
    index_words, extra = words[:r], words[r:]
    word_index = {w: rank for rank, w in enumerate(rng.permutation(index_words).tolist(), 1)}
    # The most frequent words have vectors, as "the", "and", "a" do in every pretrained set.
    known = [w for w in index_words if word_index[w] <= 3 or rng.random() < 0.75] + extra
    known = rng.permutation(known).tolist()
    d = int(rng.integers(3, 11))
    kv = _keyed_vectors(known, rng.normal(size=(len(known), d)) + 0.1)
    num_words = int(rng.integers(r // 2, r - 5))
    p.call("test_build_embedding_matrix", "matrix_small", "build_embedding_matrix",
           word_index, kv, num_words=num_words, index_from=INDEX_FROM)
    # The defaults: num_words=10000, index_from=3, on a word index that reaches past 10,000.
    many = [f"w{i}" for i in range(NUM_WORDS + 10)]
    order = rng.permutation(len(many))
    word_index = {many[i]: rank for rank, i in enumerate(order.tolist(), 1)}
    ranks = np.arange(1, len(many) + 1)
    chosen = np.concatenate([rng.choice(ranks, size=150, replace=False),
                             np.arange(NUM_WORDS - INDEX_FROM - 2, NUM_WORDS + 3)])
    known = [many[order[rank - 1]] for rank in np.unique(chosen)]
    d = int(rng.integers(3, 7))
    kv = _keyed_vectors(known, rng.normal(size=(len(known), d)) + 0.1)
    p.call("test_build_embedding_matrix", "matrix_default", "build_embedding_matrix",
           word_index, kv)
    p.value("test_build_embedding_matrix", "pretrained_matrix", f"{NP}.asarray(pretrained_matrix)")


def _probe_pretrained(p: Probe, rng: np.random.Generator) -> None:
    n, d, m = int(rng.integers(30, 90)), int(rng.integers(3, 11)), int(rng.integers(4, 16))
    matrix = rng.normal(size=(n, d)).astype("<f4")
    data = base64.b64encode(matrix.tobytes()).decode("ascii")
    p.model("test_build_pretrained_model", "pretrained_sizes",
            f"build_pretrained_model({NP}.frombuffer(__import__('base64').b64decode('{data}'), "
            f"dtype='<f4').reshape({n}, {d}).copy(), maxlen={m})")


# -- the graders' own data and reference values ---------------------------------------------------
def warm_up(fast: bool) -> None:
    """Load the real data before any grading (the graders' server runs this, then forks).

    Numpy only, and not the course's vectors: reading them starts pyarrow's threads, which a
    process that forks should not hold. In the fast mode also the full test split: the
    notebook's test reviews are picked from it.
    """
    _test_set_in(fast)
    if fast:
        _test_set_in(False)


def _imdb() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    from dl4text import course

    return _imdb_in(course.is_fast())


@cache
def _imdb_in(fast: bool) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    from dl4text import course

    return course.load_imdb(num_words=NUM_WORDS, fast=fast)


def _pad(reviews: Any) -> np.ndarray:
    import keras

    return keras.utils.pad_sequences(reviews, maxlen=MAXLEN, padding="post", truncating="post")


def _test_set() -> tuple[np.ndarray, np.ndarray]:
    from dl4text import course

    return _test_set_in(course.is_fast())


@cache
def _test_set_in(fast: bool) -> tuple[np.ndarray, np.ndarray]:
    _, (x_test, y_test) = _imdb_in(fast)
    return _pad(x_test), y_test


@cache
def _notebook_test_set() -> tuple[np.ndarray, np.ndarray]:
    """The test reviews (padded) and labels the notebook received: shuffled under a view.

    Under a view, picked from the real test split where :func:`dl4text.course.kernel_test_order`
    says they lie (the same reviews as :func:`dl4text.course.notebook_test_set`, nothing decoded).
    """
    from dl4text import config, course

    if config.label_seed() is None:
        return _test_set()
    positions, labels = course.kernel_test_order(config.label_seed())
    return _test_set_in(False)[0][positions], labels


@cache
def _course_matrix() -> np.ndarray:
    """The aligned matrix for the course's vectors (built once per vectors and archive, then cached)."""
    from dl4text.data.corpus import cache_path
    from dl4text.data.source import locate_imdb
    from dl4text.embeddings import vectors_fingerprint
    from dl4text.grading.reference import cached_array

    key = f"{vectors_fingerprint()}\n{cache_path(locate_imdb()).name}\n{NUM_WORDS} {INDEX_FROM}"
    return cached_array("a2-course-matrix", key, _build_course_matrix)


def _build_course_matrix() -> np.ndarray:
    """The aligned matrix for the course's vectors, built here: row rank + 3 <- vector."""
    from dl4text.data import get_word_index
    from dl4text.embeddings import load_vectors

    vectors = load_vectors()
    kv = getattr(vectors, "wv", vectors)
    matrix = np.zeros((NUM_WORDS, kv.vector_size), dtype=np.float32)
    for word, rank in get_word_index().items():
        row = rank + INDEX_FROM
        if row < NUM_WORDS and word in kv.key_to_index:
            matrix[row] = kv[word]
    return matrix


def _expected_matrix(word_index: dict[str, int], kv: Any, num_words: int,
                     index_from: int) -> np.ndarray:
    matrix = np.zeros((num_words, kv.vector_size), dtype=np.float32)
    for word, rank in word_index.items():
        if rank + index_from < num_words and word in kv.key_to_index:
            matrix[rank + index_from] = kv[word]
    return matrix


def _value(submission: Submission, key: str, label: str) -> Any:
    """``submission.value(key)``, with ``label`` instead of the probe's expression in a reason."""
    try:
        return submission.value(key)
    except StudentError as exc:
        raise StudentError(str(exc).replace(submission.probe.entry(key).target, label)) from None


def _layers(model: Any) -> list[Any]:
    return [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]


def _summary(model: Any) -> str:
    return " -> ".join(type(layer).__name__ for layer in _layers(model)) or "no layers"


def _built(model: Any, what: str) -> None:
    try:
        model.count_params()
    except Exception:  # noqa: BLE001 - an unbuilt model cannot count
        raise AssertionError(f"{what} is not built: start it with keras.Input(shape=(maxlen,)) "
                             "(Keras 3 ignores input_length)") from None


def _weights(model: Any, which: str) -> int:
    return int(sum(math.prod(w.shape) for w in getattr(model, which)))


def _check_network(model: Any, n: int, d: int, m: int, what: str) -> None:
    """Embedding(n, d) -> Flatten -> Dense(16, relu) -> Dense(1, sigmoid) for m ids."""
    _built(model, what)
    kinds = [type(layer).__name__ for layer in _layers(model)]
    assert kinds == ["Embedding", "Flatten", "Dense", "Dense"], (
        f"{what} has {_summary(model)}; the exercise asks for Embedding -> Flatten -> Dense -> "
        "Dense")
    counts = [int(layer.count_params()) for layer in _layers(model)]
    want = [n * d, 0, m * d * 16 + 16, 16 + 1]
    assert counts == want, (f"{what}: the parameter counts per layer {counts} are not those of "
                            "Embedding(num_words, embedding_dim) -> Flatten -> Dense(16) -> "
                            "Dense(1) for the sizes asked")


def _embedding(model: Any) -> Any:
    return _layers(model)[0]


def _model(submission: Submission, key: str, label: str) -> Any:
    try:
        return submission.model(key)
    except StudentError as exc:
        raise StudentError(str(exc).replace(submission.probe.entry(key).target, label)) from None


# -- 1. pad_reviews -----------------------------------------------------------------------------
def _pad_inputs(submission: Submission, key: str) -> tuple[list[np.ndarray], int]:
    args, kwargs = submission.inputs(key)
    return [np.asarray(r, dtype=np.int64) for r in args[0]], int(kwargs.get("maxlen", MAXLEN))


def _padded(reviews: list[np.ndarray], maxlen: int, pad: str, trunc: str) -> np.ndarray:
    out = np.zeros((len(reviews), maxlen), dtype=np.int64)
    for i, review in enumerate(reviews):
        kept = review[:maxlen] if trunc == "post" else review[max(len(review) - maxlen, 0):]
        if len(kept):
            if pad == "post":
                out[i, :len(kept)] = kept
            else:
                out[i, maxlen - len(kept):] = kept
    return out


@grades("test_pad_reviews", points=1)
def test_pad_shape(submission: Submission) -> None:
    """an integer array of shape (number of reviews, maxlen)"""
    for key in ("pad_default", "pad_maxlen"):
        reviews, maxlen = _pad_inputs(submission, key)
        got = submission.result(key)
        call = "pad_reviews(reviews)" if key == "pad_default" else "pad_reviews(reviews, maxlen)"
        assert got.shape == (len(reviews), maxlen), (
            f"{call} returned shape {got.shape} for {len(reviews)} reviews; expected "
            "(number of reviews, maxlen)" + (" with maxlen=100 by default"
                                             if key == "pad_default" else ""))
        assert got.dtype.kind in "iu", f"{call} returned {got.dtype} values, not integer ids"


@grades("test_pad_reviews", points=2)
def test_pad_values(submission: Submission) -> None:
    """the first maxlen ids, then zeros: empty, exactly-maxlen and longer hidden reviews"""
    for key in ("pad_default", "pad_maxlen"):
        reviews, maxlen = _pad_inputs(submission, key)
        got = submission.result(key)
        assert got.shape == (len(reviews), maxlen), "pad_reviews returned the wrong shape"
        if np.array_equal(got, _padded(reviews, maxlen, "post", "post")):
            continue
        hints = []
        if np.array_equal(got, _padded(reviews, maxlen, "pre", "pre")):
            hints.append("it pads and cuts at the front (Keras's defaults)")
        elif np.array_equal(got, _padded(reviews, maxlen, "pre", "post")):
            hints.append("it puts the zeros before the words")
        elif np.array_equal(got, _padded(reviews, maxlen, "post", "pre")):
            hints.append("it keeps the last words of long reviews")
        hint = f": {hints[0]}" if hints else ""
        raise AssertionError("pad_reviews gives wrong rows on reviews of various lengths"
                             f"{hint}; keep the first maxlen ids and pad with 0 after them")


# -- 2. build_embedding_model -------------------------------------------------------------------
def _sizes(submission: Submission) -> tuple[int, int, int]:
    target = submission.probe.entry("emb_sizes").target
    found = dict(re.findall(r"(\w+)=(\d+)", target))
    return int(found["num_words"]), int(found["embedding_dim"]), int(found["maxlen"])


@grades("test_build_embedding_model", points=1)
def test_model_layers(submission: Submission) -> None:
    """Embedding -> Flatten -> Dense -> Dense, built"""
    model = _model(submission, "emb_sizes", "build_embedding_model(...)")
    _built(model, "build_embedding_model(...)")
    assert [type(layer).__name__ for layer in _layers(model)] == [
        "Embedding", "Flatten", "Dense", "Dense"], (
        f"build_embedding_model(...) has {_summary(model)}; the exercise asks for Embedding -> "
        "Flatten -> Dense -> Dense")


@grades("test_build_embedding_model", points=2)
def test_model_parameters(submission: Submission) -> None:
    """parameters per layer and in total, for sizes chosen at grading time"""
    n, d, m = _sizes(submission)
    model = _model(submission, "emb_sizes", "build_embedding_model(...)")
    _check_network(model, n, d, m, "build_embedding_model(num_words, embedding_dim, maxlen)")
    assert int(model.count_params()) == n * d + m * d * 16 + 16 + 17, (
        "build_embedding_model(...) has extra parameters")


@grades("test_build_embedding_model", points=1)
def test_model_defaults(submission: Submission) -> None:
    """the notes' sizes by default: 3,480,033 parameters"""
    model = _model(submission, "emb_default", "build_embedding_model()")
    _built(model, "build_embedding_model()")
    total = int(model.count_params())
    assert total == 3_480_033, (f"build_embedding_model() has {total:,} parameters, not "
                                "3,480,033: the defaults are num_words=10000, embedding_dim=300, "
                                "maxlen=100")


@grades("test_build_embedding_model", points=1)
def test_model_shapes_and_activations(submission: Submission) -> None:
    """maxlen ids in, one sigmoid probability out, relu in the hidden layer"""
    _, _, m = _sizes(submission)
    model = _model(submission, "emb_sizes", "build_embedding_model(...)")
    _built(model, "build_embedding_model(...)")
    assert tuple(model.input_shape) == (None, m), (
        f"build_embedding_model(maxlen=m) takes inputs of shape {model.input_shape}, not "
        "(None, m)")
    assert tuple(model.output_shape) == (None, 1), (
        f"the model's output shape is {model.output_shape}, not (None, 1)")
    dense = [layer for layer in _layers(model) if type(layer).__name__ == "Dense"]
    acts = [str(layer.get_config().get("activation")) for layer in dense]
    assert acts and acts[-1] == "sigmoid", "the output layer's activation must be 'sigmoid'"
    assert all(a == "relu" for a in acts[:-1]), f"the hidden layer's activation is {acts[:-1]}"


# -- 3. embedding_model -------------------------------------------------------------------------
@grades("test_embedding_model", points=3)
def test_embedding_model_accuracy(submission: Submission) -> None:
    """test accuracy of embedding_model, measured by the graders on the whole test set"""
    x_test, y_test = _test_set()
    assert_accuracy("a2_embeddings.embedding_model",
                    _model(submission, "embedding_model", "embedding_model"), x_test, y_test,
                    fast=submission.fast)


@grades("test_embedding_model", points=1)
def test_embedding_model_architecture(submission: Submission) -> None:
    """embedding_model is the network of exercise 2 at the notes' sizes"""
    model = _model(submission, "embedding_model", "embedding_model")
    _check_network(model, NUM_WORDS, EMB_DIM, MAXLEN, "embedding_model")


# -- 4. build_embedding_matrix ------------------------------------------------------------------
def _matrix_case(submission: Submission, key: str) -> tuple[np.ndarray, np.ndarray, str]:
    args, kwargs = submission.inputs(key)
    word_index, kv = args
    num_words = int(kwargs.get("num_words", NUM_WORDS))
    index_from = int(kwargs.get("index_from", INDEX_FROM))
    what = ("build_embedding_matrix(word_index, vectors, num_words, index_from=3)"
            if key == "matrix_small" else "build_embedding_matrix(word_index, vectors)")
    got = submission.result(key)
    return got, _expected_matrix(word_index, kv, num_words, index_from), what


@grades("test_build_embedding_matrix", points=1)
def test_matrix_shape(submission: Submission) -> None:
    """exactly num_words rows of d numbers (no rows past num_words)"""
    for key in ("matrix_small", "matrix_default"):
        got, want, what = _matrix_case(submission, key)
        assert got.ndim == 2, f"{what} returned an array of {got.ndim} dimensions, not a matrix"
        assert got.shape[1] == want.shape[1], (
            f"{what} returned rows of {got.shape[1]} numbers; each row is one word vector, "
            "vectors.vector_size numbers")
        assert got.shape[0] == want.shape[0], (
            f"{what} returned {got.shape[0]} rows for num_words={want.shape[0]}: the matrix needs "
            "exactly num_words rows (leave out words whose id would be num_words or more)"
            + (" (the default num_words is 10000)" if key == "matrix_default" else ""))


@grades("test_build_embedding_matrix", points=1)
def test_matrix_dtype(submission: Submission) -> None:
    """float32, the type of Keras's weights"""
    for key in ("matrix_small", "matrix_default"):
        got, _, what = _matrix_case(submission, key)
        assert got.dtype == np.float32, (f"{what} returned a {got.dtype} matrix: make it float32 "
                                         "(np.zeros(..., dtype='float32'))")


def _aligned_rows(got: np.ndarray, want: np.ndarray, what: str) -> None:
    rows = min(len(got), len(want))
    assert got.ndim == 2 and got.shape[1] == want.shape[1], f"{what} returned the wrong shape"
    filled = np.flatnonzero(np.any(want[:rows] != 0, axis=1))
    right = np.all(np.isclose(got[filled], want[filled], rtol=0, atol=1e-6), axis=1)
    if right.all():
        return
    # Where did the vectors go? One row per rank, i.e. index_from rows too early?
    early = filled - INDEX_FROM
    ok = early >= 0
    if ok.any() and np.all(np.isclose(got[early[ok]], want[filled[ok]], rtol=0, atol=1e-6)):
        raise AssertionError(
            f"{what} puts each vector {INDEX_FROM} rows away from the row the Embedding layer "
            "reads for its word: a word's row is its id in the sequences, which is not its rank "
            "in word_index")
    raise AssertionError(f"{what}: {int((~right).sum())} of {len(filled)} words with a vector do "
                         "not find their vector in their row")


@grades("test_build_embedding_matrix", points=2)
def test_matrix_alignment(submission: Submission) -> None:
    """each vector in the row of its word's id (not its rank), on hidden vectors"""
    for key in ("matrix_small", "matrix_default"):
        got, want, what = _matrix_case(submission, key)
        _aligned_rows(got, want, what)


@grades("test_build_embedding_matrix", points=1)
def test_matrix_zero_rows(submission: Submission) -> None:
    """zero rows for ids 0-2 and for words without a vector"""
    for key in ("matrix_small", "matrix_default"):
        got, want, what = _matrix_case(submission, key)
        assert got.ndim == 2, f"{what} returned an array of {got.ndim} dimensions"
        rows = min(len(got), len(want))
        empty = np.flatnonzero(~np.any(want[:rows] != 0, axis=1))
        bad = empty[np.any(got[empty] != 0, axis=1)]
        if len(bad):
            special = "including ids below index_from, " if np.any(bad < INDEX_FROM) else ""
            raise AssertionError(
                f"{what} has {len(bad)} nonzero rows where no word vector belongs ({special}"
                "which are padding, start and out-of-vocabulary marks, or words without a "
                "vector): they must stay zero")


@grades("test_build_embedding_matrix", points=1)
def test_pretrained_matrix(submission: Submission) -> None:
    """pretrained_matrix is the aligned matrix of the course's word vectors"""
    got = np.asarray(_value(submission, "pretrained_matrix", "pretrained_matrix"))
    want = _course_matrix()
    assert got.shape == want.shape, (f"pretrained_matrix has shape {got.shape}, not (10000, d) "
                                     "for the d-dimensional vectors of load_vectors()")
    assert got.dtype.kind == "f", f"pretrained_matrix holds {got.dtype} values"
    _aligned_rows(got, want, "pretrained_matrix")
    assert np.array_equal(np.any(got != 0, axis=1), np.any(want != 0, axis=1)), (
        "pretrained_matrix has nonzero rows where no word vector belongs")


# -- 5. build_pretrained_model and pretrained_model ---------------------------------------------
def _pretrained_case(submission: Submission) -> tuple[Any, np.ndarray, int]:
    match = _PRETRAINED_EXPR.search(submission.probe.entry("pretrained_sizes").target)
    assert match, "the graders' probe is malformed; tell your instructor"
    n, d, m = int(match["n"]), int(match["d"]), int(match["m"])
    matrix = np.frombuffer(base64.b64decode(match["data"]), dtype="<f4").reshape(n, d)
    model = _model(submission, "pretrained_sizes", "build_pretrained_model(matrix, maxlen)")
    return model, matrix, m


@grades("test_build_pretrained_model", points=1)
def test_pretrained_builds_network(submission: Submission) -> None:
    """the network of exercise 2 with the given matrix in its Embedding layer"""
    model, matrix, m = _pretrained_case(submission)
    n, d = matrix.shape
    what = "build_pretrained_model(matrix, maxlen)"
    _check_network(model, n, d, m, what)
    weights = _embedding(model).get_weights()
    assert weights and np.allclose(weights[0], matrix, rtol=0, atol=1e-6), (
        f"the Embedding layer of {what} does not hold the matrix it was given "
        "(set_weights([matrix]) or weights=[matrix])")


@grades("test_build_pretrained_model", points=2)
def test_pretrained_frozen(submission: Submission) -> None:
    """Embedding frozen: trainable and non-trainable parameter counts follow d"""
    model, matrix, m = _pretrained_case(submission)
    n, d = matrix.shape
    what = "build_pretrained_model(matrix, maxlen)"
    _built(model, what)
    assert not _embedding(model).trainable, (
        f"the Embedding layer of {what} is trainable: freeze it (trainable = False)")
    frozen, trainable = _weights(model, "non_trainable_weights"), _weights(model, "trainable_weights")
    assert frozen == n * d and trainable == m * d * 16 + 16 + 17, (
        f"{what} has {trainable:,} trainable and {frozen:,} non-trainable parameters; only the "
        "Embedding layer's num_words x d weights should be frozen")


@grades("test_pretrained_model", points=2)
def test_pretrained_model_accuracy(submission: Submission) -> None:
    """test accuracy of pretrained_model, measured by the graders on the whole test set"""
    x_test, y_test = _test_set()
    assert_accuracy("a2_embeddings.pretrained_model",
                    _model(submission, "pretrained_model", "pretrained_model"), x_test, y_test,
                    fast=submission.fast)


def _check_frozen_matrix(submission: Submission, key: str) -> None:
    model = _model(submission, key, key)
    matrix = np.asarray(_value(submission, "pretrained_matrix", "pretrained_matrix"))
    assert matrix.ndim == 2, "pretrained_matrix is not a matrix"
    n, d = matrix.shape
    _check_network(model, n, d, MAXLEN, key)
    layer = _embedding(model)
    assert not layer.trainable, f"the Embedding layer of {key} is trainable: freeze it"
    frozen = _weights(model, "non_trainable_weights")
    assert frozen == n * d, f"{key} has {frozen:,} non-trainable parameters, not {n:,} x {d}"
    weights = layer.get_weights()[0]
    assert np.array_equal(weights, matrix.astype(np.float32)), (
        f"the Embedding layer of {key} no longer holds pretrained_matrix: the vectors changed "
        "(freeze the layer before compile) or another matrix was loaded")


@grades("test_pretrained_model", points=2)
def test_pretrained_model_unchanged(submission: Submission) -> None:
    """pretrained_model's Embedding is frozen and still holds pretrained_matrix after training"""
    _check_frozen_matrix(submission, "pretrained_model")


# -- 6. 200 training reviews --------------------------------------------------------------------
@grades("test_small_data", points=1)
def test_small_reviews(submission: Submission) -> None:
    """small_indices: 200 different training reviews; x_small, y_small are those reviews"""
    (x_train, y_train), _ = _imdb()
    indices = np.asarray(_value(submission, "small_indices", "small_indices"))
    assert indices.ndim == 1 and indices.dtype.kind in "iu", (
        "small_indices must be a 1-D array of integer indices into x_train")
    assert len(indices) == SMALL and len(np.unique(indices)) == SMALL, (
        f"small_indices holds {len(np.unique(indices))} different reviews, not {SMALL}")
    assert indices.min() >= 0 and indices.max() < len(x_train), (
        "small_indices holds indices outside the training set")
    x_small = np.asarray(_value(submission, "x_small", "x_small"))
    y_small = np.asarray(_value(submission, "y_small", "y_small"))
    assert x_small.shape == (SMALL, MAXLEN) and np.array_equal(x_small, _pad(x_train[indices])), (
        "x_small is not the padded reviews of small_indices: take x_train[small_indices]")
    assert np.array_equal(y_small.reshape(-1), y_train[indices]), (
        "y_small is not the labels of small_indices: take train_labels[small_indices]")


@grades("test_small_data", points=1)
def test_small_training(submission: Submission) -> None:
    """each model trained 20 epochs on 200 reviews in batches of 32 (from its history)"""
    steps = math.ceil(SMALL / SMALL_BATCH)
    for which in ("embedding", "pretrained"):
        name = f"small_{which}_history"
        params = _value(submission, f"small_{which}_params", f"{name}.params")
        assert isinstance(params, dict), f"{name} should be what model.fit(...) returns"
        assert params.get("epochs") == SMALL_EPOCHS, (
            f"{name} comes from a fit of {params.get('epochs')} epochs, not {SMALL_EPOCHS}")
        assert params.get("steps") == steps, (
            f"{name} comes from a fit of {params.get('steps')} batches per epoch, not {steps}: "
            f"train on the {SMALL} reviews of x_small only, with batch_size={SMALL_BATCH}")


@grades("test_small_data", points=1)
def test_small_optimizer_steps(submission: Submission) -> None:
    """the two models are the ones trained: each optimizer ran 20 x 7 steps"""
    steps = SMALL_EPOCHS * math.ceil(SMALL / SMALL_BATCH)
    for which in ("embedding", "pretrained"):
        key = f"small_{which}_model"
        optimizer = getattr(_model(submission, key, key), "optimizer", None)
        assert optimizer is not None, f"{key} is not compiled, so it cannot have been trained"
        done = int(np.asarray(optimizer.iterations))
        assert done == steps, (
            f"{key}'s optimizer ran {done} training steps; 20 epochs on the {SMALL} reviews of "
            f"x_small in batches of {SMALL_BATCH} run {steps} (build, compile and fit it once)")


@grades("test_small_data", points=1)
def test_small_models(submission: Submission) -> None:
    """the two networks: task-specific Embedding(10000, 300), and frozen pretrained_matrix"""
    _check_network(_model(submission, "small_embedding_model", "small_embedding_model"),
                   NUM_WORDS, EMB_DIM, MAXLEN, "small_embedding_model")
    _check_frozen_matrix(submission, "small_pretrained_model")


@cache
def _real_scores(submission: Submission, key: str) -> np.ndarray:
    """Model ``key``'s scores on the real test split (cached: several graders ask for them)."""
    x_test, _ = _test_set()
    return scores(_model(submission, key, key), x_test, what=key)


@cache
def _small_accuracy(submission: Submission, which: str) -> float:
    """The model's accuracy on the test split the notebook received (its scores on the real
    split, reordered, where the notebook got the same reviews)."""
    key = f"small_{which}_model"
    # the scores on the real split are predicted only where they serve (not in the fast mode)
    reordered = notebook_scores(lambda: _real_scores(submission, key), _test_set()[1])
    if reordered is not None:
        predicted, labels = reordered
        return hits(labels, predicted)
    x_test, y_test = _notebook_test_set()
    return accuracy(_model(submission, key, key), x_test, y_test)


@grades("test_small_data", points=1)
def test_small_reported_accuracies(submission: Submission) -> None:
    """the two reported accuracies are the models' accuracies on all the test reviews"""
    n_test = len(_test_set()[1])  # the notebook's split has as many
    from dl4text import config

    shuffled = " (whose labels are shuffled while grading)" if config.label_seed() is not None else ""
    for which in ("embedding", "pretrained"):
        name = f"small_{which}_accuracy"
        reported = _value(submission, name, name)
        measured = _small_accuracy(submission, which)
        assert isinstance(reported, int | float) and abs(reported - measured) <= REPORTED_TOL, (
            f"your notebook reports {name} = {reported}, but small_{which}_model scores "
            f"{measured:.4f} on the {n_test:,} test reviews the notebook received{shuffled}: "
            "evaluate it on all of x_test")


@grades("test_small_data", points=1)
def test_small_pretrained_accuracy(submission: Submission) -> None:
    """test accuracy of small_pretrained_model, measured by the graders"""
    assert_accuracy_of("a2_embeddings.small_pretrained_model",
                       _real_scores(submission, "small_pretrained_model"), _test_set()[1], fast=submission.fast)


