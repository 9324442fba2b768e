"""The a3_recurrent graders on the solution, the release, and submissions named by what they do wrong.

Each notebook is graded once (module-scoped fixtures) in the fast mode; the tests then check
the points of every test cell and that each failing check names the defect. The wrong
submissions combine independent defects so that few notebooks have to train.
"""

from __future__ import annotations

import pytest

from dl4text.runners.standalone import NotebookGrade
from tests.graders.helpers import Notebooks, book_fixtures, passed, points, reasons

ASSIGNMENT = "a3_recurrent"
BOOK = Notebooks(ASSIGNMENT)
FULL_MARKS = {"test_rnn_step": 2, "test_rnn_forward": 2, "test_build_rnn_model": 1,
              "test_rnn_model": 2, "test_build_lstm_model": 1, "test_lstm_model": 2,
              "test_prepare_long_reviews": 1, "test_long_lstm_model": 3, "test_lstm_step": 0}

# -- the notes' padding, a Lambda layer, a hard-coded vocabulary, and more ----------------------
FORWARD_IGNORES_H0 = '''
def rnn_forward(xs, W, U, b, h0=None):
    xs = np.asarray(xs)
    h = np.zeros((xs.shape[0], np.shape(W)[1]))
    for t in range(xs.shape[1]):
        h = rnn_step(xs[:, t, :], h, W, U, b)
    return h
'''
RNN_WITH_LAMBDA = '''
def build_rnn_model(num_words=10000, dropout=0.0):
    model = keras.Sequential([
        keras.Input(shape=(None,), dtype="int32"),
        keras.layers.Embedding(num_words, 16),
        keras.layers.Lambda(lambda vectors: vectors * 1.0),
        keras.layers.SimpleRNN(16, dropout=dropout),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    return model
'''
LSTM_HARD_CODED_VOCABULARY = '''
def build_lstm_model(num_words=10000):
    model = keras.Sequential([
        keras.Input(shape=(None,), dtype="int32"),
        keras.layers.Embedding(10000, 16),
        keras.layers.LSTM(16),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    return model
'''
POST_PADDING = '''
def prepare_long_reviews(sequences, maxlen=500):
    return keras.utils.pad_sequences(sequences, maxlen=maxlen, padding="post", truncating="post")
'''
ONE_EPOCH_ON_POST_PADDED = '''
long_lstm_model = build_lstm_model()
long_history = long_lstm_model.fit(x_train_long, train_labels, epochs=1, batch_size=BATCH_SIZE,
                                   verbose=2)
'''
LSTM_STEP_GATES_SWAPPED = '''
def lstm_step(x_t, h_prev, c_prev, W, U, b):
    sigmoid = lambda z: 1 / (1 + np.exp(-z))
    units = np.shape(U)[0]
    z = x_t @ W + h_prev @ U + b
    i, f = sigmoid(z[:, :units]), sigmoid(z[:, units:2 * units])
    o, g = sigmoid(z[:, 2 * units:3 * units]), np.tanh(z[:, 3 * units:])   # i, f, o, c: wrong order
    c_t = f * c_prev + i * g
    return o * np.tanh(c_t), c_t
'''

# -- a partial submission: no tanh, a model without keras.Input, no training code, the LSTM part not done
STEP_WITHOUT_TANH = '''
def rnn_step(x_t, h_prev, W, U, b):
    return x_t @ W + h_prev @ U + b
'''
RNN_WITHOUT_INPUT = '''
def build_rnn_model(num_words=10000, dropout=0.0):
    model = keras.Sequential([
        keras.layers.Embedding(num_words, 16),
        keras.layers.SimpleRNN(16, dropout=dropout),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    return model
'''
NOT_DONE = '''
raise NotImplementedError()
'''

# -- models that never learned enough: built but never trained, trained on a tenth of the data --
UNTRAINED = '''
rnn_model = build_rnn_model()  # built and compiled, never trained
rnn_history = None
'''
TENTH_OF_THE_DATA = '''
tenth = len(x_train) // 10
lstm_model = build_lstm_model()
lstm_history = lstm_model.fit(x_train[:tenth], train_labels[:tenth], epochs=EPOCHS_LSTM,
                              batch_size=BATCH_SIZE, verbose=2)
'''


solution, release = book_fixtures(BOOK)


@pytest.fixture(scope="module")
def notes_padding_lambda_fixed_vocabulary(tmp_path_factory: pytest.TempPathFactory) -> NotebookGrade:
    return BOOK.grade(tmp_path_factory, "notes_padding_lambda_fixed_vocabulary", BOOK.with_sources({
        "rnn_forward": FORWARD_IGNORES_H0,
        "build_rnn_model": RNN_WITH_LAMBDA,
        "build_lstm_model": LSTM_HARD_CODED_VOCABULARY,
        "prepare_long_reviews": POST_PADDING,
        "long_lstm_model": ONE_EPOCH_ON_POST_PADDED,
        "lstm_step": LSTM_STEP_GATES_SWAPPED,
    }))


