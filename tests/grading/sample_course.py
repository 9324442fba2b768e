"""A throw-away course with one small sample assignment, built for the engine's tests."""

from __future__ import annotations

import shutil
from pathlib import Path

from nbformat import NotebookNode

from dl4text import authoring as a

HERE = Path(__file__).parent
ASSIGNMENT = "sample"

DOUBLE_SOLUTION = '''
import numpy as np

def double(x):
    """Return 2 * x for an array x."""
    ### BEGIN SOLUTION
    return 2 * np.asarray(x)
    ### END SOLUTION
'''

ANSWER_SOLUTION = '''
### BEGIN SOLUTION
answer = 42
### END SOLUTION
'''


RUBRIC = """**Rubric (1 point).** 1: says that 42 is the answer the graders expect and why.
0: anything else. A full answer: *42, because the test checks for it.*"""


def source_notebook() -> NotebookNode:
    """The instructor's sample notebook: two graded exercises and a manual answer."""
    return a.notebook([
        a.markdown("# Sample assignment\n\nWrite `double(x)`."),
        a.solution("double", DOUBLE_SOLUTION),
        a.tests("test_double", 2, "assert double(np.array([1, 2])).tolist() == [2, 4]"),
        a.markdown("Set `answer`."),
        a.solution("answer", ANSWER_SOLUTION),
        a.tests("test_answer", 1, "print('answer is', answer)"),
        a.manual("why", 1),
        a.rubric("why", RUBRIC),
    ])


def make_course(root: Path) -> Path:
    """Lay out ``root`` as a course folder: source/, grader_tests/, nbgrader_config.py."""
    a.write(source_notebook(), root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    (root / "grader_tests").mkdir(parents=True, exist_ok=True)
    shutil.copy(HERE / "sample_graders.py", root / "grader_tests" / f"test_{ASSIGNMENT}.py")
    (root / "nbgrader_config.py").write_text(
        "from dl4text.nbgrader.config import configure\n"
        "c = get_config()  # noqa: F821\n"
        "configure(c, course_id='sample-course', timeout=10, notebook_timeout=25,\n"
        "          memory_limit_mb=1024, probe_timeout=5)\n")
    return root
