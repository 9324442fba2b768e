"""``course.check_data``: the course's training reviews pass; renumbered, reordered or relabelled ones fail in words."""

from __future__ import annotations

import numpy as np
import pytest

from dl4text import config, course


@pytest.fixture
def course_data(small_imdb, isolated_cache, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(config.IMDB_ENV, str(small_imdb.path))
    monkeypatch.setenv(config.FAST_ENV, "0")
    (x, y), _ = course.load_imdb(num_words=50)
    return x, y


def test_the_course_data_passes(course_data) -> None:
    x, y = course_data
    course.check_data(x, y, num_words=50)
    course.check_data(list(x), list(y), num_words=50)


def test_other_word_numbering_fails_and_names_the_loader(course_data) -> None:
    x, y = course_data
    renumbered = np.empty(len(x), dtype=object)
    renumbered[:] = [[i + 1 if i > 3 else i for i in review] for review in x]  # another ranking
    with pytest.raises(AssertionError, match=r"course\.load_imdb.*keras\.datasets\.imdb"):
        course.check_data(renumbered, y, num_words=50)


@pytest.mark.parametrize("what", ["order", "labels", "size", "num_words"])
def test_other_order_labels_size_or_vocabulary_fail(course_data, what: str) -> None:
    x, y = course_data
    if what == "order":
        x, y = x[::-1], y[::-1]
    elif what == "labels":
        y = 1 - y
    elif what == "size":
        x, y = x[:-1], y[:-1]
    with pytest.raises(AssertionError, match="course.load_imdb"):
        course.check_data(x, y, num_words=20 if what == "num_words" else 50)
