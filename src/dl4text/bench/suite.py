"""The whole benchmark: its sections in order, the expected duration, the report.

Sections: ``data``, ``vectorize``, ``training``, ``grading``, ``parallel``
(:data:`dl4text.bench.report.SECTIONS`). A section that raises becomes rows saying why;
the others still run.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from dl4text.bench import data, grading, parallel, training, vectorize
from dl4text.bench.report import (
    SECTIONS,
    BenchReport,
    Comparison,
    library_versions,
    load_average,
    machine,
    now_iso,
)

#: seconds each section took on the 2-core CPU machine the kit was developed on, nearly idle
#: (2026-11-27: bench --quick 114 s, bench 1,460 s); used for the expected duration until this
#: machine has a run of its own in bench-results/
QUICK_SECONDS = {"data": 8, "vectorize": 6, "training": 27, "grading": 110, "parallel": 1}
FULL_SECONDS = {"data": 68, "vectorize": 12, "training": 154, "parallel": 339}
#: grading, per notebook at full size and in the fast mode: dl4text grade with warm graders and
#: nbconvert, alternating three times (twice for a3 at full size), then dl4text grade with cold
#: graders (2026-12-07 figures)
FULL_GRADING_SECONDS = {"a1_dense": 460, "a2_embeddings": 990, "a3_recurrent": 1900}
FULL_GRADING_OTHER = 300


def estimate(root: Path, *, quick: bool, sections: tuple[str, ...] = SECTIONS,
             results: Path | None = None) -> tuple[float, str]:
    """Expected seconds of a run and where the figure comes from.

    Section by section: what it took in the latest run of the same kind (quick or not) in
    ``results`` (``bench-results/``) that has it, a run of some sections only included; else
    the built-in estimate for 2 idle CPU cores.
    """
    history = _section_history(results, quick=quick) if results else {}
    total, measured = 0.0, []
    for section in sections:
        if section in history:
            total += history[section]
            measured.append(section)
        elif quick:
            total += QUICK_SECONDS[section]
        elif section == "grading":
            total += sum(FULL_GRADING_SECONDS.get(nb.parent.name, FULL_GRADING_OTHER)
                         for nb in grading.solution_notebooks(root))
        else:
            total += FULL_SECONDS[section]
    if len(measured) == len(sections):
        basis = "the last runs on this machine"
    elif measured:
        basis = (f"the last runs on this machine for {', '.join(measured)}, "
                 "built-in estimates for 2 idle CPU cores otherwise")
    else:
        basis = "built-in estimates for 2 idle CPU cores"
    return total, basis


def _section_history(results: Path, *, quick: bool) -> dict[str, float]:
    """Seconds of each section in the latest run of the same kind that has it."""
    found: dict[str, float] = {}
    for path in sorted(results.glob("bench-*.json"), reverse=True):
        try:
            seen = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if not isinstance(seen, dict) or bool(seen.get("meta", {}).get("quick")) != quick:
            continue
        for section, timed in seen.get("sections", {}).items():
            if section not in found and isinstance(timed, dict) and "seconds" in timed:
                found[section] = float(timed["seconds"])
    return found


def _cpu_seconds() -> float:
    """CPU seconds used so far by this process and the children it waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def scratch_folder() -> Path:
    """A temporary folder, in memory (``/dev/shm``) when it has room: extracting 50,000 small
    files to a slow disk would otherwise take most of the data section."""
    shm = Path("/dev/shm")
    try:
        if shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > 4 * 2 ** 30:
            return Path(tempfile.mkdtemp(prefix="dl4text-bench-", dir=shm))
    except OSError:
        pass
    return Path(tempfile.mkdtemp(prefix="dl4text-bench-"))


def run(root: Path, *, quick: bool, sections: tuple[str, ...] = SECTIONS, command: str = "",
        archive: Path | None = None, say: Callable[[str], None] = print,
        save: Callable[[BenchReport], object] | None = None) -> BenchReport:
    """Run ``sections`` and return the report.

    ``say`` prints the progress; ``save``, when given, is called with the report so far after
    each section (a long run interrupted keeps what it measured).
    """
    from dl4text.data.source import locate_imdb

    report = BenchReport(meta={
        "date": now_iso(), "quick": quick, "command": command, "machine": machine(),
        "versions": library_versions(), "load_start": load_average(), "sections_run": list(sections)})
    started, cpu0 = time.perf_counter(), _cpu_seconds()
    scratch = scratch_folder()
    try:
        for section in sections:
            say(f"[bench] {section} ...")
            t0, load0 = time.perf_counter(), load_average()
            workdir = scratch / section
            workdir.mkdir()
            try:
                if section == "data":
                    report.comparisons += data.measure(archive or locate_imdb(), workdir, quick=quick)
                elif section == "vectorize":
                    report.comparisons += vectorize.measure(quick=quick)
                elif section == "training":
                    report.training += training.measure(quick=quick)
                elif section == "grading":
                    report.comparisons += grading.measure(root, workdir, quick=quick)
                elif section == "parallel":
                    report.comparisons += parallel.measure(root, workdir, quick=quick)
                else:
                    raise ValueError(f"unknown section {section!r}; known: {', '.join(SECTIONS)}")
            except Exception as exc:  # noqa: BLE001 - one broken section must not lose the others
                traceback.print_exc()
                report.comparisons.append(Comparison.unavailable(
                    section, f"the {section} section", "-", f"failed: {type(exc).__name__}: {exc}"))
            finally:
                shutil.rmtree(workdir, ignore_errors=True)
            seconds = time.perf_counter() - t0
            report.sections[section] = {"seconds": round(seconds, 1), "load_start": load0,
                                        "load_end": load_average()}
            say(f"[bench] {section}: {seconds:.0f} s")
            if save is not None:
                report.meta.update(seconds=round(time.perf_counter() - started, 1), partial=True)
                save(report)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report.meta.update(seconds=round(time.perf_counter() - started, 1), load_end=load_average(),
                       cpu_seconds=round(_cpu_seconds() - cpu0, 1), partial=False)
    return report
