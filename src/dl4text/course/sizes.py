"""The IMDB data at the course's size: all of it, or the first reviews in the fast mode."""

from __future__ import annotations

from typing import Any

import numpy as np

from dl4text import data
from dl4text.course.mode import FAST_TEST_REVIEWS, FAST_TRAIN_REVIEWS, is_fast


def load_imdb(num_words: int | None = 10000, **kwargs: Any
              ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """:func:`dl4text.data.load_imdb`, cut to the first 5,000 reviews of each split in the fast mode.

    The cut comes after the shuffle, so both halves stay close to balanced.
    """
    (x_train, y_train), (x_test, y_test) = data.load_imdb(num_words=num_words, **kwargs)
    if is_fast():
        x_train, y_train = x_train[:FAST_TRAIN_REVIEWS], y_train[:FAST_TRAIN_REVIEWS]
        x_test, y_test = x_test[:FAST_TEST_REVIEWS], y_test[:FAST_TEST_REVIEWS]
    return (x_train, y_train), (x_test, y_test)
