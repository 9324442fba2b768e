"""nbgrader's ``Execute``, made to grade outside the kernel, with the kernel in a sandbox.

:class:`GradingExecute` runs the notebook like nbgrader's ``Execute`` does (per-cell
timeout, interrupt and go on), and in addition:

* the kernel runs in a bubblewrap sandbox (:mod:`dl4text.sandbox`): it sees the system, the
  kit and the grading's data view read-only, its own scratch folder writable, and nothing of
  the course folder, the graders or the gradebook; no network, its own PID namespace, killed
  with everything it started when the notebook ends;
* the kernel's data view holds the test reviews with their labels shuffled (the graders
  measure test accuracy on the true labels): training on the test set gains nothing;
* after each autograded test cell, it runs that cell's probe requests in the kernel and moves
  their results out of the sandbox;
* a watchdog bounds the whole notebook's time, the kernel's memory and its files; outputs
  are capped per cell and per notebook;
* then it runs the hidden graders in their own isolated process, and replaces every
  autograded test cell's outputs with their verdict: a report on stdout and the points as
  the cell's result, which nbgrader's ``SaveAutoGrades`` stores as (partial) credit.

``nbgrader_config.py`` puts it in place of ``Execute`` in
``Autograde.autograde_preprocessors``; ``dl4text grade`` uses it directly.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from pathlib import Path
from typing import Any

import nbformat
from nbconvert.preprocessors.execute import NotebookClient
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, Unicode, default

# Imported here, not where used: the probe is drawn in a thread while the kernel runs, and two
# threads importing the kit's modules at once can meet in an import cycle (then one of them gets
# a partly initialised module: ImportError). This thread's imports are all done before it starts.
from dl4text import config
from dl4text.data.errors import DataError
from dl4text.grading.assignment import Assignment
from dl4text.grading.data_view import GradingView, build_grading_view
from dl4text.grading.judge import CellVerdict, GraderFailure, prestart_graders, run_graders, score_cells
from dl4text.grading.kernel_setup import copy_workdir, kernel_environment, kernel_sandbox
from dl4text.grading.pending_probe import PendingProbe
from dl4text.grading.probing import execute_with_probes
from dl4text.grading.runfolder import SEED_FILE, RunFolder
from dl4text.grading.runlog import ExecutionLog
from dl4text.grading.verdicts import restore_deleted_test_cells, write_verdicts
from dl4text.sandbox.kernel import SandboxedKernelManager
from dl4text.sandbox.uids import lend_uid

#: the graded notebook's metadata key for the seconds its kernel and its graders took
TIMING_KEY = "dl4text_timing"
NO_SANDBOX_NOTE = "Graded WITHOUT a sandbox (--no-sandbox): the notebook's code was not fenced in."


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
    sandbox = Bool(True, help="Run the kernel in the bubblewrap sandbox (False: --no-sandbox, only for "
                              "trusted notebooks).").tag(config=True)
    disk_limit_mb = Integer(4096, help="Disk space (MiB) the kernel's files may take; past it the kernel "
                                       "is stopped.").tag(config=True)
    cell_output_limit_kb = Integer(1024, help="Output (KiB) one cell keeps; the rest is cut with a "
                                              "note.").tag(config=True)
    notebook_output_limit_kb = Integer(8192, help="Output (KiB) the whole notebook keeps.").tag(config=True)

    #: the run folder, once graded with ``keep_run_dir`` (its ``private/label_seed`` regrades it)
    kept_run: RunFolder | None = None

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
        self.verdicts = grade_notebook(self, nb, resources, km, assignment)
        return self.nb, self.resources

    # -- the kernel ----------------------------------------------------------------
    def create_kernel_manager(self) -> Any:
        """A kernel manager that starts the kernel in this run's sandbox, over ipc sockets."""
        self.kernel_manager_class = SandboxedKernelManager
        km = super().create_kernel_manager()
        run: RunFolder = self._run
        km.sandbox = self._sandbox
        km.transport = "ipc"
        km.ip = str(run.sock / "kernel")
        km.connection_file = str(run.connection_file)
        return km

    def output(self, outs: list, msg: dict, display_id: str | None, cell_index: int) -> Any:
        """Keep a cell's output up to the caps; past them, one note says where it was cut."""
        size = _message_size(msg)
        used = self._output_used.get(cell_index, 0)
        if (used + size > self.cell_output_limit_kb * 1024
                or self._output_total + size > self.notebook_output_limit_kb * 1024):
            if cell_index not in self._output_cut:
                self._output_cut.add(cell_index)
                outs.append(nbformat.v4.new_output("stream", name="stdout", text=(
                    f"\n[dl4text: the output was cut here: a cell keeps at most {self.cell_output_limit_kb} KiB "
                    f"and a notebook {self.notebook_output_limit_kb} KiB of output]\n")))
            return None
        self._output_used[cell_index] = used + size
        self._output_total += size
        return super().output(outs, msg, display_id, cell_index)


def _message_size(msg: dict) -> int:
    content = msg.get("content", {})
    size = len(str(content.get("text", "")))
    for value in (content.get("data") or {}).values():
        size += len(value) if isinstance(value, str) else len(str(value))
    size += sum(len(line) for line in content.get("traceback") or [])
    return size + len(str(content.get("evalue", "")))


