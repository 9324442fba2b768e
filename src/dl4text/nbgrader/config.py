"""The nbgrader configuration of a dl4text course, applied from ``nbgrader_config.py``.

``configure(c)`` puts :class:`dl4text.grading.execute.GradingExecute` in place of
nbgrader's ``Execute`` in the autograde pipeline, sets its limits, and keeps nbgrader's
other preprocessors in their order.
"""

from __future__ import annotations

from typing import Any


def configure(c: Any, *, course_id: str = "dl4text", timeout: int = 900,
              notebook_timeout: int = 3600, memory_limit_mb: int = 12288,
              probe_timeout: int = 120) -> Any:
    """Fill the nbgrader config ``c`` for a dl4text course and return it."""
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import Execute

    from dl4text.grading.execute import TIMING_KEY, GradingExecute

    c.CourseDirectory.course_id = course_id
    c.CourseDirectory.solution_directory = "solutions"
    # generate_solution would execute each notebook with stock Execute (30 s per cell);
    # `dl4text solutions` executes and grades them itself, once.
    from nbgrader.converters.generate_solution import GenerateSolution

    c.GenerateSolution.preprocessors = [
        p for p in GenerateSolution.class_traits()["preprocessors"].default() if p is not Execute]
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
                                ".*", "*.keras", "*.h5"]
    default = list(Autograde.class_traits()["autograde_preprocessors"].default())
    c.Autograde.autograde_preprocessors = [GradingExecute if p is Execute else p for p in default]
    # nbconvert's ClearMetadataPreprocessor would drop the seconds GradingExecute records
    c.ClearMetadataPreprocessor.preserve_nb_metadata_mask = {("language_info", "name"), (TIMING_KEY,)}
    c.GradingExecute.timeout = timeout
    c.GradingExecute.notebook_timeout = notebook_timeout
    c.GradingExecute.memory_limit_mb = memory_limit_mb
    c.GradingExecute.probe_timeout = probe_timeout
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    # Rubrics: the MARK SCHEME region of a locked cell after each hand-graded answer
    # (`authoring.rubric`); nbgrader would only accept it in a "task" cell, which would be
    # graded as a cell of its own. Feedback clears the region that autograde restored.
    from nbgrader.converters.generate_feedback import GenerateFeedback
    from nbgrader.preprocessors import ClearMarkScheme

    c.ClearMarkScheme.enforce_metadata = False
    c.GenerateFeedback.preprocessors = [
        *GenerateFeedback.class_traits()["preprocessors"].default(), ClearMarkScheme]
    c.Exchange.assignment_dir = "."
    return c
