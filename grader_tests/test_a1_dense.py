"""Hidden graders of a1_dense: the perceptron, the sigmoid, binary cross-entropy, multi-hot
vectors, the dense network, its validation curves and the final model's test accuracy.

Every input below is drawn from ``rng`` at grading time; expected values are computed here,
with Keras's own ops and the course's own preprocessing, never with the student's code.

What the notebook reports is checked against what the graders see themselves:

* ``history`` (exercise 6) belongs to a model, ``history.model``, saved here: its optimizer
  must have run the steps the history claims (epochs x batches per epoch), and its loss and
  accuracy on the graders' own validation split (the first ``n_val`` training reviews,
  multi-hot) must be the last ``val_loss`` and ``val_accuracy`` of the history; its loss on
  the training reviews after them must be close to the last ``loss``. A history written by
  hand, or copied from another run, fails.
* ``final_model``'s optimizer must have run 4 epochs x ceil(training reviews / 512) steps,
  whatever ``final_history`` says.
* ``test_accuracy`` must be ``final_model``'s accuracy on the test split the notebook
  received. While grading, the kernel gets the test reviews in a secret order with their
  labels shuffled (:mod:`dl4text.grading.data_view`, ``DL4TEXT_LABEL_SEED``): the graders
  rebuild that split with :func:`dl4text.course.notebook_test_set`, and measure the model's
  score on the true labels, so a model fitted on the test set scores about 0.5.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import numpy as np

from dl4text.data.vocabulary import VOCABULARY_SIZE
from dl4text.grading import (
    Probe,
    StudentError,
    Submission,
    assert_accuracy_of,
    batch_scores,
    grades,
    hits,
    notebook_scores,
)

DIM = VOCABULARY_SIZE
VAL_EPOCHS = 20
FINAL_EPOCHS = 4
BATCH = 512
N_VAL = {False: 10000, True: 2000}  # held-out reviews at full size / in the fast mode
SIGMOID_TOL = 1e-7
BCE_TOL = 1e-6
REPORTED_TOL = 0.005
VAL_LOSS_TOL = (2e-3, 0.02)  # the history's last val_loss vs the graders': 2e-3 + 2% of it (Keras
# computes the loss from the sigmoid's logits, the graders from its clipped output: 0.7% apart
# after 20 epochs at full size, ~1e-7 in the fast mode)
VAL_ACCURACY_TOL = 2e-3   # the history's last val_accuracy vs the graders' (1 review = 5e-4 fast)
TRAIN_LOSS_TOL = (0.05, 0.5)  # |loss at the end - last epoch's mean| <= 0.05 + 0.5 x that mean
FITTED_TEST_LABELS = 0.55  # accuracy on the kernel's shuffled test labels of a model fitted on them
CHUNK = 1024              # reviews multi-hot encoded at a time, into one reused 40 MB buffer
# Inputs on which `sigmoid` runs with NumPy's overflow and invalid warnings turned into errors.
# They need not be secret: whatever a submission does for them, it must not overflow.
OVERFLOW_INPUTS = [-1e4, -1000.0, -745.5, -710.0, -50.0, 0.0, 50.0, 710.0, 745.5, 1000.0, 1e4]
OVERFLOW_EXPR = ("__import__('numpy').errstate(over='raise', invalid='raise')(sigmoid)"
                 f"(__import__('numpy').array({OVERFLOW_INPUTS!r}))")
NP = "__import__('numpy')"


# -- what to ask of the kernel ------------------------------------------------------------------
def probe(rng: np.random.Generator, fast: bool) -> Probe:
    p = Probe()
    _probe_perceptron(p, rng)
    _probe_sigmoid(p, rng)
    _probe_bce(p, rng)
    _probe_vectorize(p, rng)
    k = int(rng.integers(100, 3000))
    p.model("test_build_dense_model", "dense_default", "build_dense_model()")
    p.model("test_build_dense_model", "dense_k", f"build_dense_model(input_dim={k})")
    p.value("test_validation", "val_lengths",
            "[len(x_val), len(y_val), len(partial_x_train), len(partial_y_train)]")
    p.value("test_validation", "val_labels", f"{NP}.asarray(y_val)")
    p.value("test_validation", "val_words", f"{NP}.count_nonzero({NP}.asarray(x_val), axis=1)")
    p.value("test_validation", "history", "history.history")
    p.value("test_validation", "history_params", "history.params")
    p.value("test_validation", "best_epoch", "best_epoch")
    p.model("test_validation", "validation_model", "history.model")
    p.model("test_final_model", "final_model", "final_model")
    p.value("test_final_model", "final_params", "final_history.params")
    p.value("test_final_model", "test_accuracy", "float(test_accuracy)")
    return p


def _probe_perceptron(p: Probe, rng: np.random.Generator) -> None:
    n = int(rng.integers(3, 9))
    w = rng.normal(size=n)
    for i in range(4):
        x = rng.normal(size=n)
        s = float(x @ w)
        if i < 2:  # the bias flips the decision that w . x alone would make
            b = -s + float(rng.uniform(0.2, 1.0)) * (-1.0 if s > 0 else 1.0)
        else:
            b = _off_step(s, float(rng.normal()))
        p.call("test_perceptron", f"perceptron_single_{i}", "perceptron", x, w, b)
    for sign, key in ((1.0, "perceptron_zero_pos"), (-1.0, "perceptron_zero_neg")):
        b = sign * float(rng.uniform(0.1, 2))
        p.call("test_perceptron", key, "perceptron", np.zeros(n), w, b)
    for sign, key in ((1.0, "perceptron_batch_pos"), (-1.0, "perceptron_batch_neg")):
        m = int(rng.integers(6, 13))
        b = sign * float(rng.uniform(0.1, 1.0))
        x = rng.normal(size=(m, n))
        for row in range(m):  # keep every weighted sum away from the step
            while abs(float(x[row] @ w) + b) < 0.05:
                x[row] = rng.normal(size=n)
        x[rng.choice(m, size=2, replace=False)] = 0.0  # all-zero inputs: the bias decides
        p.call("test_perceptron", key, "perceptron", x, w, b)


def _off_step(s: float, b: float) -> float:
    """Move ``b`` so that ``s + b`` is not within 0.05 of the step."""
    if abs(s + b) < 0.05:
        b += 0.1 if s + b >= 0 else -0.1
    return b


def _probe_sigmoid(p: Probe, rng: np.random.Generator) -> None:
    vector = rng.normal(scale=6.0, size=int(rng.integers(10, 30)))
    matrix = rng.normal(scale=6.0, size=(3, int(rng.integers(2, 7))))
    p.call("test_sigmoid", "sigmoid_vector", "sigmoid", vector)
    p.call("test_sigmoid", "sigmoid_matrix", "sigmoid", matrix)
    signs = rng.choice([-1.0, 1.0], size=6)
    large = np.concatenate([[-1e4, 1e4], rng.uniform(40, 1e4, size=6) * signs])
    p.call("test_sigmoid", "sigmoid_large", "sigmoid", rng.permutation(large))
    p.value("test_sigmoid", "sigmoid_no_overflow", OVERFLOW_EXPR)


def _probe_bce(p: Probe, rng: np.random.Generator) -> None:
    n = int(rng.integers(8, 21))
    y_true = rng.integers(0, 2, size=n).astype(np.float64)
    p.call("test_binary_crossentropy", "bce_ordinary", "binary_crossentropy",
           y_true, rng.uniform(0.02, 0.98, size=n))
    n = int(rng.integers(10, 21))
    y_true = rng.integers(0, 2, size=n)
    y_true[:4] = [1, 0, 1, 0]
    y_pred = rng.uniform(0.02, 0.98, size=n)
    # exactly 0 and 1, wrong and right, and values inside the clipped margins
    y_pred[:6] = [0.0, 1.0, 1.0, 0.0, 1e-9, 1.0 - 1e-9]
    order = rng.permutation(n)
    p.call("test_binary_crossentropy", "bce_clipped", "binary_crossentropy",
           y_true[order], y_pred[order])


def _probe_vectorize(p: Probe, rng: np.random.Generator) -> None:
    dim = int(rng.integers(30, 300))
    p.call("test_vectorize_sequences", "vectorize_own_dim", "vectorize_sequences",
           _object_array(_reviews(rng, dim, np.int32)), dimension=dim)
    p.call("test_vectorize_sequences", "vectorize_default", "vectorize_sequences",
           [r.tolist() for r in _reviews(rng, DIM, np.int64)])


def _reviews(rng: np.random.Generator, dim: int, dtype: type) -> list[np.ndarray]:
    """Reviews with an empty one, id 0, the largest id and repeated ids, in a random order."""
    n = int(rng.integers(8, 15))
    reviews = [rng.integers(0, dim, size=int(rng.integers(1, 40))) for _ in range(n - 4)]
    reviews.append(np.array([], dtype=np.int64))
    reviews.append(np.concatenate([[0], rng.integers(0, dim, size=5)]))
    reviews.append(np.concatenate([rng.integers(0, dim, size=5), [dim - 1]]))
    word = int(rng.integers(0, dim))
    reviews.append(np.array([word, 1 % dim, word, word]))
    return [reviews[i].astype(dtype) for i in rng.permutation(len(reviews))]


def _object_array(reviews: list[np.ndarray]) -> np.ndarray:
    """A 1-D object array of id arrays, like the course's ``train_data``."""
    out = np.empty(len(reviews), dtype=object)
    out[:] = [None] * len(reviews)
    for i, review in enumerate(reviews):
        out[i] = review
    return out


