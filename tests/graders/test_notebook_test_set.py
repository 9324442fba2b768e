"""The graders' copy of the test split a graded notebook received, picked without decoding.

a1's and a2's graders check the accuracy a notebook reports against its model's score on the
test reviews that notebook got (a secret order, shuffled labels). They pick those reviews
from the real test split by the positions of :func:`dl4text.course.kernel_test_order`
instead of decoding the view again: here the pick must equal what the kernel's own
``load_imdb`` returned (:func:`dl4text.course.notebook_test_set`), at full size and with the
fast mode's cut (made to cut the small archive: 10 of its 24 test reviews).
"""

from __future__ import annotations

import numpy as np
import pytest

from dl4text import config, course
from dl4text.course import sizes
from dl4text.folder import PROJECT_ROOT
from dl4text.grading.assignment import Assignment


@pytest.fixture
def trusted_side(small_imdb, isolated_cache, monkeypatch) -> None:
    """The small archive in DL4TEXT_IMDB, an empty cache, no view (the graders' side)."""
    monkeypatch.setenv(config.IMDB_ENV, str(small_imdb.path))
    monkeypatch.delenv(config.CORPUS_ENV, raising=False)
    monkeypatch.setattr(sizes, "FAST_TEST_REVIEWS", 10)


@pytest.mark.parametrize("fast", [False, True], ids=["full", "fast"])
@pytest.mark.parametrize("name", ["a1_dense", "a2_embeddings"])
def test_graders_pick_the_notebooks_test_reviews(trusted_side, monkeypatch, name, fast) -> None:
    monkeypatch.setenv(config.FAST_ENV, "1" if fast else "0")
    monkeypatch.setenv(config.LABEL_SEED_ENV, "2024")
    graders = Assignment(root=PROJECT_ROOT, name=name, notebook=name).load_graders()
    graders.warm_up(fast)
    num_words = graders.DIM if name == "a1_dense" else graders.NUM_WORDS
    want_x, want_y = course.notebook_test_set(num_words=num_words)
    got_x, got_y = graders._notebook_test_set()
    assert len(want_y) == (10 if fast else 24)
    assert np.array_equal(got_y, want_y)
    if name == "a2_embeddings":  # its graders hold the reviews padded
        assert np.array_equal(got_x, graders._pad(want_x))
    else:
        assert [list(r) for r in got_x] == [list(r) for r in want_x]
    if not fast:  # the labels are the shuffled ones the kernel got, not the reviews' own
        real_x, real_y = course.load_imdb(num_words=num_words, fast=False)[1]
        truth = {tuple(r): label for r, label in zip(real_x, real_y, strict=True)}
        assert not np.array_equal(got_y, [truth[tuple(r)] for r in want_x])
