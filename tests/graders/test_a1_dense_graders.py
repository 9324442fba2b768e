"""The a1_dense graders on the solution, the release, and submissions named by what they do wrong.

Each notebook is graded once (module-scoped fixtures) in the fast mode; the tests then check
the points of every test cell and that each failing check names the defect.
"""

from __future__ import annotations

import pytest

from dl4text.runners.standalone import NotebookGrade
from tests.graders.helpers import Notebooks, book_fixtures, points, reasons

ASSIGNMENT = "a1_dense"
BOOK = Notebooks(ASSIGNMENT)
FULL_MARKS = {"test_perceptron": 3, "test_sigmoid": 2, "test_binary_crossentropy": 2,
              "test_vectorize_sequences": 3, "test_build_dense_model": 4, "test_validation": 3,
              "test_final_model": 4}

# -- what a student who copies the notes' code (and forgets a line) submits ---------------------
NO_BIAS_PERCEPTRON = '''
def perceptron(x, w, b):
    return (np.asarray(x) @ np.asarray(w) > 0).astype(int)
'''
NAIVE_SIGMOID = '''
def sigmoid(x):
    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))
'''
UNCLIPPED_BCE = '''
def binary_crossentropy(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    return -np.mean(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred))
'''
FLOAT64_LOOP_VECTORIZER = '''
def vectorize_sequences(sequences, dimension=10000):
    results = np.zeros((len(sequences), dimension))
    for i, sequence in enumerate(sequences):
        results[i, sequence] = 1.
    return results
'''
# The solution returns uint8; the notes' loop in float32 (4 bytes) and a bool matrix (1 byte) are
# as good: full points, and the networks train on them as on uint8.
FLOAT32_LOOP_VECTORIZER = '''
def vectorize_sequences(sequences, dimension=10000):
    results = np.zeros((len(sequences), dimension), dtype=np.float32)
    for i, sequence in enumerate(sequences):
        results[i, sequence] = 1.
    return results
'''
BOOL_VECTORIZER = '''
def vectorize_sequences(sequences, dimension=10000):
    results = np.zeros((len(sequences), dimension), dtype=bool)
    for i, sequence in enumerate(sequences):
        results[i, sequence] = True
    return results
'''
ZERO_BASED_BEST_EPOCH = '''
best_epoch = int(np.argmin(history.history["val_loss"]))
'''
UNTRAINED_FINAL_MODEL = '''
final_model = build_dense_model()
test_loss, test_accuracy = final_model.evaluate(x_test, test_labels, verbose=0)
'''

# -- a submission with the right parameter total in the wrong layers, and more -------------------
RIGHT_TOTAL_WRONG_LAYERS = '''
def build_dense_model(input_dim=10000):
    # 16 * input_dim + 16, then 204 + 78 + 7 = 289 = 272 + 17: the total is right, the layers not
    model = keras.Sequential([keras.Input(shape=(input_dim,)),
                              layers.Dense(16, activation="relu"),
                              layers.Dense(12, activation="relu"),
                              layers.Dense(6, activation="relu"),
                              layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    return model
'''
LAST_REVIEWS_TEN_EPOCHS = '''
x_val, y_val = x_train[-n_val:], train_labels[-n_val:]
partial_x_train, partial_y_train = x_train[:-n_val], train_labels[:-n_val]
model = build_dense_model()
history = model.fit(partial_x_train, partial_y_train, epochs=10, batch_size=512,
                    validation_data=(x_val, y_val), verbose=0)
'''
TEST_ACCURACY_ON_TRAINING_DATA = '''
final_model = build_dense_model()
final_history = final_model.fit(x_train[:300], train_labels[:300], epochs=20, batch_size=512,
                                verbose=0)
test_loss, test_accuracy = final_model.evaluate(x_train[:300], train_labels[:300], verbose=0)
'''