# -- the grader's own data and reference values ---------------------------------------------------
def warm_up(fast: bool) -> None:
    """Load the real data before any grading (the graders' server runs this, then forks).

    In the fast mode also the full test split: the notebook's test reviews are picked from it.
    """
    _imdb_in(fast)
    if fast:
        _imdb_in(False)


def _imdb() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    from dl4text import course

    return _imdb_in(course.is_fast())


@cache
def _imdb_in(fast: bool) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    from dl4text import course

    return course.load_imdb(num_words=DIM, fast=fast)


@cache
def _notebook_test_set() -> tuple[np.ndarray, np.ndarray]:
    """The test reviews and labels the notebook received (shuffled labels under a view).

    Under a view, picked from the real test split where :func:`dl4text.course.kernel_test_order`
    says they lie (the same reviews as :func:`dl4text.course.notebook_test_set`, nothing decoded).
    """
    from dl4text import config, course

    if not _under_view():
        return _imdb()[1]
    positions, labels = course.kernel_test_order(config.label_seed())
    return _imdb_in(False)[1][0][positions], labels


def _under_view() -> bool:
    from dl4text import config

    return config.label_seed() is not None


def _scores(model: Any, reviews: np.ndarray, what: str) -> np.ndarray:
    """``model``'s outputs for ``reviews`` (id sequences), multi-hot encoded a chunk at a time."""
    from dl4text.grading.multihot import multi_hot_batches

    return batch_scores(model, multi_hot_batches(reviews, DIM, CHUNK), len(reviews), what=what,
                        on="multi-hot reviews")


