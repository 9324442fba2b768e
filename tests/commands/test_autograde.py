"""`dl4text autograde` (one after another in this process), `feedback` and `export` on the sample course.

Grades are exact points: the sample's autograded cells are ``test_double`` (2) and
``test_answer`` (1), and a manual cell (1) that autograding leaves at zero: 3/4 at best.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from dl4text import authoring as a
from dl4text.cli import main
from dl4text.commands.autograde import autograde
from dl4text.commands.release import generate
from dl4text.nbgrader.submitted import MAX_FILE_BYTES
from dl4text.runners.owner import REGRADED_NO_SANDBOX, REGRADED_OLD_STATE, REGRADED_TAMPERED
from dl4text.runners.summary import NO_SANDBOX
from tests.grading.sample_course import ASSIGNMENT, make_course, source_notebook
from tests.grading.submissions import CASES

NB = f"{ASSIGNMENT}.ipynb"
SOLUTION = {"test_double": 2.0, "test_answer": 1.0}
ZERO = {"test_double": 0.0, "test_answer": 0.0}
pytestmark = pytest.mark.filterwarnings("ignore:Object of type:Warning")  # SQLAlchemy 2.1 on nbgrader, harmless


def _submit(root: Path, student: str, nb) -> Path:
    return a.write(nb, root / "submitted" / student / ASSIGNMENT / NB)


def cell_points(root: Path) -> dict[str, dict[str, float | None]]:
    """student -> {grade_id: auto score} of the autograded cells in the gradebook."""
    found: dict[str, dict[str, float | None]] = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for submission in gb.assignment_submissions(ASSIGNMENT):
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.name.startswith("test_"):
                        found.setdefault(submission.student_id, {})[grade.name] = grade.auto_score
    return found


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_course(tmp_path_factory.mktemp("course"))
    generate(root, [ASSIGNMENT])
    _submit(root, "ada", source_notebook())
    _submit(root, "bob", a.replace_source(source_notebook(), "answer", "answer = 7"))
    broken = root / "submitted" / "cyd" / ASSIGNMENT / NB
    broken.parent.mkdir(parents=True)
    broken.write_text('{"cells": [')
    return root


def test_autograde_grades_each_student_and_repairs_unreadable_notebooks(
        course: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["autograde", ASSIGNMENT, "--root", str(course)]) == 0
    out = capsys.readouterr().out
    assert "ada" in out and "3/4" in out
    assert "bob" in out and "2/4" in out and "test_answer 0/1" in out
    assert "cyd" in out and "0/4" in out and f"note: cyd/{ASSIGNMENT}/{NB}: " in out
    assert "fence: own folder, wall time 6000 s" in out  # the serial runner fences each grading too
    kept = course / "submitted" / "cyd" / ASSIGNMENT / f"{NB}.unreadable"
    assert kept.read_text() == '{"cells": ['
    graded = (course / "autograded" / "cyd" / ASSIGNMENT / NB).read_text()
    assert "could not be read when it was graded" in graded
    assert cell_points(course) == {"ada": SOLUTION, "bob": {"test_double": 2.0, "test_answer": 0.0}, "cyd": ZERO}
    state = json.loads((course / ".dl4text" / "autograde-state.json").read_text())
    assert state[f"{ASSIGNMENT}/ada"]["auto_scores"] == {f"{ASSIGNMENT}/{k}": v for k, v in
                                                         {**SOLUTION, "why": 0.0}.items()}
    assert state[f"{ASSIGNMENT}/ada"]["auto_total"] == 3.0


def test_a_second_run_regrades_only_what_changed(course: Path) -> None:
    _submit(course, "bob", source_notebook())
    rows = {r.student: r for r in autograde(course, ASSIGNMENT)}
    assert rows["ada"].status == "unchanged" and rows["cyd"].status == "unchanged"
    assert rows["bob"].status == "graded" and rows["bob"].score == 3.0
    assert (rows["ada"].score, rows["cyd"].score) == (3.0, 0.0)
    assert cell_points(course) == {"ada": SOLUTION, "bob": SOLUTION, "cyd": ZERO}


def test_a_cell_zeroed_in_the_gradebook_is_regraded(course: Path) -> None:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.find_grade("test_double", ASSIGNMENT, ASSIGNMENT, "ada").auto_score = 0.0
        gb.db.commit()
    state = course / ".dl4text" / "autograde-state.json"
    data = json.loads(state.read_text())
    data[f"{ASSIGNMENT}/cyd"] = data[f"{ASSIGNMENT}/cyd"]["digest"]  # as an earlier kit recorded it
    state.write_text(json.dumps(data))
    rows = {r.student: r for r in autograde(course, ASSIGNMENT)}
    assert rows["ada"].status == "graded" and REGRADED_TAMPERED in rows["ada"].notes
    assert rows["ada"].notes == [REGRADED_TAMPERED]
    assert rows["cyd"].status == "graded" and REGRADED_OLD_STATE in rows["cyd"].notes
    assert rows["bob"].status == "unchanged" and rows["bob"].notes == []
    assert cell_points(course) == {"ada": SOLUTION, "bob": SOLUTION, "cyd": ZERO}
    rows = {r.student: r for r in autograde(course, ASSIGNMENT)}
    assert {s: r.status for s, r in rows.items()} == dict.fromkeys(("ada", "bob", "cyd"), "unchanged")


def test_feedback_and_export(course: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["feedback", ASSIGNMENT, "--root", str(course)]) == 0
    for student in ("ada", "bob", "cyd"):
        html = (course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
        assert "hidden graders" in html
        assert "MARK SCHEME" not in html and "Rubric (1 point)" not in html, student
    # formgrader shows the autograded notebook: the rubric is back under the answer there
    autograded = nbformat.read(course / "autograded" / "ada" / ASSIGNMENT / NB, as_version=4)
    assert "Rubric (1 point)" in a.cell_by_id(autograded, a.rubric_id("why")).source
    target = tmp_path / "lms.csv"
    assert main(["export", "--to", str(target), "--root", str(course)]) == 0
    with target.open() as handle:
        rows = {r["student_id"]: r for r in csv.DictReader(handle)}
    assert list(rows["ada"]) == ["student_id", "last_name", "first_name", "email", ASSIGNMENT,
                                 "total", "max_total"]
    assert {s: float(r["total"]) for s, r in rows.items()} == {"ada": 3.0, "bob": 3.0, "cyd": 0.0}
    assert rows["ada"]["max_total"] == "4"


def _give_manual_points(root: Path, student: str, grade_id: str, points: float, comment: str) -> None:
    """What formgrader's grading page writes when a person scores an answer (the browser test does it for real)."""
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        grade = gb.find_grade(grade_id, ASSIGNMENT, ASSIGNMENT, student)
        grade.manual_score = points
        gb.find_comment(grade_id, ASSIGNMENT, ASSIGNMENT, student).manual_comment = comment
        gb.db.commit()


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_lms_formats_hold_the_manual_points(course: Path, tmp_path: Path) -> None:
    graded = Path(shutil.copytree(course, tmp_path / "course"))
    _give_manual_points(graded, "ada", "why", 1.0, "Right: the loss turns when the model starts to memorise.")
    outputs = {}
    for fmt in ("csv", "canvas", "moodle"):
        outputs[fmt] = _read_csv(tmp_path / f"{fmt}.csv") if main(
            ["export", "--format", fmt, "--to", str(tmp_path / f"{fmt}.csv"), "--root", str(graded)]) == 0 else None
    plain = {row[0]: row for row in outputs["csv"][1:]}
    assert plain["ada"][-2:] == ["4", "4"] and plain["bob"][-2:] == ["3", "4"]
    canvas = outputs["canvas"]
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT]
    assert canvas[1] == ["Points Possible", "", "", "", "", "4"]
    assert {row[3]: row[5] for row in canvas[2:]} == {"ada": "4", "bob": "3", "cyd": "0"}
    moodle = outputs["moodle"]
    assert moodle[0] == ["First name", "Last name", "Username", "Email address", ASSIGNMENT]
    assert {row[2]: row[4] for row in moodle[1:]} == {"ada": "4", "bob": "3", "cyd": "0"}


