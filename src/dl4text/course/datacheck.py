"""Is this the course's data? A check for the notebooks' visible tests.

``keras.datasets.imdb.load_data`` (what the lecture notes call) numbers the words by its own
ranking and orders the reviews its own way; a model trained on it passes shape and parameter
checks, then fails the graders, which measure it on the course's numbering. :func:`check_data`
compares what a notebook trained on with :func:`dl4text.course.load_imdb` and says so in words.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dl4text.course.sizes import load_imdb
from dl4text.data.vocabulary import VOCABULARY_SIZE

#: how many reviews are compared (enough to tell the numbering and the order apart)
COMPARED = 50
ADVICE = ("load them with the setup cell's `course.load_imdb(num_words=...)`, not with "
          "`keras.datasets.imdb.load_data`: that one numbers the words differently and orders the "
          "reviews otherwise, and the graders measure your models on the course's numbering")


def check_data(train_data: Sequence, train_labels: Sequence, *, num_words: int | None = VOCABULARY_SIZE) -> None:
    """Raise ``AssertionError``, in words, unless these are the training reviews of ``course.load_imdb``."""
    (course_x, course_y), _ = load_imdb(num_words=num_words)
    if len(train_data) != len(course_x) or len(train_labels) != len(course_y):
        raise AssertionError(f"train_data holds {len(train_data):,} reviews and train_labels {len(train_labels):,}; "
                             f"course.load_imdb gives {len(course_x):,}: {ADVICE}")
    for i in range(min(COMPARED, len(course_x))):
        mine, theirs = np.asarray(train_data[i]), np.asarray(course_x[i])
        if mine.shape != theirs.shape or not np.array_equal(mine, theirs):
            raise AssertionError(
                f"training review {i} is not the course's (it starts {mine[:6].tolist()}, the course's "
                f"{theirs[:6].tolist()}): {ADVICE}")
    if not np.array_equal(np.asarray(train_labels[:COMPARED]), np.asarray(course_y[:COMPARED])):
        raise AssertionError(f"train_labels are not the course's labels in the course's order: {ADVICE}")
