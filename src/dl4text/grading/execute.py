"""nbgrader's ``Execute``, made to grade outside the kernel.

:class:`GradingExecute` runs the notebook like nbgrader's ``Execute`` does (per-cell
timeout, interrupt and go on), and in addition:

* after each autograded test cell, it runs that cell's probe requests in the kernel;
* a watchdog bounds the whole notebook's time and the kernel's memory; a kernel that
  dies or is stopped ends execution cleanly instead of dropping the submission;
* then it runs the hidden graders in their own process, and replaces every autograded
  test cell's outputs with their verdict: a report on stdout and the points as the cell's
  result, which nbgrader's ``SaveAutoGrades`` stores as (partial) credit.

``nbgrader_config.py`` puts it in place of ``Execute`` in
``Autograde.autograde_preprocessors``; ``dl4text grade`` uses it directly.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbconvert.preprocessors.execute import NotebookClient
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, Unicode, default

from dl4text import config
from dl4text.grading.assignment import Assignment, autograded_cells
from dl4text.grading.execution import ExecutionLog
from dl4text.grading.judge import CellVerdict, GraderFailure, run_graders, score_cells
from dl4text.grading.probe import Probe
from dl4text.grading.watchdog import Watchdog

KERNEL_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0", "PYTHONWARNINGS": "ignore",
              "MPLBACKEND": "Agg"}


class GradingExecute(Execute):
    """Execute a submission, probe its kernel, and grade it with the hidden graders."""

    timeout = Integer(900, allow_none=True,
                      help="Seconds one cell may run before it is interrupted.").tag(config=True)
    notebook_timeout = Integer(
        3600, help="Seconds the whole notebook may run; past them the kernel is stopped and "
                   "the cells left are not run.").tag(config=True)
    memory_limit_mb = Integer(
        12288, help="Memory (resident, MiB) the kernel's processes may use; past it the kernel "
                    "is stopped.").tag(config=True)
    probe_timeout = Integer(120, help="Seconds the probe of one test cell may run.").tag(config=True)
    grader_timeout = Integer(1800, help="Seconds the hidden graders may run.").tag(config=True)
    course_root = Unicode(
        "", help="The course folder holding source/ and grader_tests/ (default: the current "
                 "folder, where nbgrader runs).").tag(config=True)
    fast = Bool(help="Grade in the fast mode (default: the DL4TEXT_FAST variable).").tag(config=True)
    keep_run_dir = Bool(False, help="Keep the private run folder (for debugging).").tag(config=True)
    replay = Unicode(
        "", help="A result file of dl4text.parallel: return the notebook graded there (or a zero "
                 "grade with its reason) instead of executing; the gradebook owner's write.").tag(config=True)

    @default("fast")
    def _fast_default(self) -> bool:
        return config.fast_mode()

    def preprocess(self, nb: nbformat.NotebookNode, resources: Any = None, km: Any = None
                   ) -> tuple[nbformat.NotebookNode, Any]:
        """Execute ``nb``, probe it, grade it; return it with the test cells' verdicts."""
        resources = resources or {}
        info = resources.get("nbgrader", {})
        root = Path(self.course_root or os.getcwd()).resolve()
        assignment = Assignment(root=root, name=info["assignment"], notebook=info["notebook"])
        if self.replay:
            from dl4text.parallel.replay import replay

            return replay(self, nb, resources, assignment)
        self.verdicts = grade_notebook(self, nb, resources, km, assignment)
        return self.nb, self.resources

    # -- used by grade_notebook ---------------------------------------------------
    def kernel_env(self) -> dict[str, str]:
        env = dict(os.environ, **KERNEL_ENV)
        env[config.FAST_ENV] = "1" if self.fast else "0"
        return env


