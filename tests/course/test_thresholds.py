"""thresholds.toml: every entry complete, and the floors the course promises."""

from __future__ import annotations

import pytest

from dl4text.course.thresholds import notes_accuracy, threshold, thresholds

RECURRENT = ("a3_recurrent.rnn_model", "a3_recurrent.lstm_model", "a3_recurrent.long_lstm_model")


@pytest.mark.parametrize("name", sorted(thresholds()))
def test_every_entry_has_both_sizes_and_says_where_it_comes_from(name: str) -> None:
    entry = thresholds()[name]
    assert 0.5 < threshold(name, fast=True) < 1 and 0.5 < threshold(name, fast=False) < 1, entry
    assert "seeds" in entry["derived_from"], f"{name}: derived_from should name the seeds measured"


@pytest.mark.parametrize("name", RECURRENT)
def test_a_recurrent_model_must_reach_three_quarters_at_full_size(name: str) -> None:
    # 0.66 let a network that barely learned pass; the untrained one scores 0.50
    assert threshold(name, fast=False) >= 0.75


@pytest.mark.parametrize("name", [n for n in sorted(thresholds()) if notes_accuracy(n) is not None])
def test_a_threshold_sits_below_the_notes_figure(name: str) -> None:
    assert threshold(name, fast=False) < notes_accuracy(name)


def test_the_notes_figures_are_the_notes() -> None:
    assert notes_accuracy("a3_recurrent.rnn_model") == 0.8073
    assert notes_accuracy("a3_recurrent.lstm_model") == 0.8044
    assert notes_accuracy("a2_embeddings.embedding_model") == 0.8033
    assert notes_accuracy("a3_recurrent.long_lstm_model") is None