def _bce(y: np.ndarray, scores: np.ndarray) -> float:
    """Keras's binary cross-entropy: predictions clipped into [1e-7, 1 - 1e-7], mean."""
    p = np.clip(scores, 1e-7, 1 - 1e-7)
    y = np.asarray(y, dtype=np.float64)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _steps_run(model: Any, what: str) -> int:
    """How many training steps ``model``'s optimizer ran (0 for a model never compiled)."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return 0
    try:
        return int(np.asarray(optimizer.iterations))
    except Exception:  # noqa: BLE001 - an optimizer without a step count never ran
        return 0


def _value(submission: Submission, key: str, label: str) -> Any:
    """``submission.value(key)``, with ``label`` instead of the probe's expression in a reason."""
    try:
        return submission.value(key)
    except StudentError as exc:
        raise StudentError(str(exc).replace(submission.probe.entry(key).target, label)) from None


def _keras_sigmoid(x: np.ndarray) -> np.ndarray:
    import keras

    return np.asarray(keras.ops.sigmoid(np.asarray(x, dtype=np.float64)))


def _keras_bce(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    import keras

    return float(keras.losses.binary_crossentropy(np.asarray(y_true, dtype=np.float64),
                                                  np.asarray(y_pred, dtype=np.float64)))


def _multi_hot(reviews: Any, dim: int) -> np.ndarray:
    out = np.zeros((len(reviews), dim))
    for i, review in enumerate(reviews):
        out[i, np.asarray(review, dtype=np.int64)] = 1.0
    return out


# -- 1. perceptron ------------------------------------------------------------------------------
def _perceptron_ok(submission: Submission, key: str, batch: bool) -> None:
    (x, w, b), _ = submission.inputs(key)
    got = submission.result(key)
    want = (np.asarray(x) @ np.asarray(w) + b > 0).astype(np.int64)
    if batch:
        assert got.shape == want.shape, (f"perceptron(x, w, b) on a batch of {len(x)} inputs "
                                         f"returned shape {got.shape}, not ({len(x)},)")
    else:
        assert got.size == 1, (f"perceptron(x, w, b) on one input returned {got.size} numbers, "
                               "not one")
    assert np.all((got == 0) | (got == 1)), "perceptron(x, w, b) must return 0s and 1s"
    where = "a batch of inputs" if batch else "one input"
    assert np.array_equal(got.reshape(want.shape).astype(np.int64), want), (
        f"perceptron(x, w, b) gives wrong outputs on {where}: it must be 1 when w . x + b > 0, "
        "else 0")


@grades("test_perceptron", points=1)
def test_perceptron_one_input(submission: Submission) -> None:
    """one input: one 0 or 1, the step of w . x + b"""
    for i in range(4):
        _perceptron_ok(submission, f"perceptron_single_{i}", batch=False)


@grades("test_perceptron", points=1)
def test_perceptron_batch(submission: Submission) -> None:
    """a batch of inputs: one 0 or 1 per row"""
    for key in ("perceptron_batch_pos", "perceptron_batch_neg"):
        _perceptron_ok(submission, key, batch=True)


@grades("test_perceptron", points=1)
def test_perceptron_all_zero_input(submission: Submission) -> None:
    """all-zero inputs: the bias decides"""
    for key in ("perceptron_zero_pos", "perceptron_zero_neg"):
        (x, w, b), _ = submission.inputs(key)
        got = submission.result(key)
        assert got.size == 1 and int(got.reshape(-1)[0]) == int(b > 0), (
            "perceptron(x, w, b) gives the wrong output for an all-zero input: then w . x = 0 "
            "and only the bias b decides (did you add b?)")


# -- 2. sigmoid ---------------------------------------------------------------------------------
@grades("test_sigmoid", points=1)
def test_sigmoid_matches_keras(submission: Submission) -> None:
    """equal to keras.ops.sigmoid on ordinary inputs, same shape"""
    for key in ("sigmoid_vector", "sigmoid_matrix"):
        (x,), _ = submission.inputs(key)
        got = submission.result(key)
        assert got.shape == np.shape(x), (f"sigmoid(x) returned shape {got.shape} for x of shape "
                                          f"{np.shape(x)}")
        assert np.all(np.isfinite(got)), "sigmoid(x) returned inf or nan"
        diff = float(np.max(np.abs(got.astype(np.float64) - _keras_sigmoid(x))))
        assert diff <= SIGMOID_TOL, (f"sigmoid(x) differs from keras.ops.sigmoid by up to "
                                     f"{diff:.2g} (allowed {SIGMOID_TOL:g})")


@grades("test_sigmoid", points=1)
def test_sigmoid_large_inputs(submission: Submission) -> None:
    """no overflow, finite and exact for |x| up to 1e4"""
    try:
        got = np.asarray(_value(submission, "sigmoid_no_overflow",
                                "sigmoid(x) under np.errstate(over='raise', invalid='raise')"),
                         dtype=np.float64)
    except StudentError as exc:
        if "FloatingPointError" in str(exc):
            raise AssertionError(
                "sigmoid overflows for large |x| (NumPy: 'overflow encountered in exp' or an "
                "invalid inf/inf): take exp only of -|x|, as the exercise explains") from None
        raise
    (large,), _ = submission.inputs("sigmoid_large")
    for x, y in ((np.array(OVERFLOW_INPUTS), got), (large, submission.result("sigmoid_large"))):
        y = np.asarray(y, dtype=np.float64)
        assert y.shape == x.shape, f"sigmoid(x) returned shape {y.shape} for x of shape {x.shape}"
        assert np.all(np.isfinite(y)), "sigmoid(x) returns inf or nan for large |x|"
        assert np.max(np.abs(y - _keras_sigmoid(x))) <= SIGMOID_TOL, (
            "sigmoid(x) is wrong for large |x|: it must be 0 for x = -1e4 and 1 for x = 1e4, "
            "as keras.ops.sigmoid gives")


# -- 3. binary cross-entropy --------------------------------------------------------------------
def _bce_check(submission: Submission, key: str, what: str) -> None:
    (y_true, y_pred), _ = submission.inputs(key)
    got = submission.result(key)
    assert got.size == 1, (f"binary_crossentropy returned {got.size} numbers for {len(y_true)} "
                           "examples: return their mean, one number")
    value = float(got.reshape(-1)[0])
    assert math.isfinite(value), f"binary_crossentropy returned {value} {what}: clip y_pred first"
    want = _keras_bce(y_true, y_pred)
    assert abs(value - want) <= BCE_TOL, (
        f"binary_crossentropy differs from keras.losses.binary_crossentropy {what} "
        f"by {abs(value - want):.2g} (allowed {BCE_TOL:g})")


@grades("test_binary_crossentropy", points=1)
def test_bce_matches_keras(submission: Submission) -> None:
    """equal to Keras's binary cross-entropy on ordinary predictions, one number"""
    _bce_check(submission, "bce_ordinary", "on ordinary predictions")


@grades("test_binary_crossentropy", points=1)
def test_bce_clips_as_keras(submission: Submission) -> None:
    """predictions of exactly 0 and 1 clipped as Keras clips them"""
    _bce_check(submission, "bce_clipped",
               "when some predictions are exactly 0 or 1 (clip into [1e-7, 1 - 1e-7])")


# -- 4. vectorize_sequences ---------------------------------------------------------------------
def _vectorized(submission: Submission, key: str) -> tuple[np.ndarray, list, int]:
    args, kwargs = submission.inputs(key)
    dim = int(kwargs.get("dimension", DIM))
    return submission.result(key), list(args[0]), dim


@grades("test_vectorize_sequences", points=1.5)
def test_vectorize_values(submission: Submission) -> None:
    """multi-hot rows on hidden reviews: repeated ids, an empty review, id 0, the largest id"""
    for key, which in (("vectorize_own_dim", "with a dimension of the graders' choice"),
                       ("vectorize_default", "with the default dimension")):
        got, reviews, dim = _vectorized(submission, key)
        assert got.shape == (len(reviews), dim), (
            f"vectorize_sequences {which} returned shape {got.shape} for {len(reviews)} reviews; "
            "expected (number of reviews, dimension)")
        want = _multi_hot(reviews, dim)
        wrong = np.flatnonzero(np.any(got.astype(np.float64) != want, axis=1))
        if len(wrong):
            lengths = [len(reviews[i]) for i in wrong]
            hint = (" (an empty review must give a row of zeros)" if 0 in lengths else
                    " (a repeated id must still give 1)" if np.any(got > 1) else "")
            raise AssertionError(f"vectorize_sequences {which} gives wrong values in {len(wrong)} "
                                 f"of {len(reviews)} rows{hint}")


@grades("test_vectorize_sequences", points=1.5)
def test_vectorize_memory(submission: Submission) -> None:
    """at most 4 bytes per number (uint8 or bool, up to float32): dtype and nbytes"""
    for key in ("vectorize_own_dim", "vectorize_default"):
        got, reviews, dim = _vectorized(submission, key)
        limit = len(reviews) * dim * 4
        gigabytes = 25000 * DIM * got.dtype.itemsize / 1e9
        assert got.dtype.kind in "biuf", (f"vectorize_sequences returns {got.dtype} values, "
                                          "not numbers")
        assert got.nbytes <= limit and got.dtype.itemsize <= 4, (
            f"vectorize_sequences returns {got.dtype} ({got.dtype.itemsize} bytes per number): "
            f"the 25,000 training reviews would take {gigabytes:.1f} GB. Use uint8 (1 byte, "
            "0.25 GB) or at most float32 (4 bytes)")


# -- 5. build_dense_model -----------------------------------------------------------------------
def _dense_layers(model: Any) -> list[Any]:
    return [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]


def _count(model: Any, what: str) -> int:
    try:
        return int(model.count_params())
    except Exception:  # noqa: BLE001 - an unbuilt model cannot count
        raise AssertionError(f"{what} is not built: give it an input shape with "
                             "keras.Input(shape=(input_dim,))") from None


def _layer_summary(model: Any) -> str:
    parts = []
    for layer in _dense_layers(model):
        units = getattr(layer, "units", None)
        name = type(layer).__name__
        parts.append(f"{name}({units})" if units is not None else name)
    return " -> ".join(parts) or "no layers"


def _check_dense_structure(model: Any, input_dim: int, what: str) -> None:
    _count(model, what)
    found = _dense_layers(model)
    shape = (f"{what} has {_layer_summary(model)}; the exercise asks for "
             "Dense(16) -> Dense(16) -> Dense(1)")
    assert len(found) == 3 and all(type(layer).__name__ == "Dense" for layer in found), shape
    counts = [int(layer.count_params()) for layer in found]
    want = [input_dim * 16 + 16, 16 * 16 + 16, 16 + 1]
    assert counts == want, (f"{what}: per-layer parameter counts {counts} for "
                            f"input_dim={input_dim}; expected Dense(16) on the input, Dense(16), "
                            "then Dense(1)")


@grades("test_build_dense_model", points=1)
def test_model_total_parameters(submission: Submission) -> None:
    """160,305 parameters at the default input_dim"""
    model = submission.model("dense_default")
    total = _count(model, "build_dense_model()")
    assert total == 160_305, f"build_dense_model() has {total:,} parameters, not 160,305"


@grades("test_build_dense_model", points=1)
def test_model_layers(submission: Submission) -> None:
    """three Dense layers and their parameter counts, for an input size chosen at grading time"""
    entry = submission.probe.entry("dense_k")
    input_dim = int(entry.target.split("input_dim=")[1].rstrip(")"))
    _check_dense_structure(submission.model("dense_k"), input_dim,
                           f"build_dense_model(input_dim={input_dim})")


@grades("test_build_dense_model", points=1)
def test_model_activations(submission: Submission) -> None:
    """relu in the hidden layers, sigmoid at the output"""
    found = _dense_layers(submission.model("dense_default"))
    assert found, "the model has no layers"
    names = [str(layer.get_config().get("activation")) for layer in found]
    assert names[-1] == "sigmoid", f"the output layer's activation is {names[-1]!r}, not 'sigmoid'"
    assert all(name == "relu" for name in names[:-1]), (
        f"the hidden layers' activations are {names[:-1]}: use 'relu'")


def _plain_name(obj: Any) -> str:
    """'rmsprop', 'binarycrossentropy', 'accuracy'… from a compile-config entry."""
    if isinstance(obj, dict):
        name = obj.get("class_name", "")
        if (name == "function" or not name) and isinstance(obj.get("config"), str):
            name = obj["config"]
        elif name == "function" or not name:
            name = obj.get("registered_name") or ""
        return str(name).lower().replace("_", "")
    return str(obj).lower().replace("_", "")


@grades("test_build_dense_model", points=1)
def test_model_compiled(submission: Submission) -> None:
    """compiled with rmsprop, binary cross-entropy and accuracy"""
    model = submission.model("dense_default")
    config = model.get_compile_config() if hasattr(model, "get_compile_config") else None
    assert config, ("build_dense_model() returns a model that is not compiled: "
                    "call model.compile(...)")
    optimizer = _plain_name(config.get("optimizer"))
    assert optimizer == "rmsprop", (f"the model is compiled with the optimizer {optimizer!r}, "
                                    "not rmsprop")
    loss = config.get("loss")
    assert _plain_name(loss) in {"binarycrossentropy", "bce"}, (
        f"the model is compiled with the loss {_plain_name(loss)!r}, not binary_crossentropy")
    if isinstance(loss, dict) and isinstance(loss.get("config"), dict):
        assert not loss["config"].get("from_logits"), (
            "the loss has from_logits=True, but the model's output is already a sigmoid "
            "probability")
    metrics = config.get("metrics") or []
    metrics = metrics if isinstance(metrics, list | tuple) else [metrics]
    names = {_plain_name(m) for m in metrics}
    assert names & {"accuracy", "acc", "binaryaccuracy"}, (
        "compile the model with metrics=['accuracy']")


# -- 6. validation ------------------------------------------------------------------------------
def _accuracy_key(history: dict) -> str | None:
    for key in ("accuracy", "acc", "binary_accuracy"):
        if key in history and f"val_{key}" in history:
            return key
    return None


def _history(submission: Submission) -> dict[str, list[float]]:
    history = submission.value("history")
    assert isinstance(history, dict), "history.history should be the dict that model.fit returns"
    return history


@grades("test_validation", points=1)
def test_validation_split(submission: Submission) -> None:
    """the first n_val training reviews held out for validation"""
    n_val = N_VAL[submission.fast]
    (x_train, y_train), _ = _imdb()
    lengths = _value(submission, "val_lengths",
                     "the lengths of x_val, y_val, partial_x_train, partial_y_train")
    want = [n_val, n_val, len(x_train) - n_val, len(x_train) - n_val]
    assert list(lengths) == want, (
        f"len(x_val), len(y_val), len(partial_x_train), len(partial_y_train) are {lengths}: hold "
        f"out the first n_val = {n_val} training reviews, train on the {len(x_train) - n_val} "
        "after them")
    labels = np.asarray(_value(submission, "val_labels", "y_val"))
    words = np.asarray(_value(submission, "val_words", "x_val"))
    distinct = np.array([len(np.unique(review)) for review in x_train[:n_val]])
    same = (np.array_equal(labels.reshape(-1), y_train[:n_val])
            and np.array_equal(words.reshape(-1), distinct))
    assert same, ("x_val and y_val are not the first n_val training reviews and their labels: "
                  "take x_train[:n_val], train_labels[:n_val]")


def _params(submission: Submission, key: str, label: str) -> dict:
    params = _value(submission, key, label)
    assert isinstance(params, dict), f"{label} should be the dict that model.fit's History holds"
    return params


def _validation_model(submission: Submission) -> Any:
    try:
        return submission.model("validation_model")
    except StudentError as exc:
        raise AssertionError(
            "history is not what model.fit returned: the graders cannot find the model it "
            f"belongs to, history.model ({exc})") from None


@cache
def _history_trained(submission: Submission) -> str:
    """'' when history's model ran the steps history claims, else the reason it did not."""
    history = _history(submission)
    params = _params(submission, "history_params", "history.params")
    epochs, steps = params.get("epochs"), params.get("steps")
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in (epochs, steps)):
        return f"history.params says epochs={epochs!r}, steps={steps!r}: not what model.fit records"
    lengths = {name: len(v) for name, v in history.items() if isinstance(v, list)}
    if any(n != epochs for n in lengths.values()):
        return f"history.params says {epochs} epochs but history.history holds {lengths}"
    done = _steps_run(_validation_model(submission), "history.model")
    if done != epochs * steps:
        return (f"history says {epochs} epochs of {steps} batches ({epochs * steps} training steps) "
                f"but the model was trained {done} steps (its optimizer's count): history must be "
                "what model.fit returned when it trained the model")
    return ""


