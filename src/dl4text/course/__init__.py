"""What a course notebook (and a grader) imports: data in the course's sizes, seeds, thresholds.

Both the student's notebook and the hidden graders call these, so the fast mode
(``DL4TEXT_FAST=1``: fewer reviews and epochs, lower thresholds) means the same thing
on both sides.
"""

from dl4text.course.datacheck import check_data
from dl4text.course.mode import FAST_TEST_REVIEWS, FAST_TRAIN_REVIEWS, epochs, is_fast
from dl4text.course.seeds import seed_everything
from dl4text.course.sizes import (
    kernel_test_labels,
    kernel_test_order,
    kernel_test_set,
    load_imdb,
    notebook_test_set,
)
from dl4text.course.thresholds import threshold, thresholds

__all__ = ["FAST_TEST_REVIEWS", "FAST_TRAIN_REVIEWS", "check_data", "epochs", "is_fast", "kernel_test_labels",
           "kernel_test_order", "kernel_test_set", "load_imdb", "notebook_test_set", "seed_everything", "threshold",
           "thresholds"]
