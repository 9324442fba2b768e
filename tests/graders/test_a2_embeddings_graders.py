"""The a2_embeddings graders on the solution, the release, and submissions named by what they do wrong.

Each notebook is graded once (module-scoped fixtures) in the fast mode; the tests then check
the points of every test cell and that each failing check names the defect. The two faulty
submissions train little or nothing, so that their accuracies are far from the targets: the
untrained models fail them, the models trained as the solution trains pass them.
"""

from __future__ import annotations

import re

import pytest

from dl4text.runners.standalone import NotebookGrade
from tests.graders.helpers import Notebooks, book_fixtures, failed_checks, reasons
from tests.graders.helpers import points as _points

ASSIGNMENT = "a2_embeddings"
BOOK = Notebooks(ASSIGNMENT)


def points(grade: NotebookGrade) -> dict[str, float]:
    """grade_id -> points earned, to 3 decimals (shares of 3 or 6 checks)."""
    return _points(grade, 3)
FULL_MARKS = {"test_pad_reviews": 2, "test_build_embedding_model": 2, "test_embedding_model": 2,
              "test_build_embedding_matrix": 3, "test_build_pretrained_model": 2,
              "test_pretrained_model": 2, "test_small_data": 2}
MEASURED = ["a2_embeddings.embedding_model", "a2_embeddings.pretrained_model",
            "a2_embeddings.small_pretrained_model"]

# -- a student who copies the notes' code: Keras's padding defaults, input_length, matrix[rank] --
KERAS_DEFAULT_PADDING = '''
def pad_reviews(sequences, maxlen=100):
    return keras.utils.pad_sequences(sequences, maxlen=maxlen)


x_train = pad_reviews(train_data, max_DocLen)
x_test = pad_reviews(test_data, max_DocLen)
'''
INPUT_LENGTH_UNBUILT = '''
def build_embedding_model(num_words=10000, embedding_dim=300, maxlen=100):
    model = keras.Sequential()
    model.add(layers.Embedding(num_words, embedding_dim, input_length=maxlen))
    model.add(layers.Flatten())
    model.add(layers.Dense(16, activation="relu"))
    model.add(layers.Dense(1, activation="sigmoid"))
    return model
'''
NOT_TRAINED_EMBEDDING_MODEL = '''
embedding_model = build_embedding_model(max_unique_tokens, 300, max_DocLen)
embedding_model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
'''
NOTES_MATRIX = '''
def build_embedding_matrix(word_index, vectors, num_words=10000, index_from=3):
    matrix = np.zeros((num_words, vectors.vector_size))
    for word, wid in word_index.items():
        if wid < num_words:
            try:
                embedding_vector = vectors[word]
            except KeyError:
                embedding_vector = np.zeros((vectors.vector_size,))
            matrix[wid] = embedding_vector
    return matrix


pretrained_matrix = build_embedding_matrix(word_index, vectors, max_unique_tokens)
'''
NOT_FROZEN = '''
def build_pretrained_model(matrix, maxlen=100):
    num_words, dim = matrix.shape
    model = keras.Sequential([keras.Input(shape=(maxlen,)), layers.Embedding(num_words, dim),
                              layers.Flatten(), layers.Dense(16, activation="relu"),
                              layers.Dense(1, activation="sigmoid")])
    model.layers[0].set_weights([matrix])
    return model


pretrained_model = build_pretrained_model(pretrained_matrix, max_DocLen)
'''
NOT_TRAINED_PRETRAINED_MODEL = '''
pretrained_model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
'''
NOT_DONE = '''
raise NotImplementedError()
'''

