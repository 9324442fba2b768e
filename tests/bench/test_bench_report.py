"""`dl4text bench`: ratios, tables and JSON on synthetic measurements (no timing is asserted),
and the baselines' correctness on the small archive."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from dl4text.bench import data, parallel, suite, vectorize
from dl4text.bench.child import ChildResult, emit, run_module
from dl4text.bench.report import (
    BenchReport,
    Comparison,
    TrainingRow,
    comparison_table,
    format_report,
    format_value,
    ratio,
    read_ratio,
    training_table,
    write_json,
)
from dl4text.cli import main
from dl4text.data import load_imdb
from dl4text.grading.multihot import multi_hot


def child(seconds: float | None = None, *, returncode: int = 0, wall: float = 1.0,
          stderr: str = "") -> ChildResult:
    report = {} if seconds is None else {"seconds": seconds}
    return ChildResult(command=["x"], returncode=returncode, wall_s=wall, cpu_s=wall / 2, maxrss_mb=100.0,
                       report=report, stderr=stderr)


def sample_report() -> BenchReport:
    return BenchReport(
        meta={"date": "2026-01-02T03:04:05+00:00", "quick": False, "command": "dl4text bench",
              "machine": {"cores": 2, "cpu": "Test CPU", "memory_gib": 24, "accelerator": "none (CPU)",
                          "python": "3.11.7", "platform": "Linux"},
              "versions": {"tensorflow-cpu": "2.21.0", "keras": "3.15.1"},
              "load_start": 0.5, "load_end": 1.5, "seconds": 1234.5},
        comparisons=[
            Comparison("data", "load cold", "plain loop", 20.0, 10.0, note="all reviews"),
            Comparison("vectorize", "peak memory", "notes", 2000.0, 1000.0, unit="MB"),
            Comparison("grading", "dl4text grade a1", "nbconvert", 100.0, 125.0),
            Comparison.unavailable("parallel", "workers 2", "workers 1", "not available yet"),
        ],
        training=[TrainingRow("dense", "16-16-1", params=160305, trainable=160305, epochs=4,
                              epoch_seconds=[3.0, 1.0, 1.2, 1.1], peak_mb=5800, accuracy=0.887,
                              notes_accuracy=0.88),
                  TrainingRow("frozen", "frozen", params=580033, trainable=80033, epochs=10,
                              epoch_seconds=[2.0], accuracy=0.69, notes_accuracy=0.7843,
                              note="glove-50")],
        sections={"data": {"seconds": 60.0}, "vectorize": {"seconds": 20.0}, "training": {"seconds": 200.0},
                  "grading": {"seconds": 600.0}, "parallel": {"seconds": 300.0}},
    )


def test_ratio_is_kit_over_baseline_and_missing_figures_give_none() -> None:
    assert ratio(10.0, 20.0) == 0.5
    assert ratio(None, 20.0) is None and ratio(10.0, None) is None and ratio(1.0, 0.0) is None
    assert Comparison("a", "b", "c", 4.0, 5.0).ratio == 1.25


def test_ratios_read_in_words() -> None:
    assert read_ratio(0.5) == "2.0x faster"
    assert read_ratio(1.25) == "25% slower"
    assert read_ratio(0.5, "MB") == "2.0x less"
    assert read_ratio(1.1, "MB") == "10% more"
    assert read_ratio(None) == "-"


def test_values_are_formatted_by_unit() -> None:
    assert format_value(0.4567) == "0.46 s"
    assert format_value(45.67) == "45.7 s"
    assert format_value(1234.5) == "1,234 s"
    assert format_value(2048.4, "MB") == "2,048 MB"
    assert format_value(0.88, "acc") == "0.8800"
    assert format_value(None) == "-"


def test_comparison_table_shows_baseline_kit_and_ratio_or_the_reason() -> None:
    table = comparison_table(sample_report().comparisons).splitlines()
    assert table[0].startswith("| area") and "kit / baseline" in table[0]
    assert set(table[1]) <= {"|", "-", " "}
    assert "| 20.0 s" in table[2] and "| 10.0 s" in table[2] and "0.50 (2.0x faster)" in table[2]
    assert "2,000 MB" in table[3] and "0.50 (2.0x less)" in table[3]
    assert "1.25 (25% slower)" in table[4]
    assert "not available yet" in table[5]
    assert len({len(line) for line in table}) == 1, "columns are padded to one width"


def test_training_table_gives_median_epoch_accuracy_and_difference_to_the_notes() -> None:
    rows = sample_report().training
    assert rows[0].seconds_per_epoch == pytest.approx(1.15)
    assert rows[0].first_epoch == 3.0
    table = training_table(rows)
    assert "1.15 s" in table and "3.00 s" in table and "5,800 MB" in table
    assert "0.8870" in table and "0.8800" in table and "+0.0070" in table
    assert "580,033 (80,033 trainable)" in table and "-0.0943" in table


def test_report_names_machine_versions_date_command_and_notes() -> None:
    text = format_report(sample_report())
    assert "2026-01-02T03:04:05+00:00" in text
    assert "command: dl4text bench" in text
    assert "2 cores, Test CPU, 24 GiB, none (CPU)" in text
    assert "tensorflow-cpu 2.21.0" in text and "keras 3.15.1" in text
    assert "0.5 at the start, 1.5 at the end" in text
    assert "- data, load cold: all reviews" in text
    assert "- training, frozen: glove-50" in text


def test_json_round_trip_keeps_rows_and_adds_ratios(tmp_path: Path) -> None:
    report = sample_report()
    path = write_json(report, tmp_path / "out" / "bench.json")
    raw = json.loads(path.read_text())
    assert raw["comparisons"][0]["ratio"] == 0.5
    assert raw["comparisons"][3]["ratio"] is None
    assert raw["training"][0]["seconds_per_epoch"] == pytest.approx(1.15)
    assert raw["training"][0]["accuracy_difference"] == pytest.approx(0.007)
    again = BenchReport.from_json(raw)
    assert format_report(again) == format_report(report)


def test_comparison_from_children_uses_the_report_or_the_wall_time_and_says_why_one_failed() -> None:
    row = Comparison.from_children("data", "x", "b", child(4.0), child(1.0), key="seconds")
    assert (row.baseline, row.kit, row.ratio) == (4.0, 1.0, 0.25)
    assert row.details["kit"]["cpu_s"] == 0.5
    wall = Comparison.from_children("grading", "x", "b", child(wall=8.0), child(wall=10.0))
    assert wall.ratio == 1.25
    failed = Comparison.from_children("data", "x", "b", child(4.0),
                                      child(returncode=1, stderr="Traceback\nValueError: boom\n"),
                                      key="seconds")
    assert failed.kit is None and failed.ratio is None
    assert "kit failed (exit code 1: ValueError: boom)" in failed.note


def test_a_child_reports_its_json_line_among_other_output(capsys: pytest.CaptureFixture) -> None:
    print("some log line")
    emit({"seconds": 1.5})
    out = capsys.readouterr().out
    from dl4text.bench.child import _report

    assert _report(out) == {"seconds": 1.5}
    done = run_module("json.tool", "--help")  # any module: measured from outside
    assert done.ok and done.wall_s > 0 and done.maxrss_mb > 0


def test_estimate_uses_the_latest_run_of_the_same_kind_section_by_section(tmp_path: Path) -> None:
    results = tmp_path / "bench-results"
    write_json(sample_report(), results / "bench-20260102-030405.json")
    seconds, basis = suite.estimate(tmp_path, quick=False, results=results)
    assert seconds == 1180.0 and basis == "the last runs on this machine"
    newer = sample_report()
    newer.meta["partial"] = True
    newer.sections = {"data": {"seconds": 5.0}}  # a run of one section, or one cut short
    write_json(newer, results / "bench-20260103-000000.json")
    assert suite.estimate(tmp_path, quick=False, results=results)[0] == 1125.0
    seconds, basis = suite.estimate(tmp_path, quick=True, results=results)
    assert seconds == sum(suite.QUICK_SECONDS.values()) and basis == "built-in estimates for 2 idle CPU cores"
    seconds, basis = suite.estimate(tmp_path, quick=False, sections=("data", "vectorize"),
                                    results=tmp_path / "none")
    assert seconds == suite.FULL_SECONDS["data"] + suite.FULL_SECONDS["vectorize"]


def test_quick_subset_globs_select_ids_below_the_bound() -> None:
    import fnmatch

    globs = data._id_globs(2000)
    chosen = [i for i in range(12500) if any(fnmatch.fnmatch(f"{i}_7.txt", g) for g in globs)]
    assert chosen == list(range(2000))
    assert data._id_globs(None) == ["*.txt"]
    assert data._id_globs(1500) is None


def test_the_plain_baseline_encodes_as_load_imdb(small_imdb, isolated_cache: Path, tmp_path: Path) -> None:
    folder = data.extract_labelled(small_imdb.path, tmp_path / "x")
    plain = data.baseline_load(folder, num_words=20)
    (x_train, y_train), (x_test, y_test) = load_imdb(num_words=20, path=small_imdb.path)
    for xs, ys, split in ((x_train, y_train, "train"), (x_test, y_test, "test")):
        kit = sorted((tuple(int(i) for i in x), int(y)) for x, y in zip(xs, ys, strict=True))
        mine = sorted((tuple(x), y) for x, y in zip(plain[f"x_{split}"], plain[f"y_{split}"], strict=True))
        assert kit == mine


def test_the_notes_vectorize_sequences_matches_multi_hot_in_float64() -> None:
    sequences = [np.array([1, 3, 3], dtype=np.int32), np.array([], dtype=np.int32), np.array([0, 9])]
    notes = vectorize.vectorize_sequences(sequences, dimension=10)
    assert notes.dtype == np.float64
    assert np.array_equal(notes, multi_hot(sequences, dimension=10))


def test_parallel_counts_the_graded_rows_of_the_autograde_summary() -> None:
    summary = ("a1_dense: 3 submission(s)\n"
               "  student                         score  status       time  points lost\n"
               "  student1                        21/23  graded        90s  -\n"
               "  student2                            -  FAILED        12s  -\n"
               "  student3                        20/23  graded        91s  test_final_model\n"
               "2 graded in 00:01:42\n")
    assert parallel.graded_count(summary) == 2


def test_bench_help(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["bench", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--quick" in out and "--out" in out and "--only" in out


def test_data_section_measures_cold_threaded_cold_one_thread_and_warm(small_imdb, isolated_cache: Path,
                                                                      tmp_path: Path) -> None:
    """Real child processes on the small archive: every row has figures, the same output as the
    baseline (no 'different output' note), and says which rows use a second thread."""
    rows = data.measure(small_imdb.path, tmp_path, quick=True)
    assert [r.what.split(") ")[1].split(":")[0] for r in rows] == ["cold", "cold, one thread", "warm"]
    for row in rows:
        assert row.baseline is not None and row.kit is not None, row.note
        assert "different output" not in row.note
        assert "CPU time of the call" in row.note
        assert row.details["kit"]["report"]["ids"] == row.details["baseline"]["report"]["ids"] > 0
    assert "second thread" in rows[0].note and "second thread" not in rows[1].note
