"""`dl4text bench class` on the sample course: a real class graded with 1 and 2 workers.

Nothing about speed is asserted (a benchmark, not a timed test): the class is built with the
right submissions, every one is graded, the graders' seconds are read back from the autograded
notebooks, and the tables say what was measured.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from dl4text.bench import classroom
from dl4text.cli import main
from dl4text.grading.execute import TIMING_KEY
from tests.grading.sample_course import ASSIGNMENT, make_course

pytestmark = pytest.mark.filterwarnings("ignore:Object of type:Warning")
NB = f"{ASSIGNMENT}.ipynb"


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, classroom.ClassBench]:
    root = make_course(tmp_path_factory.mktemp("course"))
    work = tmp_path_factory.mktemp("class")
    return work, classroom.measure(root, work, fast=True, solved=1)


def test_the_class_holds_solutions_and_broken_submissions(bench: tuple[Path, classroom.ClassBench]) -> None:
    work, result = bench
    assert result.students == ["solved1", "untouched_release", "cut_off_file"]
    submitted = work / "class" / "submitted"
    solved = (submitted / "solved1" / ASSIGNMENT / NB).read_text()
    assert "BEGIN SOLUTION" in solved
    assert "NotImplementedError" in (submitted / "untouched_release" / ASSIGNMENT / NB).read_text()
    with pytest.raises(Exception):  # noqa: B017 - any reader error: the file is cut off
        nbformat.reads((submitted / "cut_off_file" / ASSIGNMENT / NB).read_text(), as_version=4)


def test_every_worker_count_grades_the_whole_class(bench: tuple[Path, classroom.ClassBench]) -> None:
    work, result = bench
    assert [r.workers for r in result.runs] == [1, 2]
    for run in result.runs:
        assert run.failures == [] and run.graded == run.submissions == 3, run
        assert run.seconds > 0 and run.per_assignment.keys() == {ASSIGNMENT}
        assert run.graders_seconds > 0 and run.kernel_seconds > 0, run
        timing = nbformat.read(work / f"class-workers-{run.workers}" / "autograded" / "solved1" / ASSIGNMENT / NB,
                               as_version=4).metadata[TIMING_KEY]
        assert timing["graders_seconds"] > 0 and timing["kernel_seconds"] > 0
        # every student's notebooks were graded and recorded their seconds, counted per student
        assert run.busy_by_student.keys() == set(result.students)
        assert run.busy_by_student["solved1"] == pytest.approx(
            timing["graders_seconds"] + timing["kernel_seconds"], abs=0.1)
        assert sum(run.busy_by_student.values()) == pytest.approx(run.kernel_seconds + run.graders_seconds, abs=0.2)
    assert result.speedup == pytest.approx(result.runs[0].seconds / result.runs[1].seconds)


def test_the_report_gives_per_student_figures_and_the_projection(bench: tuple[Path, classroom.ClassBench]) -> None:
    _, result = bench
    text = classroom.format_class_report(result)
    assert "3 students (solved1, untouched_release, cut_off_file)" in text and "fast mode" in text
    assert "graders' seconds" in text and "3/3" in text
    assert "| 100 " in text and "| 500 " in text and "16 machines" in text
    per_student = result.seconds_per_solved_student(result.runs[-1])
    assert (f"projected from {classroom.format_value(per_student)} per student who hands in working "
            "notebooks, with --workers 2") in text
    assert json.loads(json.dumps(result.as_json()))["runs"][1]["workers"] == 2


def test_projection_scales_with_students_and_machines() -> None:
    result = classroom.ClassBench(students=["a", "b"], assignments=["x"], fast=False,
                                  runs=[classroom.ClassRun(workers=1, seconds=720.0),
                                        classroom.ClassRun(workers=2, seconds=360.0)])
    assert result.speedup == 2.0
    table = classroom.projection_table(result)
    # 180 s a student with 2 workers: 100 students 5.0 h here, 1.2 h on 4 machines; 500: 25.0 h, 1.6 h on 16
    assert "| 100      | 5.0 h     | 1.2 h      | 19 min" in table
    assert "| 500      | 25.0 h    | 6.2 h      | 1.6 h" in table


def test_projection_counts_what_a_working_submission_costs() -> None:
    # 400 s for two solved students and two broken ones, whose kernels ran 20 s and 0 s of 320:
    # the solved share is 300/320 of the class's seconds, 187.5 s per solved student
    busy = {"solved1": 140.0, "solved2": 160.0, "untouched_release": 20.0}
    result = classroom.ClassBench(students=["solved1", "solved2", *classroom.BROKEN], assignments=["x"],
                                  fast=False, runs=[classroom.ClassRun(workers=1, seconds=400.0,
                                                                       busy_by_student=busy)])
    assert result.solved == ["solved1", "solved2"]
    assert result.seconds_per_student(result.runs[0]) == 100.0
    assert result.seconds_per_solved_student(result.runs[0]) == pytest.approx(187.5)
    # 100 students x 187.5 s = 5.2 h on one machine
    assert "| 100      | 5.2 h " in classroom.projection_table(result)
    assert "188 s per student who hands in working notebooks" in classroom.projection_table(result)


def test_bench_class_rejects_an_empty_class(capsys: pytest.CaptureFixture) -> None:
    assert main(["bench", "class", "--students", "0"]) == 1
    assert "--students must be at least 1" in capsys.readouterr().err
    assert main(["bench", "class", "--workers", "1", "0"]) == 1
    assert "--workers must be at least 1" in capsys.readouterr().err
    assert main(["bench", "class", "--quick"]) == 1
    assert "not for bench class" in capsys.readouterr().err
    assert main(["bench", "class", "--assignments", "a9_missing"]) == 1
    assert "no assignment a9_missing" in capsys.readouterr().err