def test_export_without_a_gradebook_says_so_and_creates_none(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["export", "--to", str(tmp_path / "grades.csv"), "--root", str(tmp_path)]) == 1
    assert "nothing is graded" in capsys.readouterr().err
    assert not (tmp_path / "gradebook.db").exists() and not (tmp_path / "grades.csv").exists()


def test_an_unknown_export_format_is_refused(course: Path, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit):
        main(["export", "--format", "blackboard", "--root", str(course)])
    assert "invalid choice: 'blackboard'" in capsys.readouterr().err


def test_unknown_student_is_a_clear_error(course: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["autograde", ASSIGNMENT, "--student", "zed", "--root", str(course)]) == 1
    assert "no submission of sample from zed" in capsys.readouterr().err


def test_no_sandbox_is_said_and_regraded_in_the_sandbox_next_time(course: Path, capsys: pytest.CaptureFixture) -> None:
    before = cell_points(course)
    assert before["ada"] == SOLUTION
    assert main(["autograde", ASSIGNMENT, "--student", "ada", "--force", "--no-sandbox", "--root", str(course)]) == 0
    out = capsys.readouterr().out
    assert f"{ASSIGNMENT}: 1 submission(s), 1 {NO_SANDBOX}" in out
    assert f"      note: {NO_SANDBOX}" in out and "NO sandbox around the kernel (--no-sandbox)" in out
    assert "WITHOUT a sandbox" in (course / "autograded" / "ada" / ASSIGNMENT / NB).read_text()  # GradingExecute's
    assert cell_points(course) == before
    rows = {r.student: r for r in autograde(course, ASSIGNMENT)}
    assert (rows["ada"].status, rows["ada"].notes, rows["ada"].sandbox) == ("graded", [REGRADED_NO_SANDBOX], True)
    assert (rows["bob"].status, rows["cyd"].status) == ("unchanged", "unchanged")
    assert "WITHOUT a sandbox" not in (course / "autograded" / "ada" / ASSIGNMENT / NB).read_text()
    assert cell_points(course) == before