def grade_notebook(client: GradingExecute, nb: nbformat.NotebookNode, resources: dict,
                   km: Any, assignment: Assignment) -> list[CellVerdict]:
    """Run ``nb`` under ``client`` in a sandbox with probes, then the graders; write verdicts into ``nb``."""
    if client.sandbox:
        from dl4text.sandbox.bwrap import check

        check()  # SandboxUnavailable stops the grading, with the reason and the fix
    # the warm graders import (TensorFlow, if they use it) while the kernel runs
    prestart_graders(fast=client.fast, grader_file=assignment.grader_file)
    run = RunFolder.create()
    log = ExecutionLog()
    raw: dict = {"tests": [], "measured": []}
    label_seed = secrets.randbits(62)
    client.nb = nb  # what is graded, even if execution fails before it starts
    try:
        cells = assignment.test_cells()
        probe = PendingProbe(assignment, fast=client.fast, run=run, logger=client.log)  # drawn once the kernel is up
        started = time.monotonic()
        try:
            _execute_in_sandbox(client, nb, resources, probe, run, log, label_seed)
        except Exception as exc:  # noqa: BLE001 - never drop a submission: grade what ran
            client.log.exception("execution of %s failed", assignment.notebook)
            log.stop(len(client.nb.cells) - 1, f"execution failed ({type(exc).__name__}: {exc})")
        probe.wait()
        failure = probe.failure
        log.seconds = round(time.monotonic() - started, 2)
        log.save(run.private)
        graders_started = time.monotonic()
        if failure is None:
            try:
                raw = run_graders(assignment.grader_file, run.private, fast=client.fast,
                                  timeout=client.grader_timeout, label_seed=label_seed)
            except GraderFailure as exc:
                client.log.error("graders of %s failed: %s", assignment.name, exc)
                failure = "the graders failed to run; tell your instructor"
        verdicts = score_cells(cells, raw["tests"], failure)
        client.measured = raw["measured"]
        for verdict in verdicts:
            notes = [verdict.note] if verdict.note else []
            if log.stopped and verdict.grade_id not in log.probed:
                notes.append(f"Execution stopped at cell {log.stopped_at_cell + 1}: {log.stop_reason}.")
            if not client.sandbox:
                notes.append(NO_SANDBOX_NOTE)
            verdict.note = " ".join(notes)
        restore_deleted_test_cells(client.nb, assignment)
        write_verdicts(client.nb, verdicts)
        # where the time went (read by `dl4text bench class`); replaces whatever the submission held
        client.nb.metadata[TIMING_KEY] = {"kernel_seconds": log.seconds,
                                          "graders_seconds": round(time.monotonic() - graders_started, 2)}
        client.execution_log = log
        return verdicts
    finally:
        if client.keep_run_dir:  # the kernel is gone: the seed may join the graders' side, to regrade it
            (run.private / SEED_FILE).write_text(str(label_seed))
            client.kept_run = run
            client.log.info("run folder kept: %s", run.root)
        else:
            run.remove()


def _execute_in_sandbox(client: GradingExecute, nb: nbformat.NotebookNode, resources: dict, probe: PendingProbe,
                        run: RunFolder, log: ExecutionLog, label_seed: int) -> None:
    """Set up the kernel's folder, data view and sandbox, then execute with probes."""
    NotebookClient.__init__(client, nb, None)
    client.reset_execution_trackers()
    client._output_used, client._output_total, client._output_cut = {}, 0, set()
    client.store_widget_state = False
    client.raise_on_iopub_timeout = False
    client.extra_arguments = list(client.extra_arguments)
    source = (resources.get("metadata") or {}).get("path")
    skipped = copy_workdir(Path(source) if source else None, run.work)
    if skipped:
        client.log.warning("files left out of the kernel's folder: %s", ", ".join(skipped[:20]))
    try:
        view = build_grading_view(run.view, label_seed)
    except (DataError, OSError) as exc:  # the notebook's own load_imdb will say it too, in the student's cell
        client.log.warning("no data view for the kernel (%s)", exc)
        view = GradingView(cache=run.view, readonly=(), env={config.CACHE_ENV: str(run.view)},
                           label_seed=label_seed)
    env = kernel_environment(run, view.env, fast=client.fast)
    uid_context = contextlib.nullcontext(None)
    if client.sandbox and os.geteuid() == 0:
        uid_context = lend_uid()
    with uid_context as uid:
        if uid is not None:
            run.give_box_to(uid)
        client._run = run
        client._sandbox = kernel_sandbox(run, list(view.readonly), env, uid) if client.sandbox else None
        client._check_assign_resources(dict(resources, metadata={**(resources.get("metadata") or {}),
                                                                 "path": str(run.work)}))
        try:
            execute_with_probes(client, client.resources, probe, run, log, env, kernel_ready=probe.start)
        finally:
            client.resources = resources


__all__ = ["TIMING_KEY", "GradingExecute", "grade_notebook", "write_verdicts"]