@grades("test_validation", points=1)
def test_validation_history(submission: Submission) -> None:
    """20 epochs at batch size 512, with loss, val_loss, accuracy and val_accuracy; checked against the model"""
    n_val = N_VAL[submission.fast]
    (x_train, y_train), _ = _imdb()
    history = _history(submission)
    key = _accuracy_key(history)
    assert "loss" in history and "val_loss" in history and key, (
        f"history.history has {sorted(history)}: train with validation_data=(x_val, y_val) and a "
        "model compiled with metrics=['accuracy']")
    for name in ("loss", "val_loss", key, f"val_{key}"):
        values = history[name]
        assert len(values) == VAL_EPOCHS, (f"history.history['{name}'] has {len(values)} epochs, "
                                           f"not {VAL_EPOCHS}")
        assert all(isinstance(v, int | float) and math.isfinite(v) for v in values), (
            f"history.history['{name}'] holds values that are not finite numbers")
    params = _params(submission, "history_params", "history.params")
    steps = math.ceil((len(x_train) - n_val) / BATCH)
    assert params.get("epochs") == VAL_EPOCHS, (
        f"history comes from a fit of {params.get('epochs')} epochs, not {VAL_EPOCHS}")
    assert params.get("steps") == steps, (
        f"history comes from a fit of {params.get('steps')} batches per epoch: train on "
        f"partial_x_train with batch_size={BATCH}")
    assert history["loss"][-1] < history["loss"][0], (
        "the training loss does not fall: is the model trained?")
    reason = _history_trained(submission)
    assert not reason, reason
    # The saved model holds the weights after the last epoch, whose validation figures the
    # history's last entries are: the graders measure them on their own validation split.
    model = _validation_model(submission)
    scores = _scores(model, x_train[:n_val], "history.model")
    loss, correct = _bce(y_train[:n_val], scores), hits(y_train[:n_val], scores)
    reported_loss, reported_hits = history["val_loss"][-1], history[f"val_{key}"][-1]
    slack, share = VAL_LOSS_TOL
    assert (abs(loss - reported_loss) <= slack + share * abs(reported_loss)
            and abs(correct - reported_hits) <= VAL_ACCURACY_TOL), (
        f"history's last val_loss and val_{key} are {reported_loss:.4f} and {reported_hits:.4f}, but "
        f"on the first n_val = {n_val} training reviews its model scores {loss:.4f} and "
        f"{correct:.4f}: validate on x_val, y_val (the first n_val reviews), and keep the history of "
        "that training")
    # The last epoch's loss is a mean over the epoch, while the weights still change: close.
    scores = _scores(model, x_train[n_val:], "history.model")
    loss, (slack, share) = _bce(y_train[n_val:], scores), TRAIN_LOSS_TOL
    assert abs(loss - history["loss"][-1]) <= slack + share * history["loss"][-1], (
        f"history's last training loss is {history['loss'][-1]:.4f}, but its model's loss on the "
        f"reviews after the first n_val is {loss:.4f}: train on partial_x_train, partial_y_train")


