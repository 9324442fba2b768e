"""Fixture submissions of the sample assignment, named by what they do wrong.

Each entry: how to make the notebook from the source notebook, the points each test cell
must get, and words the reason must contain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import nbformat
from nbformat import NotebookNode

from dl4text import authoring as a


@dataclass
class Case:
    """One fixture submission."""

    make: Callable[[NotebookNode], NotebookNode]
    points: dict[str, float]
    reasons: dict[str, str] = field(default_factory=dict)


def _with(grade_id: str, source: str) -> Callable[[NotebookNode], NotebookNode]:
    return lambda nb: a.replace_source(nb, grade_id, source)


def _insert_after(grade_id: str, *sources: str) -> Callable[[NotebookNode], NotebookNode]:
    def make(nb: NotebookNode) -> NotebookNode:
        nb = nbformat.reads(nbformat.writes(nb), as_version=4)
        index = nb.cells.index(a.cell_by_id(nb, grade_id))
        for offset, source in enumerate(sources, 1):
            nb.cells.insert(index + offset, a.code(source))
        return nb
    return make


def _delete(grade_id: str) -> Callable[[NotebookNode], NotebookNode]:
    def make(nb: NotebookNode) -> NotebookNode:
        nb = nbformat.reads(nbformat.writes(nb), as_version=4)
        nb.cells.remove(a.cell_by_id(nb, grade_id))
        return nb
    return make


def _both(*makers: Callable[[NotebookNode], NotebookNode]) -> Callable[[NotebookNode], NotebookNode]:
    def make(nb: NotebookNode) -> NotebookNode:
        for maker in makers:
            nb = maker(nb)
        return nb
    return make


# Wrong on every non-empty input; right (empty) on the empty one: half a point of two.
WRONG_DOUBLE = "import numpy as np\ndef double(x):\n    return np.asarray(x) + 1"
WRONG = {"test_double": 0.5, "test_answer": 1}
FULL = {"test_double": 2.0, "test_answer": 1.0}

CASES: dict[str, Case] = {
    "solution": Case(lambda nb: nb, FULL),
    "partly_right": Case(_with("answer", "answer = 41"), {"test_double": 2, "test_answer": 0},
                         {"test_answer": "not the answer"}),
    "function_never_returns": Case(
        _with("double", "def double(x):\n    while True:\n        pass"),
        {"test_double": 0, "test_answer": 1}, {"test_double": "took too long"}),
    "cell_never_ends": Case(
        _with("answer", "import time\nwhile True:\n    time.sleep(0.1)"),
        {"test_double": 2, "test_answer": 0}, {"test_answer": "not defined"}),
    "notebook_never_ends": Case(
        _insert_after("test_double", *["import time\ntime.sleep(8)"] * 4),
        {"test_double": 2, "test_answer": 0}, {"test_answer": "longer than 25 s"}),
    "kernel_exits": Case(_with("answer", "import os\nos._exit(1)"),
                         {"test_double": 2, "test_answer": 0}, {"test_answer": "kernel died"}),
    "calls_exit": Case(_with("answer", "exit()\nanswer = 42"), FULL),
    "exhausts_memory": Case(_with("answer", "import numpy as np\nhog = np.ones(400_000_000)\nanswer = 42"),
                            {"test_double": 2, "test_answer": 0}, {"test_answer": "memory"}),
    "fakes_test_cell_output": Case(
        _both(_with("double", WRONG_DOUBLE), _with("test_double", "2.0")),
        WRONG, {"test_double": "wrong values"}),
    "monkeypatches_numpy_and_assert_helpers": Case(
        _both(_with("double", WRONG_DOUBLE),
              _with("answer", "import numpy as np\nnp.allclose = lambda *a, **k: True\n"
                              "np.array_equal = lambda *a, **k: True\n"
                              "import builtins\nbuiltins.AssertionError = type('X', (Exception,), {})\n"
                              "answer = 42")),
        WRONG, {"test_double": "wrong values"}),
    "writes_fake_result_files": Case(
        _both(_with("double", WRONG_DOUBLE),
              _with("answer", "import glob, json, os, tempfile\n"
                              "fake = json.dumps([{'nodeid': 'x', 'name': 'x', 'grade_id': 'test_double',"
                              " 'weight': 100, 'passed': True, 'reason': ''}])\n"
                              "for d in glob.glob(os.path.join(tempfile.gettempdir(), 'dl4text-run-*')) + ['.']:\n"
                              "    for name in ('results.json', 'execution.json'):\n"
                              "        open(os.path.join(d, name), 'w').write(fake)\n"
                              "answer = 42")),
        WRONG, {"test_double": "wrong values"}),
    "deletes_test_cell": Case(_delete("test_double"), FULL),
    "syntax_error": Case(_with("double", "def double(x) return 2 * x"),
                         {"test_double": 0, "test_answer": 1}, {"test_double": "not defined"}),
    "prints_to_stderr": Case(
        _both(_with("double", "import sys\nimport numpy as np\ndef double(x):\n"
                              "    print('WARNING: noisy', file=sys.stderr)\n    return 2 * np.asarray(x)"),
              _with("test_double", "import sys\nprint('oneDNN custom operations are on', file=sys.stderr)")),
        FULL),
    "answer_equals_everything": Case(
        _with("answer", "class Anything:\n    def __eq__(self, other):\n        return True\n"
                        "answer = Anything()"),
        {"test_double": 2, "test_answer": 0}, {"test_answer": "not an array of numbers"}),
    "returns_a_list_of_strings": Case(
        _with("double", "def double(x):\n    return ['2x'] * len(x)"),
        WRONG, {"test_double": "not numbers"}),
}
