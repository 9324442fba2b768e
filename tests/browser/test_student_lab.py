"""A student in JupyterLab with nbgrader's extensions: a wrong perceptron, its visible test, then Validate.

The real release notebook of ``a1_dense``, in a student's folder, in the fast mode. The
perceptron is typed in the browser without its bias; the cells up to its test cell run in
the student's kernel, and the test cell shows the kit's message for the logical AND.
nbgrader's **Validate** button then runs the whole notebook on the server: the exercises
after it still raise ``NotImplementedError``, so it is quick, and its dialog names the
failing test cells.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import nbformat
import pytest

from dl4text import config

pytest.importorskip("playwright")
from playwright.sync_api import Page, expect  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
RELEASE = REPO / "release" / "a1_dense" / "a1_dense.ipynb"
NO_BIAS = '''def perceptron(x, w, b):
    """Forgets the bias: fires whenever w . x > 0."""
    return (x @ w > 0).astype(int)
'''
AND_FAILS = "AssertionError: AND: w = [1, 1], b = -1.5"  # the visible test's words (test_perceptron)
RUN_TIMEOUT_MS = 240_000  # TensorFlow's import and the fast data set, in the student's kernel
VALIDATE_TIMEOUT_MS = 300_000


def _cell(page: Page, text: str):
    """The one code cell whose editor holds ``text``."""
    cells = page.locator(".jp-Notebook .jp-CodeCell").filter(
        has=page.locator(".jp-InputArea-editor", has_text=text))
    expect(cells).to_have_count(1)
    return cells.first


def test_a_wrong_perceptron_fails_its_visible_test_and_validate_names_the_cell(
        page: Page, shots, jupyter, tmp_path: Path, real_imdb_path: Path, real_cache: Path) -> None:
    student = tmp_path / "student"
    student.mkdir()
    shutil.copy(RELEASE, student / RELEASE.name)
    lab = jupyter(student, env={"DL4TEXT_FAST": "1", config.IMDB_ENV: str(real_imdb_path),
                                config.CACHE_ENV: str(real_cache)})

    page.goto(lab.url(f"lab/tree/{RELEASE.name}"))
    expect(page.locator(".jp-NotebookPanel-toolbar .validate-button")).to_be_visible(timeout=60_000)
    expect(page.locator(".jp-Notebook")).to_contain_text("Assignment 1")
    expect(page.locator("#jp-main-statusbar")).to_contain_text("Python 3 (ipykernel) | Idle", timeout=60_000)
    shots(page, "notebook-open")

    # The student writes the perceptron, without its bias, in the cell the exercise gives.
    exercise = _cell(page, "def perceptron(x, w, b):")
    exercise.scroll_into_view_if_needed()
    exercise.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(NO_BIAS)
    page.keyboard.press("Escape")
    expect(exercise.locator(".cm-content")).to_contain_text("return (x @ w > 0).astype(int)")
    expect(exercise.locator(".cm-content")).not_to_contain_text("NotImplementedError")
    shots(page, "perceptron-typed-without-bias")

    # Every cell above the visible test, then the test cell itself.
    test_cell = _cell(page, "AND: w = [1, 1], b = -1.5")
    test_cell.locator(".jp-InputPrompt").click()
    page.locator(".lm-MenuBar-item", has_text="Run").click()
    page.locator(".lm-Menu-item", has_text="Run All Above Selected Cell").click()
    page.keyboard.press("Shift+Enter")
    setup = _cell(page, "course.load_imdb(num_words=max_unique_tokens)")
    error = test_cell.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    expect(error).to_contain_text(AND_FAILS, timeout=RUN_TIMEOUT_MS)
    expect(setup.locator(".jp-OutputArea")).to_contain_text(
        "5,000 training reviews, 5,000 test reviews (fast mode)")
    expect(exercise.locator(".jp-OutputArea-output")).to_have_count(0)  # the definition itself ran quietly
    test_cell.scroll_into_view_if_needed()
    shots(page, "visible-test-fails")

    # nbgrader's Validate: saves the notebook, runs it from the top on the server, shows a dialog.
    started = time.monotonic()
    page.locator(".jp-NotebookPanel-toolbar .validate-button").click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog.locator(".jp-Dialog-header")).to_have_text("Validation Results", timeout=VALIDATE_TIMEOUT_MS)
    validate_s = time.monotonic() - started
    message = dialog.locator("#validation-message")
    expect(message).to_have_class(re.compile(r"\bvalidation-failed\b"))
    expect(message).not_to_contain_text("Success! Your notebook passes all the tests.")
    failures = message.locator(":scope > div")
    expect(failures.first).to_have_text("The following cell failed:")
    first_cell, first_error = message.locator(":scope > .jp-RenderedText").nth(0), \
        message.locator(":scope > .jp-RenderedText").nth(1)
    expect(first_cell).to_contain_text("# A perceptron can compute logical AND")
    expect(first_error).to_contain_text(AND_FAILS)
    expect(message).to_contain_text('def sigmoid(x):')  # the next exercise is still to do:
    expect(message).to_contain_text("NotImplementedError")  # its test cell fails too
    shots(page, "validate-dialog")
    first_error.scroll_into_view_if_needed()
    shots(page, "validate-dialog-perceptron-error")
    saved = nbformat.read(student / RELEASE.name, as_version=4)  # Validate saved what was typed first
    assert any(cell.source.strip() == NO_BIAS.strip() for cell in saved.cells)
    print(f"Validate took {validate_s:.1f} s")