@grades("test_validation", points=1)
def test_best_epoch(submission: Submission) -> None:
    """best_epoch: the epoch (from 1) of the lowest validation loss in the notebook's own history"""
    history = _history(submission)
    best = submission.value("best_epoch")
    assert isinstance(best, int) and not isinstance(best, bool), (
        f"best_epoch is a {type(best).__name__}, not an int")
    val_loss = history.get("val_loss") or []
    assert val_loss, "history.history has no 'val_loss'"
    reason = _history_trained(submission)
    assert not reason, f"best_epoch cannot be checked: {reason}"
    lowest = int(np.argmin(val_loss)) + 1
    if best != lowest and best == lowest - 1:
        raise AssertionError("best_epoch is one less than the epoch of the lowest val_loss in your "
                             "history: epochs are counted from 1")
    assert best == lowest, "best_epoch is not the epoch of the lowest val_loss in your history"


# -- 7. final model -----------------------------------------------------------------------------
@cache
def _test_scores(submission: Submission) -> np.ndarray:
    """final_model's outputs for the real test reviews, in ``load_imdb``'s order."""
    _, (x_test, _) = _imdb()
    return _scores(submission.model("final_model"), x_test, "final_model")


@cache
def _notebook_accuracy(submission: Submission) -> float:
    """final_model's accuracy on the test split the notebook received (its labels, its order).

    At full size the notebook's test reviews are the real ones in a secret order: their
    scores are the real test set's, reordered. In the fast mode the notebook got other
    reviews (the cut comes after the secret order): those are scored here.
    """
    reordered = notebook_scores(_test_scores(submission), _imdb()[1][1])
    if reordered is not None:
        scores, labels = reordered
        return hits(labels, scores)
    x_test, y_test = _notebook_test_set()
    return hits(y_test, _scores(submission.model("final_model"), x_test, "final_model"))


