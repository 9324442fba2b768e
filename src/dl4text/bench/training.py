"""Training: the course's five models at the lecture notes' sizes, seconds per epoch and accuracy.

Each model is the notes' network in current Keras, trained with rmsprop and batch 512 after
:func:`dl4text.course.seed_everything`, then evaluated on the test reviews:

============ ======================================================== ==========================
model        network                                                  input, epochs (full run)
============ ======================================================== ==========================
dense        Dense(16, relu) -> Dense(16, relu) -> Dense(1, sigmoid)  multi-hot 10,000, 4
embedding    Embedding(10000, 300) -> Flatten -> Dense(16) -> Dense(1)  first 100 words, 5
frozen       the same with a frozen pretrained matrix (GloVe-50 by     first 100 words, 10
             default: :func:`dl4text.embeddings.load_vectors`)
simple_rnn   Embedding(10000, 16) -> SimpleRNN(16) -> Dense(1)         first 100 words, 4
lstm         Embedding(10000, 16) -> LSTM(16) -> Dense(1)              first 100 words, 4
============ ======================================================== ==========================

Sequences are post-padded and post-truncated to 100 words, as in the notes. The notes give
4 epochs for the dense and recurrent models and none for the embedding models: 5 is where
the embedding model's validation loss is lowest here, the frozen one learns more slowly.
The quick run trains each model one epoch on 2,000 training reviews and tests it on 2,000
(the first of the fast mode's 5,000 + 5,000).

All five train in one child process (TensorFlow is imported once); the peak resident
memory of each is the process's peak while that model is prepared and trained (Linux: the
peak is reset before each model). Child: ``python -m dl4text.bench.training [--quick]``.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
import traceback
from typing import Any

from dl4text.bench.child import child_env, emit, peak_mb, reset_peak, run_module
from dl4text.bench.report import TrainingRow
from dl4text.data.vocabulary import VOCABULARY_SIZE

MODELS = ("dense", "embedding", "frozen", "simple_rnn", "lstm")
EPOCHS = {"dense": 4, "embedding": 5, "frozen": 10, "simple_rnn": 4, "lstm": 4}
QUICK_EPOCHS = 1
QUICK_REVIEWS = 2000  # of each split, in the quick run
MAXLEN = 100
NUM_WORDS = VOCABULARY_SIZE
BATCH = 512
ARCHITECTURE = {
    "dense": "multi-hot -> Dense(16) -> Dense(16) -> Dense(1)",
    "embedding": "Embedding(10000, 300) -> Flatten -> Dense(16) -> Dense(1)",
    "frozen": "frozen pretrained Embedding(10000, d) -> Flatten -> Dense(16) -> Dense(1)",
    "simple_rnn": "Embedding(10000, 16) -> SimpleRNN(16) -> Dense(1)",
    "lstm": "Embedding(10000, 16) -> LSTM(16) -> Dense(1)",
}
#: the lecture notes' test accuracies (the frozen model's with Word2Vec-300, see COURSE.md)
NOTES_ACCURACY = {"dense": 0.8800, "embedding": 0.8033, "frozen": 0.7843, "simple_rnn": 0.8073,
                  "lstm": 0.8044}


# -- child side ---------------------------------------------------------------------------------
def build(name: str, matrix: Any = None) -> Any:
    """Return the compiled Keras model ``name`` (``matrix``: the frozen model's weights)."""
    import keras
    from keras import layers

    if name == "dense":
        stack = [keras.Input(shape=(NUM_WORDS,)), layers.Dense(16, activation="relu"),
                 layers.Dense(16, activation="relu")]
    elif name in ("embedding", "frozen"):
        dim = 300 if name == "embedding" else int(matrix.shape[1])
        stack = [keras.Input(shape=(MAXLEN,)), layers.Embedding(NUM_WORDS, dim), layers.Flatten(),
                 layers.Dense(16, activation="relu")]
    elif name == "simple_rnn":
        stack = [keras.Input(shape=(MAXLEN,)), layers.Embedding(NUM_WORDS, 16), layers.SimpleRNN(16)]
    elif name == "lstm":
        stack = [keras.Input(shape=(MAXLEN,)), layers.Embedding(NUM_WORDS, 16), layers.LSTM(16)]
    else:
        raise ValueError(f"unknown model {name!r}; known: {', '.join(MODELS)}")
    model = keras.Sequential([*stack, layers.Dense(1, activation="sigmoid")])
    if name == "frozen":
        model.layers[0].set_weights([matrix])
        model.layers[0].trainable = False
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _frozen_matrix() -> tuple[Any, str]:
    from dl4text.data import get_word_index
    from dl4text.embeddings import load_vectors
    from dl4text.grading.matrix import embedding_matrix

    matrix, found = embedding_matrix(get_word_index(), load_vectors(), num_words=NUM_WORDS)
    vectors = os.environ.get("DL4TEXT_VECTORS") or "glove-50"
    return matrix, f"{vectors} vectors, {matrix.shape[1]}-d, {found:,} of {NUM_WORDS:,} rows found"


def train_one(name: str, epochs: int, data: tuple) -> dict[str, Any]:
    """Prepare the inputs, build, train and evaluate model ``name``; return its figures."""
    import keras
    import numpy as np

    from dl4text import course
    from dl4text.grading.multihot import multi_hot

    (x_train, y_train), (x_test, y_test) = data
    note, matrix = "", None
    if name == "dense":
        inputs = multi_hot(x_train, NUM_WORDS), multi_hot(x_test, NUM_WORDS)
    else:
        inputs = tuple(keras.utils.pad_sequences(x, maxlen=MAXLEN, padding="post", truncating="post")
                       for x in (x_train, x_test))
    if name == "frozen":
        matrix, note = _frozen_matrix()
    course.seed_everything(0)
    model = build(name, matrix)
    times: list[float] = []

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self.started = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            times.append(time.perf_counter() - self.started)

    model.fit(inputs[0], y_train, epochs=epochs, batch_size=BATCH, verbose=0, callbacks=[EpochTimer()])
    _, accuracy = model.evaluate(inputs[1], y_test, batch_size=BATCH, verbose=0)
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    return {"model": name, "params": int(model.count_params()), "trainable": trainable,
            "epochs": epochs, "epoch_seconds": times, "accuracy": float(accuracy), "note": note,
            "train_reviews": len(y_train), "test_reviews": len(y_test)}


def _child(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dl4text.bench.training")
    parser.add_argument("--quick", action="store_true", help="one epoch each (run with DL4TEXT_FAST=1)")
    parser.add_argument("--models", default=",".join(MODELS))
    args = parser.parse_args(argv)
    import keras

    from dl4text import course

    data = course.load_imdb(num_words=NUM_WORDS)
    if args.quick:
        data = tuple((x[:QUICK_REVIEWS], y[:QUICK_REVIEWS]) for x, y in data)
    results = []
    for name in args.models.split(","):
        gc.collect()
        reset_peak()
        try:
            row = train_one(name, QUICK_EPOCHS if args.quick else EPOCHS[name], data)
        except Exception as exc:  # noqa: BLE001 - one failing model must not hide the others
            traceback.print_exc()
            row = {"model": name, "error": f"{type(exc).__name__}: {str(exc)[:300]}"}
        row["peak_mb"] = peak_mb()
        results.append(row)
        keras.backend.clear_session()
    emit({"models": results})


# -- parent side --------------------------------------------------------------------------------
def measure(*, quick: bool, models: tuple[str, ...] = MODELS) -> list[TrainingRow]:
    """Train every model in one child; the quick run uses the fast mode and one epoch each."""
    env = child_env({"DL4TEXT_FAST": "1" if quick else "0"})
    args = ["--models", ",".join(models)] + (["--quick"] if quick else [])
    child = run_module("dl4text.bench.training", *args, env=env)
    reported = {r.get("model"): r for r in child.report.get("models", [])}
    rows = []
    for name in models:
        r = reported.get(name)
        row = TrainingRow(model=name, architecture=ARCHITECTURE[name],
                          notes_accuracy=None if quick else NOTES_ACCURACY[name])
        if r is None:
            row.note = f"not measured: the training process failed ({child.failure()})"
        elif "error" in r:
            row.note = f"failed: {r['error']}"
            row.peak_mb = r.get("peak_mb")
        else:
            row.params, row.trainable, row.epochs = r["params"], r["trainable"], r["epochs"]
            row.epoch_seconds = [round(s, 4) for s in r["epoch_seconds"]]
            row.peak_mb, row.accuracy = r["peak_mb"], r["accuracy"]
            sizes = f"{r['train_reviews']:,} training / {r['test_reviews']:,} test reviews"
            row.note = "; ".join(part for part in (r.get("note", ""), sizes if quick else "") if part)
            if name == "frozen" and not quick:
                row.note += "; the notes' figure is with Word2Vec-300"
        rows.append(row)
    return rows


if __name__ == "__main__":
    _child(sys.argv[1:])
    sys.stdout.flush()
    os._exit(0)
