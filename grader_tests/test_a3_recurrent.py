"""Hidden graders for a3_recurrent: recurrent networks, SimpleRNN and LSTM.

The NumPy exercises are compared with Keras's own ``SimpleRNN`` and ``LSTM`` holding the same
weights, on weights, shapes and sequences drawn at grading time. The trained models are loaded
here and measured on the test reviews, prepared by this module's own code the way each exercise
defines its input:

* ``rnn_model``, ``lstm_model``: the first 100 words, ``padding='post'``, ``truncating='post'``
  (the notes' preparation);
* ``long_lstm_model``: the first 500 words, ``padding='pre'``, ``truncating='post'`` (what
  ``prepare_long_reviews`` must return; a masked model works on it too).
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

import numpy as np

from dl4text import course
from dl4text.data.vocabulary import VOCABULARY_SIZE
from dl4text.grading import Probe, Submission, assert_accuracy, grades

if TYPE_CHECKING:  # imported where used: the grading process loads this module for its probe only
    import keras

NUM_WORDS = VOCABULARY_SIZE
UNITS = 16
SHORT_LEN, LONG_LEN = 100, 500


def _rnn_weights(rng: np.random.Generator, features: int, units: int, gates: int = 1
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights in Keras's layout, scaled so that tanh and the sigmoids stay out of saturation."""
    W = rng.normal(scale=1 / np.sqrt(features), size=(features, gates * units))
    U = rng.normal(scale=1 / np.sqrt(units), size=(units, gates * units))
    b = rng.normal(scale=0.5, size=gates * units)
    return W, U, b


def probe(rng: np.random.Generator, fast: bool) -> Probe:
    """What the graders ask of the student's kernel; shapes and values drawn at grading time."""
    p = Probe()
    dims = lambda: (int(rng.integers(2, 6)), int(rng.integers(2, 8)), int(rng.integers(2, 7)))  # noqa: E731

    batch, features, units = dims()
    W, U, b = _rnn_weights(rng, features, units)
    p.call("test_rnn_step", "rnn_step_batch", "rnn_step",
           rng.normal(size=(batch, features)), rng.normal(scale=0.8, size=(batch, units)), W, U, b)
    _, features, units = dims()
    W, U, b = _rnn_weights(rng, features, units)
    p.call("test_rnn_step", "rnn_step_single", "rnn_step",
           rng.normal(size=features), rng.normal(scale=0.8, size=units), W, U, b)

    batch, features, units = dims()
    W, U, b = _rnn_weights(rng, features, units)
    xs = rng.normal(size=(batch, int(rng.integers(3, 13)), features))
    p.call("test_rnn_forward", "rnn_forward_zero_state", "rnn_forward", xs, W, U, b)
    batch, features, units = dims()
    W, U, b = _rnn_weights(rng, features, units)
    xs = rng.normal(size=(batch, int(rng.integers(1, 6)), features))
    p.call("test_rnn_forward", "rnn_forward_h0", "rnn_forward", xs, W, U, b,
           h0=rng.normal(scale=0.8, size=(batch, units)))

    words = int(rng.integers(200, 3000))
    p.model("test_build_rnn_model", "rnn_builder", f"build_rnn_model(num_words={words})")
    p.model("test_rnn_model", "rnn_model", "rnn_model")
    words = int(rng.integers(200, 3000))
    p.model("test_build_lstm_model", "lstm_builder", f"build_lstm_model(num_words={words})")
    p.model("test_lstm_model", "lstm_model", "lstm_model")

    maxlen = int(rng.integers(4, 12))
    lengths = rng.integers(1, 2 * maxlen + 1, size=int(rng.integers(5, 9)))
    lengths[:2] = [maxlen - 1 - int(rng.integers(0, 3)), maxlen + 1 + int(rng.integers(0, 5))]
    p.call("test_prepare_long_reviews", "prepare_small", "prepare_long_reviews",
           [rng.integers(1, NUM_WORDS, size=n).astype(np.int32) for n in rng.permutation(lengths)],
           maxlen=maxlen)
    p.call("test_prepare_long_reviews", "prepare_default", "prepare_long_reviews",
           [rng.integers(1, NUM_WORDS, size=n).astype(np.int32) for n in (int(rng.integers(20, 480)),
                                                                          int(rng.integers(520, 900)))])
    p.model("test_long_lstm_model", "long_lstm_model", "long_lstm_model")

    batch, features, units = dims()
    W, U, b = _rnn_weights(rng, features, units, gates=4)
    p.call("test_lstm_step", "lstm_step", "lstm_step", rng.normal(size=(batch, features)),
           rng.normal(scale=0.8, size=(batch, units)), rng.normal(size=(batch, units)), W, U, b)
    return p