@pytest.fixture(scope="module")
def no_tanh_no_input_lstm_not_done(tmp_path_factory: pytest.TempPathFactory) -> NotebookGrade:
    return BOOK.grade(tmp_path_factory, "no_tanh_no_input_lstm_not_done", BOOK.with_sources({
        "rnn_step": STEP_WITHOUT_TANH,
        "build_rnn_model": RNN_WITHOUT_INPUT,
        "train_rnn_model": NOT_DONE,
        "build_lstm_model": NOT_DONE,
        "train_lstm_model": NOT_DONE,
        "prepare_long_reviews": NOT_DONE,
        "long_lstm_model": NOT_DONE,
        "lstm_step": NOT_DONE,
    }))


@pytest.fixture(scope="module")
def untrained_rnn_tenth_lstm(tmp_path_factory: pytest.TempPathFactory) -> NotebookGrade:
    return BOOK.grade(tmp_path_factory, "untrained_rnn_tenth_lstm", BOOK.with_sources({
        "train_rnn_model": UNTRAINED,
        "train_lstm_model": TENTH_OF_THE_DATA,
        "long_lstm_model": NOT_DONE,
    }))


def test_solution_gets_full_marks(solution: NotebookGrade) -> None:
    assert not solution.error, solution.error
    assert points(solution) == FULL_MARKS, [reasons(solution, g) for g in FULL_MARKS]
    assert solution.max_score == sum(FULL_MARKS.values()) == 14
    assert passed(solution, "test_lstm_step") == [True], "the bonus solution should pass its check"


def test_release_gets_zero(release: NotebookGrade) -> None:
    assert points(release) == dict.fromkeys(FULL_MARKS, 0)
    for grade_id in FULL_MARKS:
        assert "NotImplementedError" in reasons(release, grade_id) \
            or "not defined" in reasons(release, grade_id), (grade_id, reasons(release, grade_id))


def test_notes_padding_lambda_fixed_vocabulary(notes_padding_lambda_fixed_vocabulary: NotebookGrade) -> None:
    grade = notes_padding_lambda_fixed_vocabulary
    assert points(grade) == {
        "test_rnn_step": 2, "test_rnn_forward": 1.3333, "test_build_rnn_model": 0, "test_rnn_model": 0,
        "test_build_lstm_model": 0, "test_lstm_model": 2, "test_prepare_long_reviews": 0,
        "test_long_lstm_model": 0.75, "test_lstm_step": 0}, [reasons(grade, g) for g in FULL_MARKS]
    assert "start the loop from h0" in reasons(grade, "test_rnn_forward")
    assert "Lambda" in reasons(grade, "test_build_rnn_model")
    assert "Lambda" in reasons(grade, "test_rnn_model")
    assert "rows for num_words=" in reasons(grade, "test_build_lstm_model")
    assert "BEFORE its words" in reasons(grade, "test_prepare_long_reviews")
    long_reason = reasons(grade, "test_long_lstm_model")
    assert "below the target" in long_reason and "padded BEFORE the review" in long_reason
    assert passed(grade, "test_lstm_step") == [False]
    assert "gate order" in reasons(grade, "test_lstm_step")


def test_no_tanh_no_input_lstm_not_done(no_tanh_no_input_lstm_not_done: NotebookGrade) -> None:
    grade = no_tanh_no_input_lstm_not_done
    assert points(grade) == {
        "test_rnn_step": 0, "test_rnn_forward": 0, "test_build_rnn_model": 1, "test_rnn_model": 0,
        "test_build_lstm_model": 0, "test_lstm_model": 0, "test_prepare_long_reviews": 0,
        "test_long_lstm_model": 0, "test_lstm_step": 0}, [reasons(grade, g) for g in FULL_MARKS]
    # a model the student never trained scores nothing: the notebook no longer trains for them
    assert "not defined" in reasons(grade, "test_rnn_model") or "NotImplementedError" in reasons(
        grade, "test_rnn_model"), reasons(grade, "test_rnn_model")
    assert "tanh(x_t W + h_prev U + b)" in reasons(grade, "test_rnn_step")
    assert "differs from Keras's SimpleRNN" in reasons(grade, "test_rnn_forward")
    for grade_id in ("test_rnn_model", "test_build_lstm_model", "test_lstm_model", "test_prepare_long_reviews",
                     "test_long_lstm_model"):
        assert "NotImplementedError" in reasons(grade, grade_id) or "not defined" in reasons(grade, grade_id)


def test_an_untrained_model_and_a_tenth_of_the_data_fail_the_accuracy(
        untrained_rnn_tenth_lstm: NotebookGrade) -> None:
    grade = untrained_rnn_tenth_lstm
    # the architecture checks pass (a third of each cell); the accuracy checks do not
    assert points(grade) == {**FULL_MARKS, "test_rnn_model": 0.6667, "test_lstm_model": 0.6667,
                             "test_long_lstm_model": 0}, [reasons(grade, g) for g in FULL_MARKS]
    for grade_id in ("test_rnn_model", "test_lstm_model"):
        assert passed(grade, grade_id) == [True, False], (grade_id, reasons(grade, grade_id))
        assert "below the target" in reasons(grade, grade_id), reasons(grade, grade_id)
    measured = {m["name"]: m["accuracy"] for m in grade.measured}
    assert measured["a3_recurrent.rnn_model"] < 0.6 and measured["a3_recurrent.lstm_model"] < 0.6, measured
