"""Executing a notebook cell by cell, with the probe's requests answered after each test cell.

Cells run as nbgrader's ``Execute`` runs them (per-cell timeout, interrupt and go on); after
each autograded test cell the probe's requests for it run in the kernel, one cell each with
its own timeout, and their results are moved out of the sandbox at once. A kernel that dies,
or is stopped by the watchdog, ends execution: what was probed before still counts.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from typing import Any

import nbformat
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from dl4text.cells import grade_id_of
from dl4text.grading.probe import Probe
from dl4text.grading.runfolder import RunFolder
from dl4text.grading.runlog import ExecutionLog
from dl4text.grading.watchdog import Watchdog


def execute_with_probes(client: Any, resources: dict, probe: Callable[[], Probe], run: RunFolder,
                        log: ExecutionLog, env: dict[str, str],
                        kernel_ready: Callable[[], None] | None = None) -> None:
    """Run every cell of ``client.nb`` in a new kernel, probing after each test cell.

    ``probe()`` returns the probe, waiting for it if it is still being drawn;
    ``kernel_ready()``, if given, is called once the kernel has answered its first request.
    """
    try:
        # the kernel's own stdout/stderr (fd 1 and 2, not the notebook's streams) go nowhere:
        # student code writing to them must not flood the grading process's terminal or log
        with client.setup_kernel(env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
            km = client.km
            try:
                reply = client.wait_for_reply(client.kc.kernel_info())
                client.nb.metadata["language_info"] = reply["content"]["language_info"]
                if kernel_ready is not None:
                    kernel_ready()
                with Watchdog(client.km.provisioner.pid, deadline_s=client.notebook_timeout,
                              memory_bytes=client.memory_limit_mb * 1024**2,
                              folder=run.box, disk_bytes=client.disk_limit_mb * 1024**2) as dog:
                    _run_cells(client, resources, probe, run, log, dog)
            finally:
                km.kill_sandbox()
    except DeadKernelError:
        log.stop(len(client.nb.cells) - 1, "the kernel died")
    except RuntimeError as exc:  # kernel shutdown after a kill
        if not log.stopped:
            log.stop(len(client.nb.cells) - 1, f"the kernel failed ({exc})")


def _run_cells(client: Any, resources: dict, get_probe: Callable[[], Probe], run: RunFolder,
               log: ExecutionLog, dog: Watchdog) -> None:
    probe: Probe | None = None
    pending: list[str] = []
    for index, cell in enumerate(list(client.nb.cells)):
        if not _run(client, cell, resources, index, log, dog):
            return
        grade_id = grade_id_of(cell)
        if grade_id is None or cell.cell_type != "code":
            continue
        if probe is None:
            probe = get_probe()
            pending = probe.grade_ids()
        if grade_id in pending:
            pending.remove(grade_id)
            if not _probe(client, grade_id, probe, run, log, dog):
                return
    if probe is None:
        probe = get_probe()
        pending = probe.grade_ids()
    for grade_id in list(pending):  # test cells the student deleted
        if log.stopped or not _probe(client, grade_id, probe, run, log, dog):
            return


def _run(client: Any, cell: Any, resources: dict, index: int, log: ExecutionLog, dog: Watchdog) -> bool:
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
    if dog.reason:
        log.stop(index, dog.reason)
        return False
    return True


def _still_alive(client: Any, index: int, log: ExecutionLog, dog: Watchdog) -> bool:
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


def _probe(client: Any, grade_id: str, probe: Probe, run: RunFolder, log: ExecutionLog,
           dog: Watchdog) -> bool:
    """Answer the probe's requests for ``grade_id`` in the kernel, one cell per request."""
    for entry in probe.entries:
        if entry.grade_id != grade_id:
            continue
        code = ("import dl4text.grading.kernel_side as _dl4text_probe\n"
                f"_dl4text_probe.run({str(run.requests)!r}, {str(run.out)!r}, {entry.key!r}, globals())\n"
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
            with client.km.paused():  # nothing of the kernel's runs while its results are taken
                run.collect(entry.key)
    log.probed.append(grade_id)
    return True