def test_a_course_without_its_gradebook_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root = make_course(tmp_path / "course")
    generate(root, [ASSIGNMENT])
    (root / "gradebook.db").unlink()
    _submit(root, "ada", source_notebook())
    assert main(["autograde", ASSIGNMENT, "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert f"has no notebook {ASSIGNMENT} of {ASSIGNMENT}: run `dl4text release {ASSIGNMENT}`" in err
    assert not (root / "gradebook.db").exists()


# -- a class that tries to get around the grading ----------------------------------------

@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ada: the solution (with a link to the source solution beside it); the others: a notebook
    that is a link to the instructor's solution, a FIFO, a file over the size bound, a linked
    assignment folder, a linked student folder."""
    root = make_course(tmp_path_factory.mktemp("hostile"))
    generate(root, [ASSIGNMENT])
    solution = root / "source" / ASSIGNMENT / NB
    ada = _submit(root, "ada", source_notebook()).parent
    (ada / "notes.txt").symlink_to(f"../../../source/{ASSIGNMENT}/{NB}")
    (ada / "linked").symlink_to(root / "source" / ASSIGNMENT)
    os.mkfifo(ada / "pipe")
    folder = root / "submitted" / "eve" / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / NB).symlink_to(f"../../../source/{ASSIGNMENT}/{NB}")
    assert (folder / NB).read_bytes() == solution.read_bytes()  # followed, it would be full marks
    folder = root / "submitted" / "fifi" / ASSIGNMENT
    folder.mkdir(parents=True)
    os.mkfifo(folder / NB)
    folder = root / "submitted" / "max" / ASSIGNMENT
    folder.mkdir(parents=True)
    with (folder / NB).open("wb") as handle:
        handle.write(solution.read_bytes())
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: cheap to make
    (root / "submitted" / "lou").mkdir()
    (root / "submitted" / "lou" / ASSIGNMENT).symlink_to(root / "submitted" / "ada" / ASSIGNMENT)
    (root / "submitted" / "sam").symlink_to(root / "submitted" / "ada")
    return root


HOSTILE_POINTS = {"ada": SOLUTION, "eve": ZERO, "fifi": ZERO, "max": ZERO, "lou": ZERO, "sam": ZERO}


def test_links_special_and_oversize_submissions_get_zero_with_the_reason(hostile: Path) -> None:
    rows = {r.student: r for r in autograde(hostile, ASSIGNMENT)}
    assert set(rows) == set(HOSTILE_POINTS)
    assert cell_points(hostile) == HOSTILE_POINTS, rows
    assert (rows["ada"].status, rows["ada"].score, rows["ada"].max_score) == ("graded", 3.0, 4.0)
    assert sorted(rows["ada"].notes) == ["left out: linked: it is a symbolic link (to "
                                         f"{hostile / 'source' / ASSIGNMENT}), which is not followed",
                                         f"left out: notes.txt: it is a symbolic link (to ../../../source/"
                                         f"{ASSIGNMENT}/{NB}), which is not followed",
                                         "left out: pipe: it is a FIFO, not a regular file"]
    assert not (hostile / "autograded" / "ada" / ASSIGNMENT / "notes.txt").exists()
    assert not (hostile / "autograded" / "ada" / ASSIGNMENT / "linked").exists()
    reasons = {"eve": f"it is a symbolic link (to ../../../source/{ASSIGNMENT}/{NB}), which is not followed",
               "fifi": "it is a FIFO, not a regular file",
               "max": f"it is larger than {MAX_FILE_BYTES // 1024**2} MiB (64 MiB)"}
    for student, reason in reasons.items():
        row = rows[student]
        assert (row.status, row.score, row.max_score) == ("graded", 0.0, 4.0), row
        assert row.notes == [f"{student}/{ASSIGNMENT}/{NB}: {reason}"]
        graded = (hostile / "autograded" / student / ASSIGNMENT / NB).read_text()
        assert "could not be read when it was graded" in graded and reason in graded
        kept = hostile / "submitted" / student / ASSIGNMENT / f"{NB}.unreadable"
        assert kept.is_symlink() if student == "eve" else kept.exists()
    refused = {"lou": f"submitted/lou/{ASSIGNMENT}: it is a symbolic link (to "
                      f"{hostile / 'submitted' / 'ada' / ASSIGNMENT}), which is not followed",
               "sam": f"submitted/sam: it is a symbolic link (to {hostile / 'submitted' / 'ada'}), "
                      "which is not followed"}
    for student, reason in refused.items():
        row = rows[student]
        assert (row.status, row.score, row.max_score, row.notes) == ("refused", 0.0, 4.0, [reason]), row
        graded = (hostile / "autograded" / student / ASSIGNMENT / NB).read_text()
        assert f"Not graded: {reason}" in graded and "This submission was not graded" in graded
    assert (hostile / "submitted" / "lou" / ASSIGNMENT).is_symlink()  # nothing written through the links
    assert sorted(p.name for p in (hostile / "submitted" / "ada" / ASSIGNMENT).iterdir()) == \
        sorted(["linked", "notes.txt", NB, "pipe"])

    again = {r.student: r.status for r in autograde(hostile, ASSIGNMENT)}
    assert again == dict.fromkeys(HOSTILE_POINTS, "unchanged")
    assert cell_points(hostile) == HOSTILE_POINTS


def test_a_grading_that_hangs_is_stopped_by_the_fence(hostile: Path) -> None:
    _submit(hostile, "hal", CASES["notebook_never_ends"].make(source_notebook()))  # 4 x 8 s, bound 25 s
    started = time.monotonic()
    rows = autograde(hostile, ASSIGNMENT, only=["hal"], task_timeout=12)
    assert time.monotonic() - started < 60
    assert [(r.student, r.status, r.score) for r in rows] == [("hal", "stopped", 0.0)]
    assert rows[0].notes == ["the grading ran longer than 12 s and was stopped"]
    assert cell_points(hostile) == {**HOSTILE_POINTS, "hal": ZERO}