# -- what Keras computes, in this process ----------------------------------------------------

def _keras_simple_rnn(xs: np.ndarray, W: np.ndarray, U: np.ndarray, b: np.ndarray,
                      h0: np.ndarray | None = None) -> np.ndarray:
    """The final state of a Keras ``SimpleRNN`` with weights ``[W, U, b]`` over ``xs``."""
    import keras

    layer = keras.layers.SimpleRNN(U.shape[0])
    layer.build((None, xs.shape[1], xs.shape[2]))
    layer.set_weights([W, U, b])
    state = None if h0 is None else [np.asarray(h0, dtype="float32")]
    return keras.ops.convert_to_numpy(layer(xs.astype("float32"), initial_state=state))


def _keras_lstm_step(x: np.ndarray, h: np.ndarray, c: np.ndarray, W: np.ndarray, U: np.ndarray,
                     b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(h_t, c_t)`` of one step of a Keras ``LSTM`` with weights ``[W, U, b]``."""
    import keras

    layer = keras.layers.LSTM(U.shape[0], return_state=True)
    layer.build((None, 1, x.shape[-1]))
    layer.set_weights([W, U, b])
    _, h_t, c_t = layer(x[:, None, :].astype("float32"),
                        initial_state=[h.astype("float32"), c.astype("float32")])
    return keras.ops.convert_to_numpy(h_t), keras.ops.convert_to_numpy(c_t)


def _close(got: np.ndarray, expected: np.ndarray) -> bool:
    return bool(np.all(np.isfinite(got)) and np.allclose(got, expected, rtol=1e-4, atol=2e-5))


def _numeric(submission: Submission, key: str, function: str) -> np.ndarray:
    got = submission.result(key)
    if not (np.issubdtype(got.dtype, np.number) or got.dtype == bool):
        raise AssertionError(f"{function} should return an array of numbers, not {got.dtype}")
    return got.astype(np.float64)


# -- exercise 1: rnn_step and rnn_forward ----------------------------------------------------

@grades("test_rnn_step", points=2)
def test_rnn_step_on_a_batch(submission: Submission) -> None:
    """rnn_step on a batch, compared with Keras's SimpleRNN"""
    (x, h, W, U, b), _ = submission.inputs("rnn_step_batch")
    got = _numeric(submission, "rnn_step_batch", "rnn_step")
    assert got.shape == h.shape, (f"rnn_step returned shape {got.shape} for h_prev of shape {h.shape}; "
                                  "the new state has the shape of h_prev")
    expected = _keras_simple_rnn(x[:, None, :], W, U, b, h0=h)
    assert _close(got, expected), ("rnn_step differs from one step of Keras's SimpleRNN with the same "
                                   "weights: check tanh(x_t W + h_prev U + b)")


@grades("test_rnn_step", points=1)
def test_rnn_step_on_one_sequence(submission: Submission) -> None:
    """rnn_step on a single sequence (vectors)"""
    (x, h, W, U, b), _ = submission.inputs("rnn_step_single")
    got = _numeric(submission, "rnn_step_single", "rnn_step")
    assert got.shape == h.shape, (f"for a single sequence (x_t of shape {x.shape}, h_prev of shape "
                                  f"{h.shape}) rnn_step returned shape {got.shape}, not a vector")
    expected = _keras_simple_rnn(x[None, None, :], W, U, b, h0=h[None, :])[0]
    assert _close(got, expected), "rnn_step is wrong on a single sequence (1-D x_t and h_prev)"


@grades("test_rnn_forward", points=2)
def test_rnn_forward_from_zero_state(submission: Submission) -> None:
    """rnn_forward from the zero state, compared with Keras's SimpleRNN"""
    (xs, W, U, b), _ = submission.inputs("rnn_forward_zero_state")
    got = _numeric(submission, "rnn_forward_zero_state", "rnn_forward")
    want_shape = (xs.shape[0], U.shape[0])
    assert got.shape == want_shape, (f"rnn_forward returned shape {got.shape} for xs of shape {xs.shape}; "
                                     "it should return the final state, (batch, units)")
    assert _close(got, _keras_simple_rnn(xs, W, U, b)), (
        "rnn_forward differs from Keras's SimpleRNN with the same weights (h0=None must start from "
        "zeros, and every timestep must be read in order)")


@grades("test_rnn_forward", points=1)
def test_rnn_forward_from_h0(submission: Submission) -> None:
    """rnn_forward from a given initial state h0"""
    (xs, W, U, b), kwargs = submission.inputs("rnn_forward_h0")
    got = _numeric(submission, "rnn_forward_h0", "rnn_forward")
    assert got.shape == kwargs["h0"].shape, (f"rnn_forward returned shape {got.shape}; it should return "
                                             "the final state, (batch, units)")
    assert _close(got, _keras_simple_rnn(xs, W, U, b, h0=kwargs["h0"])), (
        "rnn_forward(xs, W, U, b, h0=h0) differs from SimpleRNN started from the state h0: "
        "start the loop from h0 when it is given")


# -- exercises 2 and 3: the models -------------------------------------------------------------

def _layers(model: keras.Model) -> list:
    import keras

    if not model.built:
        try:
            model.build((None, None))
        except Exception:  # noqa: BLE001 - reported below as an unbuilt model
            pass
    return [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]


def _check_architecture(model: keras.Model, recurrent: type, num_words: int) -> None:
    """Embedding(num_words, 16) -> recurrent(16) -> Dense(1, sigmoid), layer by layer."""
    import keras

    layers = _layers(model)
    names = " -> ".join(type(layer).__name__ for layer in layers) or "no layers"
    wanted = f"Embedding -> {recurrent.__name__} -> Dense"
    assert len(layers) == 3 and isinstance(layers[0], keras.layers.Embedding) \
        and isinstance(layers[1], recurrent) and isinstance(layers[2], keras.layers.Dense), (
        f"the model's layers are {names}; this exercise asks for {wanted}")
    embedding, rnn, dense = layers
    assert embedding.input_dim == num_words, (
        f"the Embedding layer has {embedding.input_dim} rows for num_words={num_words}: "
        "give it one row per word id, num_words in all")
    assert embedding.output_dim == UNITS, f"the embeddings have {embedding.output_dim} dimensions, not 16"
    assert rnn.units == UNITS, f"the {recurrent.__name__} layer has {rnn.units} units, not 16"
    assert not getattr(rnn, "return_sequences", False), (
        f"the {recurrent.__name__} layer returns the whole sequence of states: the Dense layer "
        "should see only the final state (return_sequences=False)")
    activation = getattr(dense.activation, "__name__", str(dense.activation))
    assert dense.units == 1 and activation == "sigmoid", (
        f"the last layer is Dense({dense.units}, activation='{activation}'), not Dense(1, activation='sigmoid')")
    assert model.built, "the model is not built: start it with keras.Input(shape=(None,), dtype='int32')"
    gates = 4 if recurrent is keras.layers.LSTM else 1
    expected = [num_words * UNITS, gates * (2 * UNITS * UNITS + UNITS), UNITS + 1]
    got = [layer.count_params() for layer in layers]
    assert got == expected, (f"the layers have {', '.join(f'{n:,}' for n in got)} parameters, which is not "
                             f"what {wanted} with 16 units has for num_words={num_words}")
    assert model.count_params() == sum(expected), (
        f"the model has {model.count_params():,} parameters in all: more than its three layers")


def _load(submission: Submission, key: str) -> keras.Model:
    return submission.model(key)


def _num_words(submission: Submission, key: str) -> int:
    """The vocabulary size the probe ``key`` passed to the builder (it is in the probe's call)."""
    found = re.search(r"num_words=(\d+)", submission.probe.entry(key).target)
    assert found, "grader error: the probe has no num_words"
    return int(found.group(1))


def warm_up(fast: bool) -> None:
    """Load the test reviews as the graders read them before any grading (the graders' server
    runs this, then forks): numpy only."""
    for maxlen, padding in ((SHORT_LEN, "post"), (LONG_LEN, "pre")):
        _test_reviews_in(fast, maxlen, padding)


def _test_reviews(maxlen: int, padding: str) -> tuple[np.ndarray, np.ndarray]:
    """The test reviews (cut in the fast mode), their first ``maxlen`` words padded on ``padding``."""
    return _test_reviews_in(course.is_fast(), maxlen, padding)


@functools.cache
def _test_reviews_in(fast: bool, maxlen: int, padding: str) -> tuple[np.ndarray, np.ndarray]:
    import keras

    (_, _), (test_data, test_labels) = course.load_imdb(num_words=NUM_WORDS, fast=fast)
    x = keras.utils.pad_sequences(test_data, maxlen=maxlen, padding=padding, truncating="post")
    return x.astype(np.int32), test_labels


def _check_accuracy(model: keras.Model, name: str, maxlen: int, padding: str, how: str) -> None:
    x, y = _test_reviews(maxlen, padding)
    assert_accuracy(f"a3_recurrent.{name}", model, x, y, measured_on=how)


@grades("test_build_rnn_model", points=1)
def test_build_rnn_model_for_another_vocabulary(submission: Submission) -> None:
    """build_rnn_model(num_words=...) for a vocabulary size chosen at grading time"""
    import keras

    words = _num_words(submission, "rnn_builder")
    _check_architecture(_load(submission, "rnn_builder"), keras.layers.SimpleRNN, words)


@grades("test_rnn_model", points=1)
def test_rnn_model_layers(submission: Submission) -> None:
    """rnn_model is Embedding(10000, 16) -> SimpleRNN(16) -> Dense(1, sigmoid)"""
    import keras

    _check_architecture(_load(submission, "rnn_model"), keras.layers.SimpleRNN, NUM_WORDS)


@grades("test_rnn_model", points=2)
def test_rnn_model_accuracy(submission: Submission) -> None:
    """rnn_model's test accuracy (first 100 words, post-padded)"""
    _check_accuracy(_load(submission, "rnn_model"), "rnn_model", SHORT_LEN, "post",
                    "the first 100 words of each test review, padded after the review")


@grades("test_build_lstm_model", points=1)
def test_build_lstm_model_for_another_vocabulary(submission: Submission) -> None:
    """build_lstm_model(num_words=...) for a vocabulary size chosen at grading time"""
    import keras

    words = _num_words(submission, "lstm_builder")
    _check_architecture(_load(submission, "lstm_builder"), keras.layers.LSTM, words)


@grades("test_lstm_model", points=1)
def test_lstm_model_layers(submission: Submission) -> None:
    """lstm_model is Embedding(10000, 16) -> LSTM(16) -> Dense(1, sigmoid)"""
    import keras

    _check_architecture(_load(submission, "lstm_model"), keras.layers.LSTM, NUM_WORDS)


@grades("test_lstm_model", points=2)
def test_lstm_model_accuracy(submission: Submission) -> None:
    """lstm_model's test accuracy (first 100 words, post-padded)"""
    _check_accuracy(_load(submission, "lstm_model"), "lstm_model", SHORT_LEN, "post",
                    "the first 100 words of each test review, padded after the review")


# -- exercise 4: the padding trap -----------------------------------------------------------

def _check_prepared(submission: Submission, key: str, maxlen: int) -> None:
    (sequences,), _ = submission.inputs(key)
    got = submission.result(key)
    assert got.shape == (len(sequences), maxlen), (
        f"prepare_long_reviews returned shape {got.shape} for {len(sequences)} reviews and "
        f"maxlen={maxlen}; it should be (number of reviews, maxlen)")
    assert np.issubdtype(got.dtype, np.integer), f"prepare_long_reviews returned {got.dtype}, not int32 ids"
    for row, review in zip(got, sequences, strict=True):
        kept = np.asarray(review)[:maxlen]
        if len(review) > maxlen:
            assert np.array_equal(row, kept), (
                "a review longer than maxlen should keep its FIRST maxlen words (truncating='post')")
        else:
            assert np.array_equal(row[maxlen - len(kept):], kept) and not row[:maxlen - len(kept)].any(), (
                "a review shorter than maxlen should be padded with zeros BEFORE its words "
                "(padding='pre'), its words kept in order")


@grades("test_prepare_long_reviews", points=2)
def test_prepare_long_reviews_pads_before_and_keeps_the_start(submission: Submission) -> None:
    """prepare_long_reviews(sequences, maxlen) on reviews and a maxlen chosen at grading time"""
    _, kwargs = submission.inputs("prepare_small")
    _check_prepared(submission, "prepare_small", kwargs["maxlen"])


@grades("test_prepare_long_reviews", points=1)
def test_prepare_long_reviews_default_length(submission: Submission) -> None:
    """prepare_long_reviews keeps 500 words by default"""
    _check_prepared(submission, "prepare_default", LONG_LEN)


@grades("test_long_lstm_model", points=1)
def test_long_lstm_model_layers(submission: Submission) -> None:
    """long_lstm_model is the same network: Embedding(10000, 16) -> LSTM(16) -> Dense(1, sigmoid)"""
    import keras

    _check_architecture(_load(submission, "long_lstm_model"), keras.layers.LSTM, NUM_WORDS)


@grades("test_long_lstm_model", points=3)
def test_long_lstm_model_accuracy(submission: Submission) -> None:
    """long_lstm_model's test accuracy (first 500 words, pre-padded)"""
    _check_accuracy(_load(submission, "long_lstm_model"), "long_lstm_model", LONG_LEN, "pre",
                    "the first 500 words of each test review, padded BEFORE the review as "
                    "prepare_long_reviews does (train it on prepare_long_reviews(train_data): "
                    "an LSTM trained on post-padded reviews stays near chance)")


# -- bonus: lstm_step (a 0-point cell: its report still tells the student) ---------------------

@grades("test_lstm_step", points=1)
def test_lstm_step_matches_keras(submission: Submission) -> None:
    """lstm_step, compared with one step of Keras's LSTM (bonus, 0 points)"""
    (x, h, c, W, U, b), _ = submission.inputs("lstm_step")
    got = _numeric(submission, "lstm_step", "lstm_step")
    assert got.shape == (2, *h.shape), (
        f"lstm_step should return the tuple (h_t, c_t), each shaped like h_prev {h.shape}; "
        f"together they came back as shape {got.shape}")
    h_t, c_t = _keras_lstm_step(x, h, c, W, U, b)
    assert _close(got[1], c_t), ("the new carry c_t differs from Keras's LSTM: check the gate order "
                                 "(i, f, c, o) and c_t = f * c_prev + i * g")
    assert _close(got[0], h_t), "the new state h_t differs from Keras's LSTM: h_t = o * tanh(c_t)"