# -- a student who hard-codes sizes, keeps extra rows, retrains the vectors, reports the wrong
#    accuracies and trains the small model on more reviews --------------------------------------
HARD_CODED_MAXLEN = '''
def pad_reviews(sequences, maxlen=100):
    return keras.utils.pad_sequences(sequences, maxlen=100, padding="post", truncating="post")


x_train = pad_reviews(train_data, max_DocLen)
x_test = pad_reviews(test_data, max_DocLen)
'''
HARD_CODED_SIZES = '''
def build_embedding_model(num_words=10000, embedding_dim=300, maxlen=100):
    return keras.Sequential([keras.Input(shape=(100,)), layers.Embedding(10000, 300),
                             layers.Flatten(), layers.Dense(16, activation="relu"),
                             layers.Dense(1, activation="sigmoid")])
'''
ROWS_PAST_NUM_WORDS = '''
def build_embedding_matrix(word_index, vectors, num_words=10000, index_from=3):
    matrix = np.zeros((num_words + index_from, vectors.vector_size), dtype="float32")
    for word, rank in word_index.items():
        if rank < num_words and word in vectors:
            matrix[rank + index_from] = vectors[word]
    return matrix


pretrained_matrix = build_embedding_matrix(word_index, vectors, max_unique_tokens)
'''
OWN_FROZEN_NETWORK = '''
def build_pretrained_model(matrix, maxlen=100):
    num_words, dim = matrix.shape
    return keras.Sequential([keras.Input(shape=(maxlen,)),
                             layers.Embedding(num_words, dim, weights=[matrix], trainable=False),
                             layers.Flatten(), layers.Dense(16, activation="relu"),
                             layers.Dense(1, activation="sigmoid")])


pretrained_model = build_pretrained_model(pretrained_matrix, max_DocLen)
'''
RETRAINED_THEN_FROZEN = '''
pretrained_model.layers[0].trainable = True
pretrained_model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=3e-4),
                         loss="binary_crossentropy", metrics=["accuracy"])
pretrained_history = pretrained_model.fit(x_train, train_labels, epochs=course.epochs(5, 5),
                                          batch_size=128, verbose=0)
pretrained_model.layers[0].trainable = False
'''
MORE_REVIEWS_TRAINING_ACCURACY = '''
rng = np.random.default_rng(SEED)
small_indices = rng.choice(len(x_train), size=200, replace=False)
x_small, y_small = x_train[small_indices], train_labels[small_indices]

small_embedding_model = build_embedding_model(max_unique_tokens, 300, max_DocLen)
small_embedding_model.compile(optimizer="rmsprop", loss="binary_crossentropy",
                              metrics=["accuracy"])
small_embedding_history = small_embedding_model.fit(x_train[:1000], train_labels[:1000],
                                                    epochs=2, batch_size=32, verbose=0)
small_embedding_accuracy = small_embedding_model.evaluate(x_small, y_small, verbose=0)[1]

small_pretrained_model = build_pretrained_model(pretrained_matrix, max_DocLen)
small_pretrained_model.compile(optimizer="rmsprop", loss="binary_crossentropy",
                               metrics=["accuracy"])
small_pretrained_history = small_pretrained_model.fit(x_small, y_small, epochs=20,
                                                      batch_size=32, verbose=0)
small_pretrained_accuracy = small_pretrained_model.evaluate(x_small, y_small, verbose=0)[1]
'''


















solution, release = book_fixtures(BOOK)


@pytest.fixture(scope="module")
def notes_code_untrained(tmp_path_factory: pytest.TempPathFactory) -> NotebookGrade:
    """Keras's padding defaults, input_length (unbuilt), matrix[rank] in float64, no freezing,
    nothing trained, exercise 6 not done."""
    return BOOK.grade(tmp_path_factory, "notes_code_untrained", BOOK.with_sources({
        "pad_reviews": KERAS_DEFAULT_PADDING, "build_embedding_model": INPUT_LENGTH_UNBUILT,
        "embedding_model": NOT_TRAINED_EMBEDDING_MODEL, "build_embedding_matrix": NOTES_MATRIX,
        "build_pretrained_model": NOT_FROZEN, "pretrained_model": NOT_TRAINED_PRETRAINED_MODEL,
        "small_data": NOT_DONE}))


@pytest.fixture(scope="module")
def hard_coded_extra_rows_retrained(tmp_path_factory: pytest.TempPathFactory) -> NotebookGrade:
    """maxlen and sizes hard-coded, rows past num_words, vectors retrained then frozen, the
    small task-specific model trained on 1,000 reviews, accuracies measured on x_small."""
    return BOOK.grade(tmp_path_factory, "hard_coded_extra_rows_retrained", BOOK.with_sources({
        "pad_reviews": HARD_CODED_MAXLEN, "build_embedding_model": HARD_CODED_SIZES,
        "embedding_model": NOT_TRAINED_EMBEDDING_MODEL,
        "build_embedding_matrix": ROWS_PAST_NUM_WORDS, "build_pretrained_model": OWN_FROZEN_NETWORK,
        "pretrained_model": RETRAINED_THEN_FROZEN, "small_data": MORE_REVIEWS_TRAINING_ACCURACY}))


def test_source_metadata() -> None:
    """Test cells carry the points the graders share out; no hidden tests, no outputs."""
    nb = BOOK.source()
    cells = {c.metadata.nbgrader.grade_id: c for c in nb.cells if "nbgrader" in c.metadata}
    assert {g: cells[g].metadata.nbgrader.points for g in FULL_MARKS} == FULL_MARKS
    answer = cells["small_data_answer"]
    assert answer.cell_type == "markdown" and answer.metadata.nbgrader.points == 2
    assert not any("HIDDEN TESTS" in c.source for c in nb.cells)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")
    # The kit's own matrix helper is the instructor's reference, not the students' answer.
    assert not any(re.search(r"\bembedding_matrix\b", c.source) for c in nb.cells)