@grades("test_final_model", points=2)
def test_final_model_accuracy(submission: Submission) -> None:
    """test accuracy of final_model, measured by the graders on the test set"""
    _, (_, y_test) = _imdb()
    try:
        assert_accuracy_of("a1_dense.final_model", _test_scores(submission), y_test,
                           fast=submission.fast)
    except AssertionError as exc:
        fitted = _notebook_accuracy(submission) if _under_view() else 0.0
        if fitted >= FITTED_TEST_LABELS:
            raise AssertionError(
                f"{exc}. The model fits the shuffled labels the notebook received for the test "
                f"reviews ({fitted:.2f}, where a model that never saw them scores about 0.5): it "
                "was trained on the test set, which gains nothing") from None
        raise


@grades("test_final_model", points=0.5)
def test_final_model_architecture(submission: Submission) -> None:
    """final_model is the dense network of exercise 5"""
    _check_dense_structure(submission.model("final_model"), DIM, "final_model")


@grades("test_final_model", points=0.5)
def test_final_model_training(submission: Submission) -> None:
    """final_model trained 4 epochs on all the training reviews at batch size 512 (its optimizer's steps)"""
    (x_train, _), _ = _imdb()
    params = submission.value("final_params")
    assert isinstance(params, dict), "final_history should be what final_model.fit(...) returns"
    steps = math.ceil(len(x_train) / BATCH)
    assert params.get("epochs") == FINAL_EPOCHS, (
        f"final_history comes from a fit of {params.get('epochs')} epochs, not {FINAL_EPOCHS}")
    assert params.get("steps") == steps, (
        f"final_history comes from a fit of {params.get('steps')} batches per epoch: train on all "
        f"of x_train with batch_size={BATCH}")
    done = _steps_run(submission.model("final_model"), "final_model")
    assert done == FINAL_EPOCHS * steps, (
        f"final_history says {FINAL_EPOCHS} epochs of {steps} batches ({FINAL_EPOCHS * steps} "
        f"training steps) but final_model was trained {done} steps (its optimizer's count): build "
        "final_model once and fit it once, 4 epochs on x_train")


@grades("test_final_model", points=1)
def test_final_model_reported_accuracy(submission: Submission) -> None:
    """the notebook's test_accuracy is final_model's accuracy on the test set it received"""
    reported = _value(submission, "test_accuracy", "test_accuracy")
    measured = _notebook_accuracy(submission)
    shuffled = " (whose labels are shuffled while grading)" if _under_view() else ""
    assert isinstance(reported, int | float) and abs(reported - measured) <= REPORTED_TOL, (
        f"your notebook reports test_accuracy = {reported}, but final_model scores {measured:.4f} "
        f"on the test set the notebook received{shuffled}: evaluate final_model on x_test and "
        "test_labels, not on training data")