# -- the two attacks on what the notebook reports -------------------------------------------------
# Histories with the right fields and numbers, written by hand; neither model is ever trained.
MADE_UP_HISTORY = '''
x_val, y_val = x_train[:n_val], train_labels[:n_val]
partial_x_train, partial_y_train = x_train[n_val:], train_labels[n_val:]
model = build_dense_model()
history = keras.callbacks.History()
history.set_model(model)
history.params = {"verbose": 2, "epochs": 20, "steps": -(-len(partial_x_train) // 512)}
curve = np.concatenate([np.linspace(0.45, 0.27, 4), np.linspace(0.28, 0.70, 16)])
history.history = {"loss": np.linspace(0.50, 0.01, 20).tolist(), "val_loss": curve.tolist(),
                   "accuracy": np.linspace(0.80, 0.99, 20).tolist(),
                   "val_accuracy": np.linspace(0.86, 0.85, 20).tolist()}
'''
MADE_UP_FINAL_HISTORY = '''
final_model = build_dense_model()
final_history = keras.callbacks.History()
final_history.set_model(final_model)
final_history.params = {"verbose": 2, "epochs": 4, "steps": -(-len(x_train) // 512)}
final_history.history = {"loss": [0.45, 0.26, 0.20, 0.17], "accuracy": [0.82, 0.91, 0.93, 0.94]}
test_loss, test_accuracy = final_model.evaluate(x_test, test_labels, verbose=0)
'''
# Fitted on the test reviews and their labels: with the true labels it would beat the target.
FITTED_ON_TEST_SET = '''
final_model = build_dense_model()
final_history = final_model.fit(x_test, test_labels, epochs=4, batch_size=512, verbose=2)
test_loss, test_accuracy = final_model.evaluate(x_test, test_labels, verbose=0)
'''


solution, release = book_fixtures(BOOK)


@pytest.fixture(scope="module")
def notes_code_untrained_final(tmp_path_factory: pytest.TempPathFactory) -> NotebookGrade:
    """The notes' float64 loop, no bias, naive sigmoid, no clipping, 0-based best_epoch, no fit."""
    return BOOK.grade(tmp_path_factory, "notes_code_untrained_final", BOOK.with_sources({
        "perceptron": NO_BIAS_PERCEPTRON, "sigmoid": NAIVE_SIGMOID,
        "binary_crossentropy": UNCLIPPED_BCE, "vectorize_sequences": FLOAT64_LOOP_VECTORIZER,
        "best_epoch": ZERO_BASED_BEST_EPOCH, "final_model": UNTRAINED_FINAL_MODEL}))


@pytest.fixture(scope="module")
def wrong_layers_wrong_split_train_accuracy(tmp_path_factory: pytest.TempPathFactory
                                            ) -> NotebookGrade:
    """Right total, wrong layers; last reviews held out, 10 epochs; accuracy on training data."""
    return BOOK.grade(tmp_path_factory, "wrong_layers_wrong_split_train_accuracy", BOOK.with_sources({
        "build_dense_model": RIGHT_TOTAL_WRONG_LAYERS, "validation": LAST_REVIEWS_TEN_EPOCHS,
        "final_model": TEST_ACCURACY_ON_TRAINING_DATA}))


@pytest.fixture(scope="module")
def made_up_histories(tmp_path_factory: pytest.TempPathFactory) -> NotebookGrade:
    """history and final_history written by hand; the two models never trained; bool multi-hot."""
    return BOOK.grade(tmp_path_factory, "made_up_histories", BOOK.with_sources({
        "vectorize_sequences": BOOL_VECTORIZER, "validation": MADE_UP_HISTORY,
        "final_model": MADE_UP_FINAL_HISTORY}))


@pytest.fixture(scope="module")
def fitted_on_test_set(tmp_path_factory: pytest.TempPathFactory) -> NotebookGrade:
    """final_model fitted on (test_data, test_labels), evaluated on them; float32 multi-hot."""
    return BOOK.grade(tmp_path_factory, "fitted_on_test_set", BOOK.with_sources({
        "vectorize_sequences": FLOAT32_LOOP_VECTORIZER, "final_model": FITTED_ON_TEST_SET}))


def test_source_metadata() -> None:
    """Test cells carry the points the graders share out; no hidden tests in the notebook."""
    nb = BOOK.source()
    cells = {c.metadata.nbgrader.grade_id: c for c in nb.cells if "nbgrader" in c.metadata}
    assert {g: cells[g].metadata.nbgrader.points for g in FULL_MARKS} == FULL_MARKS
    assert cells["why_validation_turns"].metadata.nbgrader.points == 2
    assert cells["why_validation_turns"].cell_type == "markdown"
    assert not any("HIDDEN TESTS" in c.source for c in nb.cells)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_solution_gets_full_marks(solution: NotebookGrade) -> None:
    assert not solution.error
    failed = [t for t in solution.as_json()["tests"] if t["reason"]]
    assert points(solution) == FULL_MARKS, failed
    assert [m["name"] for m in solution.measured] == ["a1_dense.final_model"]