def grade_notebook(client: GradingExecute, nb: nbformat.NotebookNode, resources: dict,
                   km: Any, assignment: Assignment) -> list[CellVerdict]:
    """Run ``nb`` under ``client`` with probes, then the graders; write verdicts into ``nb``."""
    run_dir = Path(tempfile.mkdtemp(prefix="dl4text-run-"))
    os.chmod(run_dir, 0o700)
    log = ExecutionLog()
    failure: str | None = None
    raw: dict = {"tests": [], "measured": []}
    try:
        cells = assignment.test_cells()
        try:
            graders = assignment.load_graders()
            rng = np.random.default_rng(secrets.randbits(64))
            probe: Probe = graders.probe(rng, client.fast) if hasattr(graders, "probe") else Probe()
        except Exception as exc:  # noqa: BLE001 - report, grade zero, keep the batch going
            client.log.error("graders of %s could not be loaded: %s", assignment.name, exc)
            probe, failure = Probe(), f"the graders could not be loaded ({exc}); tell your instructor"
        probe.save(run_dir)
        started = time.monotonic()
        try:
            _execute_with_probes(client, nb, resources, km, probe, run_dir, log)
        except Exception as exc:  # noqa: BLE001 - never drop a submission: grade what ran
            client.log.exception("execution of %s failed", assignment.notebook)
            log.stop(len(client.nb.cells) - 1, f"execution failed ({type(exc).__name__}: {exc})")
        log.seconds = round(time.monotonic() - started, 2)
        log.save(run_dir)
        if failure is None:
            try:
                raw = run_graders(assignment.grader_file, run_dir, fast=client.fast,
                                  timeout=client.grader_timeout)
            except GraderFailure as exc:
                client.log.error("graders of %s failed: %s", assignment.name, exc)
                failure = "the graders failed to run; tell your instructor"
        verdicts = score_cells(cells, raw["tests"], failure)
        client.measured = raw["measured"]
        if log.stopped:
            for verdict in (v for v in verdicts if v.grade_id not in log.probed):
                verdict.note = (verdict.note + " " if verdict.note else "") + (
                    f"Execution stopped at cell {log.stopped_at_cell + 1}: {log.stop_reason}.")
        restore_deleted_test_cells(client.nb, assignment)
        write_verdicts(client.nb, verdicts)
        client.execution_log = log
        return verdicts
    finally:
        if client.keep_run_dir:
            client.log.info("run folder kept: %s", run_dir)
        else:
            shutil.rmtree(run_dir, ignore_errors=True)


def _execute_with_probes(client: GradingExecute, nb: nbformat.NotebookNode, resources: dict,
                         km: Any, probe: Probe, run_dir: Path, log: ExecutionLog) -> None:
    NotebookClient.__init__(client, nb, km)
    client.reset_execution_trackers()
    client._check_assign_resources(resources)
    pending = probe.grade_ids()
    client.extra_arguments = list(client.extra_arguments)
    env = client.kernel_env()
    try:
        with client.setup_kernel(env=env):
            reply = client.wait_for_reply(client.kc.kernel_info())
            client.nb.metadata["language_info"] = reply["content"]["language_info"]
            pid = client.km.provisioner.pid
            with Watchdog(pid, deadline_s=client.notebook_timeout,
                          memory_bytes=client.memory_limit_mb * 1024**2) as dog:
                for index, cell in enumerate(list(client.nb.cells)):
                    if not _run(client, cell, resources, index, log, dog):
                        break
                    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                    if grade_id in pending and cell.cell_type == "code":
                        pending.remove(grade_id)
                        if not _probe(client, grade_id, probe, run_dir, log, dog):
                            break
                for grade_id in list(pending):  # test cells the student deleted
                    if log.stopped or not _probe(client, grade_id, probe, run_dir, log, dog):
                        break
    except DeadKernelError:
        log.stop(len(client.nb.cells) - 1, "the kernel died")
    except RuntimeError as exc:  # kernel shutdown after a kill
        if not log.stopped:
            log.stop(len(client.nb.cells) - 1, f"the kernel failed ({exc})")


def _run(client: GradingExecute, cell: Any, resources: dict, index: int, log: ExecutionLog,
         dog: Watchdog) -> bool:
    """Run one notebook cell; False once execution cannot go on."""
    try:
        client.preprocess_cell(cell, resources, index)
    except DeadKernelError:
        log.stop(index, dog.reason or "the kernel died (it crashed, called exit, or ran out of memory)")
        return False
    except CellTimeoutError:
        log.timed_out_cells.append(index)
        cell.outputs.append(nbformat.v4.new_output(
            "error", ename="CellTimeoutError", evalue=f"the cell ran longer than {client.timeout} s",
            traceback=[]))
        return _still_alive(client, index, log, dog)
    if any(o.get("ename") == "CellTimeoutError" for o in cell.get("outputs", [])):
        log.timed_out_cells.append(index)
    return True