def test_solution_gets_full_marks(solution: NotebookGrade) -> None:
    assert not solution.error
    failed = [t for t in solution.as_json()["tests"] if t["reason"]]
    assert points(solution) == FULL_MARKS, failed
    assert sorted(m["name"] for m in solution.measured) == sorted(MEASURED)
    assert all(m["reviews"] == 5000 for m in solution.measured)


def test_release_gets_zero(release: NotebookGrade) -> None:
    assert points(release) == dict.fromkeys(FULL_MARKS, 0.0)
    assert "NotImplementedError" in reasons(release, "test_pad_reviews")
    assert "NotImplementedError" in reasons(release, "test_build_embedding_matrix")
    assert "not defined" in reasons(release, "test_small_data")


def test_notes_code_points(notes_code_untrained: NotebookGrade) -> None:
    assert points(notes_code_untrained) == {
        "test_pad_reviews": 0.667,             # right shape, but padded and cut at the front
        "test_build_embedding_model": 0.0,     # input_length: never built
        "test_embedding_model": 0.5,           # untrained (evaluate() built it)
        "test_build_embedding_matrix": 0.5,    # right shape only: rank rows, float64
        "test_build_pretrained_model": 0.667,  # holds the matrix, but not frozen
        "test_pretrained_model": 0.0,          # not frozen, not trained
        "test_small_data": 0.0,                # not done
    }


def test_notes_code_reasons(notes_code_untrained: NotebookGrade) -> None:
    grade = notes_code_untrained
    assert "at the front" in reasons(grade, "test_pad_reviews")
    assert "not built" in reasons(grade, "test_build_embedding_model")
    assert "input_length" in reasons(grade, "test_build_embedding_model")
    assert "below the target" in reasons(grade, "test_embedding_model")
    matrix = reasons(grade, "test_build_embedding_matrix")
    assert "3 rows away" in matrix and "float64" in matrix and "must stay zero" in matrix
    assert "ids below index_from" in matrix
    assert failed_checks(grade, "test_build_embedding_matrix") == [
        "float32, the type of Keras's weights",
        "each vector in the row of its word's id (not its rank), on hidden vectors",
        "zero rows for ids 0-2 and for words without a vector",
        "pretrained_matrix is the aligned matrix of the course's word vectors"]
    assert "freeze it" in reasons(grade, "test_build_pretrained_model")
    pretrained = reasons(grade, "test_pretrained_model")
    assert "below the target" in pretrained and "is trainable" in pretrained
    assert "not defined" in reasons(grade, "test_small_data")


def test_hard_coded_points(hard_coded_extra_rows_retrained: NotebookGrade) -> None:
    assert points(hard_coded_extra_rows_retrained) == {
        "test_pad_reviews": 0.0,               # maxlen=100 whatever maxlen is asked
        "test_build_embedding_model": 0.8,     # right layers and defaults, sizes ignored
        "test_embedding_model": 0.5,           # the right network, untrained
        "test_build_embedding_matrix": 2.0,    # aligned float32, but num_words + 3 rows
        "test_build_pretrained_model": 2.0,
        "test_pretrained_model": 1.0,          # accurate, but the vectors were retrained
        "test_small_data": 1.0,                # 1,000 reviews, 2 epochs; accuracies on x_small
    }


def test_hard_coded_reasons(hard_coded_extra_rows_retrained: NotebookGrade) -> None:
    grade = hard_coded_extra_rows_retrained
    assert "returned shape" in reasons(grade, "test_pad_reviews")
    sizes = reasons(grade, "test_build_embedding_model")
    assert "parameter counts per layer" in sizes and "not (None, m)" in sizes
    assert "below the target" in reasons(grade, "test_embedding_model")
    rows = reasons(grade, "test_build_embedding_matrix")
    assert "exactly num_words rows" in rows and "shape (10003," in rows
    assert "no longer holds pretrained_matrix" in reasons(grade, "test_pretrained_model")
    small = reasons(grade, "test_small_data")
    assert "2 epochs, not 20" in small and "evaluate it on all of x_test" in small
    assert "ran 64 training steps" in small
    assert failed_checks(grade, "test_small_data") == [
        "each model trained 20 epochs on 200 reviews in batches of 32 (from its history)",
        "the two models are the ones trained: each optimizer ran 20 x 7 steps",
        "the two reported accuracies are the models' accuracies on all the test reviews"]
