"""Hidden graders of the sample assignment used to test the grading engine."""

import numpy as np

from dl4text.grading import Probe, Submission, grades


def probe(rng: np.random.Generator, fast: bool) -> Probe:
    p = Probe()
    p.call("test_double", "double_random", "double", rng.normal(size=int(rng.integers(3, 9))))
    p.call("test_double", "double_empty", "double", np.zeros(0))
    p.value("test_answer", "answer", "answer")
    return p


@grades("test_double", points=3)
def test_double_on_random_input(submission: Submission) -> None:
    """double() on a vector chosen at grading time"""
    (x,), _ = submission.inputs("double_random")
    got = submission.result("double_random")
    assert got.shape == x.shape, f"double() returned shape {got.shape} for an input of shape {x.shape}"
    assert np.allclose(got, 2 * x), "double() returned wrong values"


@grades("test_double", points=1)
def test_double_on_empty_input(submission: Submission) -> None:
    """double() on an empty vector"""
    got = submission.result("double_empty")
    assert got.shape == (0,), f"double() of an empty vector has shape {got.shape}, not (0,)"


@grades("test_answer")
def test_answer(submission: Submission) -> None:
    """the answer"""
    assert submission.value("answer") == 42, "answer is not the answer"
