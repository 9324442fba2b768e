"""An instructor in JupyterLab's formgrader: a hand-graded answer scored in the browser, then exported.

The sample course (no TensorFlow) is released, ada submits a solved notebook with a written
answer to ``why``, and ``dl4text autograde`` grades her 3/4 (the written answer waits for a
person). JupyterLab runs in the course folder, so nbgrader reads its ``nbgrader_config.py``
(formgrader's course root is the server's working folder). Through Nbgrader -> Formgrader ->
Manual Grading the instructor opens ada's submission, reads the rubric under her answer,
gives 1 point and a comment; ``dl4text export`` then puts 4/4 in every format, and the
gradebook holds the comment.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from dl4text import authoring as a
from dl4text.cli import main
from dl4text.commands.release import generate
from tests.grading.sample_course import ASSIGNMENT, make_course, source_notebook

pytest.importorskip("playwright")
from playwright.sync_api import FrameLocator, Page, expect  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Object of type:Warning")  # SQLAlchemy 2.1 on nbgrader, harmless

ADA_ANSWER = "Because 42 is what the test cell checks for."
RUBRIC_WORDS = "says that 42 is the answer the graders expect and why"  # sample_course.RUBRIC
COMMENT = "Right, and said in one sentence: full marks."


def _exports(root: Path, folder: Path, formats: tuple[str, ...] = ("csv", "canvas", "moodle")
             ) -> dict[str, list[list[str]]]:
    """``dl4text export --format F --to FILE --root ROOT`` in each format, read back as rows."""
    found = {}
    for fmt in formats:
        target = folder / f"{fmt}.csv"
        assert main(["export", "--format", fmt, "--to", str(target), "--root", str(root)]) == 0
        with target.open(newline="", encoding="utf-8") as handle:
            found[fmt] = list(csv.reader(handle))
    return found


@pytest.fixture
def graded_course(tmp_path: Path, capsys: pytest.CaptureFixture) -> Path:
    """The sample course, released, with ada's solved submission autograded (3 of 4 points)."""
    root = make_course(tmp_path / "course")
    generate(root, [ASSIGNMENT])
    a.write(a.replace_source(source_notebook(), "why", ADA_ANSWER),
            root / "submitted" / "ada" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    assert main(["autograde", ASSIGNMENT, "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"ada\s+3/4\s+graded", out), out
    return root


def test_formgrader_scores_the_written_answer_and_export_counts_it(
        page: Page, shots, jupyter, graded_course: Path, tmp_path: Path) -> None:
    before = _exports(graded_course, tmp_path, ("csv",))
    assert {row[0]: row[-2:] for row in before["csv"][1:]} == {"ada": ["3", "4"]}

    lab = jupyter(graded_course)
    page.goto(lab.url("lab"))
    page.locator(".lm-MenuBar-item", has_text="Nbgrader").click()
    page.locator(".lm-Menu-item[data-command='nbgrader:open-formgrader']").click()
    formgrader: FrameLocator = page.frame_locator("iframe[src*='formgrader']")
    expect(formgrader.get_by_role("heading", name="Manage Assignments")).to_be_visible()
    expect(formgrader.locator("#main-table")).to_contain_text(ASSIGNMENT)
    shots(page, "formgrader-in-lab")

    formgrader.get_by_role("link", name="Manual Grading").click()
    formgrader.locator("#main-table").get_by_role("link", name=ASSIGNMENT, exact=True).click()
    expect(formgrader.locator(".breadcrumb")).to_contain_text(ASSIGNMENT)
    formgrader.locator("#main-table").get_by_role("link", name=ASSIGNMENT, exact=True).click()
    row = formgrader.locator("#main-table tr", has_text="Submission #1")
    expect(row.locator(".score")).to_have_text("3 / 4")
    expect(row.locator(".written-score")).to_have_text("0 / 1")
    expect(row.locator(".needs-manual-grade .glyphicon")).to_have_count(1)
    shots(page, "ada-waits-for-manual-grading")
    formgrader.get_by_text("Show All Names").click()
    expect(row.get_by_role("link", name="ada")).to_be_visible()
    row.get_by_role("link", name="ada").click()

    # ada's submission: her answer, the rubric right under it, the score and comment boxes.
    score, comment = formgrader.locator("input.score#why"), formgrader.locator("textarea.comment#why-comment")
    expect(score).to_be_visible()
    answer_cell = formgrader.locator("#notebook-container .cell", has=score)
    expect(answer_cell).to_contain_text(ADA_ANSWER)
    rubric_cell = formgrader.locator("#notebook-container .cell", has=score).locator(
        "xpath=following-sibling::div[contains(@class, 'cell')][1]")
    expect(rubric_cell).to_contain_text(RUBRIC_WORDS)
    expect(rubric_cell).to_contain_text("A full answer: 42, because the test checks for it.")
    rubric_cell.scroll_into_view_if_needed()
    shots(page, "answer-and-rubric")

    with page.expect_response(lambda r: "/formgrader/api/grade/" in r.url and r.request.method == "PUT") as saved:
        score.fill("1")
        score.press("Tab")  # formgrader saves on change
    assert saved.value.ok and saved.value.json()["manual_score"] == 1
    with page.expect_response(lambda r: "/formgrader/api/comment/" in r.url and r.request.method == "PUT") as saved:
        comment.fill(COMMENT)
        comment.press("Tab")
    assert saved.value.ok and saved.value.json()["manual_comment"] == COMMENT
    shots(page, "scored-and-commented")

    # Read back from a fresh load of the page: what the server stored.
    submission_url = formgrader.locator("body").evaluate("() => location.pathname")
    page.goto(lab.url(submission_url))
    expect(page.locator("input.score#why")).to_have_value("1")
    expect(page.locator("textarea.comment#why-comment")).to_have_value(COMMENT)
    page.locator("input.score#why").scroll_into_view_if_needed()
    shots(page, "reloaded-values-kept")

    after = _exports(graded_course, tmp_path)
    assert {row[0]: row[-2:] for row in after["csv"][1:]} == {"ada": ["4", "4"]}
    canvas = after["canvas"]
    assert canvas[1] == ["Points Possible", "", "", "", "", "4"]
    assert {row[3]: row[5] for row in canvas[2:]} == {"ada": "4"}
    assert {row[2]: row[4] for row in after["moodle"][1:]} == {"ada": "4"}
    with Gradebook(f"sqlite:///{graded_course / 'gradebook.db'}") as gb:
        assert gb.find_grade("why", ASSIGNMENT, ASSIGNMENT, "ada").score == 1.0
        assert gb.find_comment("why", ASSIGNMENT, ASSIGNMENT, "ada").manual_comment == COMMENT
