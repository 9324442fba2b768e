"""nbgrader's exchange, round trip: release, fetch, submit, collect, autograde, feedback, fetch_feedback.

What a JupyterHub course does, on a local exchange folder, with the real nbgrader commands
and two students who are real unprivileged users (nbgrader takes the student id from the
user the command runs as: ``pwd.getpwuid(os.getuid())``, not from ``$USER``). Each student
has a home folder of their own, with nbgrader's settings in ``~/.jupyter/nbgrader_config.py``
(the exchange root, the course id), and works there. The instructor (root here) runs the
course folder of :func:`tests.grading.sample_course.make_course`, whose
``nbgrader_config.py`` gets the exchange root too.

``ada`` hands in the answers, ``bob`` gets ``answer`` wrong (7); both write an answer to
the manual question. The round trip runs once (module fixture); the tests check each step.

Root only: it creates the users ``dl4text-ada`` and ``dl4text-bob`` when missing.
"""

from __future__ import annotations

import csv
import html
import io
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from dl4text import authoring as a
from dl4text.cli import main

from ..accounts import system_user, traversable_for_others
from ..grading.sample_course import ASSIGNMENT, DOUBLE_SOLUTION, HERE, RUBRIC, make_course, source_notebook

COURSE_ID = "sample-course"  # make_course's nbgrader_config.py
NB = f"{ASSIGNMENT}.ipynb"
BIN = Path(sys.executable).parent
ADA, BOB = "dl4text-ada", "dl4text-bob"
#: what each student writes in the fetched notebook: grade_id -> source
ANSWERS = {
    ADA: {"double": "\n".join(line for line in DOUBLE_SOLUTION.strip("\n").splitlines() if "###" not in line),
          "answer": "answer = 42",
          "why": "Ada writes: the validation loss turns up once the network memorises the training reviews."},
    BOB: {"double": "import numpy as np\n\ndef double(x):\n    return np.asarray(x) * 2",
          "answer": "answer = 7",
          "why": "Bob writes: more epochs always help."},
}
#: the instructor's model answer to the manual question, in source/ only (the person grading reads it)
MODEL_ANSWER = "Model answer (instructor only): it turns when training starts to fit noise."
#: what a student must never read: the markers of the instructor's regions
MARKERS = ["BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "BEGIN MARK SCHEME"]

pytestmark = [
    pytest.mark.filterwarnings("ignore:Object of type:Warning"),  # SQLAlchemy 2.1 on nbgrader, harmless
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root: it creates two students and runs as them"),
    pytest.mark.skipif(not (shutil.which("runuser") and shutil.which("useradd")),
                       reason="runuser and useradd (util-linux, passwd) are needed to run the students"),
]


@dataclass
class Student:
    """One student: their user, their home (= working folder), what they fetched and got back."""

    user: pwd.struct_passwd
    home: Path
    fetched: bytes = b""  # the notebook as fetch_assignment wrote it, before the student's edits
    feedback: dict[str, str] = field(default_factory=dict)  # relative path under sample/feedback -> HTML

    @property
    def name(self) -> str:
        return self.user.pw_name


@dataclass
class RoundTrip:
    """Everything the round trip left: the course, the exchange, the students, the commands' output."""

    course: Path
    exchange: Path
    students: dict[str, Student]
    logs: dict[str, str] = field(default_factory=dict)  # step -> its output
    inbound: list[tuple[str, int]] = field(default_factory=list)  # (folder name, owner uid) after submit
    export: list[dict[str, str]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def _student_env(student: Student) -> list[str]:
    env = {"HOME": str(student.home), "USER": student.name, "LOGNAME": student.name, "LANG": "C.UTF-8",
           "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin"}
    return ["runuser", "-u", student.name, "--", "env", "-i", *(f"{k}={v}" for k, v in env.items())]


def _as_students(students: list[Student], *args: str) -> dict[str, str]:
    """``nbgrader ARGS`` run by each student at once, in their home folder; name -> output."""
    running = {s.name: subprocess.Popen([*_student_env(s), str(BIN / "nbgrader"), *args], cwd=s.home,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
               for s in students}
    logs = {}
    for name, process in running.items():
        out, _ = process.communicate(timeout=120)
        assert process.returncode == 0, f"{name}: nbgrader {' '.join(args)} failed:\n{out[-3000:]}"
        logs[name] = out
    return logs


def _instructor(course: Path, *args: str) -> str:
    """``nbgrader ARGS`` run by the instructor in the course folder; its output."""
    done = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{(done.stdout + done.stderr)[-3000:]}"
    return done.stdout + done.stderr


def _dl4text(*args: str) -> str:
    """``dl4text ARGS`` in this process; its output (it must succeed)."""
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(out):
        code = main(list(args))
    assert code == 0, f"dl4text {' '.join(args)} failed:\n{out.getvalue()[-3000:]}"
    return out.getvalue()


def _edit(path: Path, answers: dict[str, str]) -> None:
    """Write ``answers`` into the fetched notebook at ``path`` in place (the file stays the student's)."""
    nb = nbformat.read(path, as_version=4)
    for grade_id, source in answers.items():
        a.cell_by_id(nb, grade_id).source = source
    with path.open("w", encoding="utf-8") as handle:  # truncates: owner and mode are kept
        nbformat.write(nb, handle)


def _timed(trip: RoundTrip, step: str, started: float) -> None:
    trip.seconds[step] = round(time.monotonic() - started, 1)


@pytest.fixture(scope="module")
def trip(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RoundTrip]:
    base = Path(tempfile.mkdtemp(prefix="dl4text-exchange-"))  # in /tmp: the students can reach it
    try:
        with traversable_for_others():
            os.chmod(base, 0o755)
            yield _round_trip(tmp_path_factory.mktemp("exchange-course"), base)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _round_trip(root: Path, base: Path) -> RoundTrip:
    """The whole term, once: each step as the instructor or the students would run it."""
    exchange = base / "exchange"
    course = make_course(root)
    a.write(a.replace_source(source_notebook(), "why", MODEL_ANSWER), course / "source" / ASSIGNMENT / NB)
    with (course / "nbgrader_config.py").open("a") as config:
        config.write(f"c.Exchange.root = {str(exchange)!r}\n")
    students = {}
    for name in (ADA, BOB):
        user = system_user(name)
        home = base / name
        (home / ".jupyter").mkdir(parents=True)
        (home / ".jupyter" / "nbgrader_config.py").write_text(
            f"c = get_config()  # noqa: F821\nc.Exchange.root = {str(exchange)!r}\n"
            f"c.CourseDirectory.course_id = {COURSE_ID!r}\n")
        for path in (home, *home.rglob("*")):
            os.lchown(path, user.pw_uid, user.pw_gid)
        os.chmod(home, 0o700)
        students[name] = Student(user, home)
    trip = RoundTrip(course, exchange, students)
    everyone = list(students.values())

    started = time.monotonic()
    trip.logs["release"] = _dl4text("release", ASSIGNMENT, "--root", str(course))
    trip.logs["release_assignment"] = _instructor(course, "release_assignment", ASSIGNMENT)
    _timed(trip, "instructor: dl4text release, nbgrader release_assignment", started)

    started = time.monotonic()
    trip.logs |= {f"fetch_assignment {k}": v for k, v in _as_students(everyone, "fetch_assignment", ASSIGNMENT).items()}
    for student in everyone:
        fetched = student.home / ASSIGNMENT / NB
        student.fetched = fetched.read_bytes()
        _edit(fetched, ANSWERS[student.name])
    trip.logs |= {f"submit {k}": v for k, v in _as_students(everyone, "submit", ASSIGNMENT).items()}
    inbound = exchange / COURSE_ID / "inbound"
    trip.inbound = sorted((p.name, p.stat().st_uid) for p in inbound.iterdir())
    _timed(trip, "students: fetch_assignment, edit, submit", started)

    started = time.monotonic()
    trip.logs["collect"] = _instructor(course, "collect", ASSIGNMENT)
    trip.logs["autograde"] = _dl4text("autograde", ASSIGNMENT, "--root", str(course))
    trip.logs["feedback"] = _dl4text("feedback", ASSIGNMENT, "--root", str(course))
    trip.logs["release_feedback"] = _instructor(course, "release_feedback", ASSIGNMENT)
    _timed(trip, "instructor: collect, dl4text autograde, dl4text feedback, nbgrader release_feedback", started)

    started = time.monotonic()
    trip.logs |= {f"fetch_feedback {k}": v for k, v in _as_students(everyone, "fetch_feedback", ASSIGNMENT).items()}
    for student in everyone:
        folder = student.home / ASSIGNMENT / "feedback"
        student.feedback = {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
                            for p in sorted(folder.rglob("*.html"))}
    _timed(trip, "students: fetch_feedback", started)

    grades = root / "grades.csv"
    trip.logs["export"] = _dl4text("export", "--to", str(grades), "--root", str(course))
    with grades.open(newline="") as handle:
        trip.export = list(csv.DictReader(handle))
    print(f"\n[exchange] {trip.seconds}")
    return trip


def _text(page: str) -> str:
    """What a student reads on the feedback page: its text, without styles, scripts and tags."""
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def _squeezed(text: str) -> str:
    """``text`` without white space: code in the page is split into highlighted tokens."""
    return re.sub(r"\s+", "", text)


def _only_page(student: Student) -> str:
    assert len(student.feedback) == 1, student.feedback.keys()
    (page,) = student.feedback.values()
    return page


# -- the steps ---------------------------------------------------------------------------------

def test_each_student_fetches_the_release_as_their_own_files(trip: RoundTrip) -> None:
    release = (trip.course / "release" / ASSIGNMENT / NB).read_bytes()
    for student in trip.students.values():
        assert student.fetched == release, student.name
        assert (student.home / ASSIGNMENT / NB).stat().st_uid == student.user.pw_uid
    assert MODEL_ANSWER not in release.decode() and "answer = 42" not in release.decode()


def test_each_submission_is_the_students_and_no_student_can_list_the_others(trip: RoundTrip) -> None:
    names = [name for name, _ in trip.inbound]
    assert len(names) == 2, names
    for student in trip.students.values():
        mine = [(n, uid) for n, uid in trip.inbound if n.startswith(f"{student.name}+{ASSIGNMENT}+")]
        assert [uid for _, uid in mine] == [student.user.pw_uid], trip.inbound
    inbound = trip.exchange / COURSE_ID / "inbound"
    assert stat.S_IMODE(inbound.stat().st_mode) & 0o007 == 0o003  # others: write and enter, not list
    released = trip.exchange / COURSE_ID / "feedback"  # each page is found by its submission's secret
    for folder in (inbound, released):
        done = subprocess.run([*_student_env(trip.students[BOB]), "ls", str(folder)], capture_output=True,
                              text=True, check=False)
        assert done.returncode != 0 and "Permission denied" in done.stderr, (folder, done)


def test_collect_takes_both_submissions_with_nbgraders_extra_files(trip: RoundTrip) -> None:
    assert "cheating attempt" not in trip.logs["collect"]  # each folder is owned by the student it names
    for name in trip.students:
        folder = trip.course / "submitted" / name / ASSIGNMENT
        assert sorted(p.name for p in folder.iterdir()) == [NB, "submission_secret.txt", "timestamp.txt"]
        assert nbformat.read(folder / NB, as_version=4) == nbformat.reads(
            (trip.students[name].home / ASSIGNMENT / NB).read_text(), as_version=4)


def test_autograde_grades_both_collected_submissions(trip: RoundTrip) -> None:
    out = trip.logs["autograde"]
    assert f"{ASSIGNMENT}: 2 submission(s)" in out and "2 graded" in out, out
    rows = {line.split()[0]: line for line in out.splitlines() if line.strip().startswith("dl4text-")}
    assert rows[ADA].split()[1:3] == ["3/4", "graded"], out
    assert rows[BOB].split()[1:3] == ["2/4", "graded"] and "test_answer 0/1" in rows[BOB], out
    with Gradebook(f"sqlite:///{trip.course / 'gradebook.db'}", COURSE_ID) as gb:
        for name, total in ((ADA, 3.0), (BOB, 2.0)):
            submission = gb.find_submission(ASSIGNMENT, name)
            assert submission.score == total
            stamp = (trip.course / "submitted" / name / ASSIGNMENT / "timestamp.txt").read_text()
            assert submission.timestamp.isoformat(" ") == stamp.removesuffix(" UTC"), (submission.timestamp, stamp)


def test_a_second_autograde_finds_nothing_changed(trip: RoundTrip) -> None:
    out = _dl4text("autograde", ASSIGNMENT, "--root", str(trip.course))
    statuses = {line.split()[0]: line.split()[2] for line in out.splitlines() if line.strip().startswith("dl4text-")}
    assert statuses == {ADA: "unchanged", BOB: "unchanged"}, out


def test_each_student_fetches_feedback_with_their_own_grades(trip: RoundTrip) -> None:
    ada, bob = (_text(_only_page(trip.students[s])) for s in (ADA, BOB))
    assert f"{ASSIGNMENT} (Score: 3.0 / 4.0)" in ada, ada[:2000]
    assert "[PASS] double() on a vector chosen at grading time (1.5/1.5)" in ada
    assert "[PASS] the answer (1/1)" in ada and "[FAIL]" not in ada
    assert ANSWERS[ADA]["why"] in ada and "answer = 42" in ada
    assert f"{ASSIGNMENT} (Score: 2.0 / 4.0)" in bob, bob[:2000]
    assert "[PASS] double() on an empty vector (0.5/0.5)" in bob
    assert "[FAIL] the answer (0/1): answer is not the answer" in bob
    assert ANSWERS[BOB]["why"] in bob and "answer = 7" in bob
    for student in trip.students.values():
        stamp = (trip.course / "submitted" / student.name / ASSIGNMENT / "timestamp.txt").read_text()
        assert list(student.feedback) == [f"{stamp}/{ASSIGNMENT}.html"]


def test_feedback_holds_nothing_of_the_other_student(trip: RoundTrip) -> None:
    for me, other in ((ADA, BOB), (BOB, ADA)):
        page = _only_page(trip.students[me])
        text = _squeezed(_text(page))
        assert other not in page
        for grade_id in ("answer", "why"):
            assert _squeezed(ANSWERS[other][grade_id]) not in text, (me, grade_id)


def _grader_code_lines() -> list[str]:
    """The code lines of the sample's hidden graders (docstrings, which name the checks, left out)."""
    source = (HERE / "sample_graders.py").read_text()
    lines = [line.strip() for line in source.splitlines()]
    return [line for line in lines if len(line) > 12 and not line.startswith(('"""', "#", "from ", "import "))]


def test_feedback_holds_nothing_of_the_graders_or_the_instructors_regions(trip: RoundTrip) -> None:
    code = _grader_code_lines()
    assert "assert submission.value(\"answer\") == 42, \"answer is not the answer\"" in code
    for student in trip.students.values():
        text = _squeezed(_text(_only_page(student)))
        for line in code:
            assert _squeezed(line) not in text, (student.name, line)
        for marker in MARKERS + [MODEL_ANSWER, "grader_tests", RUBRIC.split("** ")[1][:40]]:
            assert _squeezed(marker) not in text, (student.name, marker)


def test_export_has_both_students(trip: RoundTrip) -> None:
    assert {row["student_id"]: (row[ASSIGNMENT], row["max_total"]) for row in trip.export} == {
        ADA: ("3", "4"), BOB: ("2", "4")}