def test_release_gets_zero(release: NotebookGrade) -> None:
    assert points(release) == dict.fromkeys(FULL_MARKS, 0.0)
    assert "NotImplementedError" in reasons(release, "test_perceptron")
    assert "not defined" in reasons(release, "test_final_model")


def test_notes_code_points(notes_code_untrained_final: NotebookGrade) -> None:
    assert points(notes_code_untrained_final) == {
        "test_perceptron": 0.0,            # no bias: wrong everywhere, and all-zero inputs say so
        "test_sigmoid": 1.0,               # right values, but overflows
        "test_binary_crossentropy": 1.0,   # right formula, no clipping
        "test_vectorize_sequences": 1.5,   # right values, float64
        "test_build_dense_model": 4.0,
        "test_validation": 2.0,            # best_epoch counted from 0
        "test_final_model": 1.5,           # never trained: accuracy and training checks fail
    }


def test_notes_code_reasons(notes_code_untrained_final: NotebookGrade) -> None:
    grade = notes_code_untrained_final
    assert "did you add b?" in reasons(grade, "test_perceptron")
    assert "overflows" in reasons(grade, "test_sigmoid")
    assert "clip" in reasons(grade, "test_binary_crossentropy")
    assert "float64" in reasons(grade, "test_vectorize_sequences")
    assert "GB" in reasons(grade, "test_vectorize_sequences")
    assert "Use uint8" in reasons(grade, "test_vectorize_sequences")
    assert "counted from 1" in reasons(grade, "test_validation")
    final = reasons(grade, "test_final_model")
    assert "below the target" in final and "final_history" in final
    assert grade.measured and grade.measured[0]["accuracy"] < 0.7  # an untrained model


def test_wrong_layers_points(wrong_layers_wrong_split_train_accuracy: NotebookGrade) -> None:
    assert points(wrong_layers_wrong_split_train_accuracy) == {
        "test_perceptron": 3.0, "test_sigmoid": 2.0, "test_binary_crossentropy": 2.0,
        "test_vectorize_sequences": 3.0,
        "test_build_dense_model": 3.0,     # 160,305 in total, but four layers
        "test_validation": 1.0,            # last reviews held out, 10 epochs; best_epoch agrees
        "test_final_model": 0.0,           # wrong layers, 300 reviews, accuracy on training data
    }


def test_wrong_layers_reasons(wrong_layers_wrong_split_train_accuracy: NotebookGrade) -> None:
    grade = wrong_layers_wrong_split_train_accuracy
    assert "Dense(12)" in reasons(grade, "test_build_dense_model")
    validation = reasons(grade, "test_validation")
    assert "first n_val" in validation and "10 epochs" in validation
    final = reasons(grade, "test_final_model")
    assert "below the target" in final
    assert "not on training data" in final
    assert "20 epochs, not 4" in final
    assert "Dense(12)" in final


def test_made_up_histories_points(made_up_histories: NotebookGrade) -> None:
    """A bool multi-hot matrix (1 byte a number) gets the vectorize points, like uint8."""
    assert not reasons(made_up_histories, "test_vectorize_sequences")
    assert points(made_up_histories) == {**FULL_MARKS,
                                         "test_validation": 1.0,   # the split only
                                         "test_final_model": 1.5}  # architecture, reported accuracy


def test_made_up_histories_reasons(made_up_histories: NotebookGrade) -> None:
    validation = reasons(made_up_histories, "test_validation")
    assert "history says 20 epochs of 6 batches (120 training steps) but the model was trained " \
           "0 steps" in validation
    assert "best_epoch cannot be checked" in validation
    final = reasons(made_up_histories, "test_final_model")
    assert "final_history says 4 epochs of 10 batches (40 training steps) but final_model was " \
           "trained 0 steps" in final
    assert "below the target" in final


def test_fitted_on_test_set_points(fitted_on_test_set: NotebookGrade) -> None:
    """The kernel's test labels are shuffled while grading: the model fits noise.

    The training counts and the reported accuracy (measured on what the kernel got) are
    right; the graders' own measurement, on the true labels, is about 0.5. Its multi-hot
    matrix is float32 (the notes' loop, 4 bytes a number): full points for it, and its models
    train on it as well as on the solution's uint8 one.
    """
    assert not reasons(fitted_on_test_set, "test_vectorize_sequences")
    assert points(fitted_on_test_set) == {**FULL_MARKS, "test_final_model": 2.0}
    final = reasons(fitted_on_test_set, "test_final_model")
    assert "below the target" in final and "trained on the test set" in final
    assert fitted_on_test_set.measured[0]["accuracy"] < 0.6