def _still_alive(client: GradingExecute, index: int, log: ExecutionLog, dog: Watchdog) -> bool:
    """After a timeout: go on if the kernel answers a trivial cell, else stop."""
    cell = nbformat.v4.new_code_cell("pass")
    client.nb.cells.append(cell)
    saved = client.timeout
    client.timeout = 30
    try:
        client.execute_cell(cell, len(client.nb.cells) - 1, store_history=False)
        return True
    except (DeadKernelError, CellTimeoutError):
        log.stop(index, dog.reason or "the kernel stopped answering after a cell ran too long")
        return False
    finally:
        client.timeout = saved
        client.nb.cells.pop()


def _probe(client: GradingExecute, grade_id: str, probe: Probe, run_dir: Path, log: ExecutionLog,
           dog: Watchdog) -> bool:
    """Answer the probe's requests for ``grade_id`` in the kernel, one cell per request."""
    for entry in probe.entries:
        if entry.grade_id != grade_id:
            continue
        code = ("import dl4text.grading.kernel_side as _dl4text_probe\n"
                f"_dl4text_probe.run({str(run_dir)!r}, {entry.key!r}, globals())\n"
                "del _dl4text_probe")
        cell = nbformat.v4.new_code_cell(code)
        client.nb.cells.append(cell)
        saved_timeout = client.timeout
        client.timeout = client.probe_timeout
        index = len(client.nb.cells) - 1
        try:
            client.execute_cell(cell, index, store_history=False)
        except DeadKernelError:
            log.stop(index - 1, dog.reason or f"the kernel died while checking '{entry.target}'")
            return False
        except CellTimeoutError:
            if not _still_alive(client, index - 1, log, dog):
                return False
        finally:
            client.timeout = saved_timeout
            client.nb.cells.pop()
    log.probed.append(grade_id)
    return True


def restore_deleted_test_cells(nb: nbformat.NotebookNode, assignment: Assignment) -> None:
    """Put back autograded test cells the student deleted, so their points are recorded.

    Each goes back after the cell that precedes it in the source notebook (or at the end).
    """
    source = nbformat.read(assignment.source_notebook, as_version=4)
    present = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.cells}
    for position, cell in enumerate(source.cells):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id is None or grade_id in present or grade_id not in autograded_cells(
                nbformat.v4.new_notebook(cells=[cell])):
            continue
        restored = nbformat.from_dict(dict(cell))
        restored.outputs, restored.execution_count = [], None
        index = len(nb.cells)
        for previous in reversed(source.cells[:position]):
            prev_id = previous.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            matches = [i for i, c in enumerate(nb.cells)
                       if prev_id and c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == prev_id]
            if matches:
                index = matches[0] + 1
                break
        nb.cells.insert(index, restored)
        present.add(grade_id)


def write_verdicts(nb: nbformat.NotebookNode, verdicts: list[CellVerdict]) -> None:
    """Replace each autograded test cell's outputs with its verdict (report, then points)."""
    by_id = {v.grade_id: v for v in verdicts}
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id not in autograded_cells(nbformat.v4.new_notebook(cells=[cell])):
            continue
        verdict = by_id.get(grade_id)
        if verdict is None:  # a test cell the source does not have
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                   text="This cell is not graded.\n"),
                            nbformat.v4.new_output("execute_result", data={"text/plain": "0"},
                                                   execution_count=cell.get("execution_count"))]
            continue
        cell.outputs = [
            nbformat.v4.new_output("stream", name="stdout", text=verdict.report()),
            nbformat.v4.new_output("execute_result", data={"text/plain": repr(float(verdict.score))},
                                   execution_count=cell.get("execution_count")),
        ]


__all__ = ["GradingExecute", "grade_notebook", "write_verdicts"]
