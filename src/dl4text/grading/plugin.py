"""pytest plugin that runs a grader module against one submission and records each verdict.

Loaded by :mod:`dl4text.grading.judge` as ``-p dl4text.grading.plugin``; it gives graders
the ``submission`` fixture and writes the verdicts to a pipe inherited from the judge, so
no file that a student's process could reach carries them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from dl4text.grading.evaluate import MEASURED
from dl4text.grading.graders_view import StudentError, Submission

_results: list[dict[str, Any]] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dl4text")
    group.addoption("--dl4text-run", help="the grading run's folder (probe, artifacts, results)")
    group.addoption("--dl4text-fast", action="store_true", help="grade in the fast mode")
    group.addoption("--dl4text-results-fd", type=int, default=None,
                    help="write the verdicts as JSON to this inherited file descriptor")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "dl4text_grades(grade_id, points): a grader of a test cell")


@pytest.fixture(scope="session")
def submission(request: pytest.FixtureRequest) -> Submission:
    """The submission under grading."""
    run_dir = request.config.getoption("--dl4text-run")
    if not run_dir:
        pytest.skip("no --dl4text-run given: graders run through `dl4text grade`")
    return Submission(Path(run_dir), fast=bool(request.config.getoption("--dl4text-fast")))


def _label(item: pytest.Item) -> str:
    doc = getattr(getattr(item, "function", None), "__doc__", None)
    if doc and doc.strip():
        return doc.strip().splitlines()[0].rstrip(".")
    return item.name.removeprefix("test_").replace("_", " ")


def _reason(excinfo: pytest.ExceptionInfo[BaseException]) -> str:
    exc = excinfo.value
    if isinstance(exc, StudentError):
        return str(exc)
    if isinstance(exc, AssertionError):
        return str(exc).strip() or "the check failed"
    if isinstance(exc, pytest.skip.Exception):
        return f"skipped: {exc}"
    return f"grader error ({type(exc).__name__}); tell your instructor"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    marker = item.get_closest_marker("dl4text_grades")
    if marker is None:
        return
    failed = report.failed or (report.when == "setup" and report.skipped)
    if report.when == "call" or failed:
        if any(r["nodeid"] == item.nodeid for r in _results):
            return
        entry = {
            "nodeid": item.nodeid,
            "name": _label(item),
            "grade_id": marker.kwargs["grade_id"],
            "weight": marker.kwargs.get("points", 1.0),
            "passed": bool(report.passed),
            "reason": "" if report.passed else _reason(call.excinfo) if call.excinfo else "failed",
        }
        if not report.passed and entry["reason"].startswith("grader error"):
            entry["detail"] = str(report.longrepr)[-4000:]
        _results.append(entry)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    fd = session.config.getoption("--dl4text-results-fd")
    if fd is not None:
        with os.fdopen(fd, "w") as pipe:
            pipe.write(json.dumps({"tests": _results, "measured": MEASURED}))
