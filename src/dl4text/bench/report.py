"""The benchmark's rows, their ratios, the printed tables and the JSON file.

Every claim is a :class:`Comparison`: a baseline and the kit's figure measured in the same
run, and their ratio ``kit / baseline`` (below 1: the kit is faster or smaller). Training
has no baseline in time, so its rows (:class:`TrainingRow`) give absolute seconds, to be
read with the machine they came from, and test accuracy against the lecture notes' figure.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dl4text.bench.child import ChildResult

LIBRARIES = ("dl4text", "tensorflow", "tensorflow-cpu", "keras", "numpy", "gensim", "nbgrader",
             "nbconvert", "nbclient", "dask", "distributed")
SECTIONS = ("data", "vectorize", "training", "grading", "parallel")


def ratio(kit: float | None, baseline: float | None) -> float | None:
    """``kit / baseline``, or None when either is missing or the baseline is not positive."""
    if kit is None or baseline is None or baseline <= 0:
        return None
    return kit / baseline


def read_ratio(value: float | None, unit: str = "s") -> str:
    """The ratio in words: ``2.5x faster``, ``40% slower``, ``2.0x less`` memory, ``10% more``."""
    if value is None:
        return "-"
    if value <= 0:
        return f"{value:.2f}"
    better, worse = ("faster", "slower") if unit == "s" else ("less", "more")
    if value <= 1:
        return f"{1 / value:.1f}x {better}"
    return f"{(value - 1) * 100:.0f}% {worse}"


def format_value(value: float | None, unit: str = "s") -> str:
    """``12.3 s``, ``0.42 s``, ``1,024 MB``, ``0.8800`` (accuracy) or ``-`` for a missing value."""
    if value is None:
        return "-"
    if unit == "MB":
        return f"{value:,.0f} MB"
    if unit == "acc":
        return f"{value:.4f}"
    if unit == "s":
        if abs(value) < 10:
            return f"{value:.2f} s"
        if abs(value) < 100:
            return f"{value:.1f} s"
        return f"{value:,.0f} s"
    return f"{value:g} {unit}"


@dataclass
class Comparison:
    """One claim: the kit's figure against a baseline measured in the same run."""

    section: str
    what: str
    baseline_name: str
    baseline: float | None
    kit: float | None
    unit: str = "s"
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """``kit / baseline`` (None when either is missing)."""
        return ratio(self.kit, self.baseline)

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio}

    @classmethod
    def from_children(cls, section: str, what: str, baseline_name: str, baseline: ChildResult,
                      kit: ChildResult, *, key: str | None = None, unit: str = "s",
                      note: str = "") -> Comparison:
        """Compare two child runs by their report's ``key`` (None: wall time seen from outside).

        A child that failed gives no figure, and the note says why.
        """
        notes = [note] if note else []
        values = []
        for name, child in (("baseline", baseline), ("kit", kit)):
            if not child.ok:
                values.append(None)
                notes.append(f"{name} failed ({child.failure()})")
            elif key is None:
                values.append(child.wall_s)
            else:
                values.append(child.report.get(key))
        details = {name: {"wall_s": round(child.wall_s, 3), "cpu_s": round(child.cpu_s, 3),
                          "maxrss_mb": round(child.maxrss_mb, 1), "report": child.report,
                          "returncode": child.returncode}
                   for name, child in (("baseline", baseline), ("kit", kit))}
        return cls(section, what, baseline_name, values[0], values[1], unit, "; ".join(notes), details)

    @classmethod
    def unavailable(cls, section: str, what: str, baseline_name: str, why: str) -> Comparison:
        """A row that could not be measured, with the reason in place of the figures."""
        return cls(section, what, baseline_name, None, None, note=why)


@dataclass
class TrainingRow:
    """One course model trained at the notes' sizes (or the fast sizes in a quick run)."""

    model: str
    architecture: str
    params: int | None = None
    trainable: int | None = None
    epochs: int = 0
    epoch_seconds: list[float] = field(default_factory=list)
    peak_mb: float | None = None
    accuracy: float | None = None
    notes_accuracy: float | None = None
    note: str = ""

    @property
    def seconds_per_epoch(self) -> float | None:
        """The median epoch (the first one, which builds the graph, is usually slower)."""
        return statistics.median(self.epoch_seconds) if self.epoch_seconds else None

    @property
    def first_epoch(self) -> float | None:
        return self.epoch_seconds[0] if self.epoch_seconds else None

    @property
    def accuracy_difference(self) -> float | None:
        if self.accuracy is None or self.notes_accuracy is None:
            return None
        return self.accuracy - self.notes_accuracy

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "seconds_per_epoch": self.seconds_per_epoch,
                "accuracy_difference": self.accuracy_difference}


@dataclass
class BenchReport:
    """A whole run: where and when, the comparisons, the training rows, each section's cost."""

    meta: dict[str, Any] = field(default_factory=dict)
    comparisons: list[Comparison] = field(default_factory=list)
    training: list[TrainingRow] = field(default_factory=list)
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"meta": self.meta, "sections": self.sections,
                "comparisons": [c.as_json() for c in self.comparisons],
                "training": [t.as_json() for t in self.training]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BenchReport:
        """Read back what :meth:`as_json` wrote (derived fields are recomputed)."""
        comparisons = [Comparison(**{k: v for k, v in c.items() if k != "ratio"})
                       for c in data.get("comparisons", [])]
        derived = {"seconds_per_epoch", "accuracy_difference"}
        training = [TrainingRow(**{k: v for k, v in t.items() if k not in derived})
                    for t in data.get("training", [])]
        return cls(dict(data.get("meta", {})), comparisons, training, dict(data.get("sections", {})))


# -- where and with what ------------------------------------------------------------------------
def library_versions() -> dict[str, str]:
    """Installed versions of the kit and the libraries it is measured with (absent ones left out)."""
    found = {}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def machine() -> dict[str, Any]:
    """Cores, CPU model, memory, OS and Python: what absolute seconds must be read with."""
    info: dict[str, Any] = {"cores": os.cpu_count(), "platform": platform.platform(),
                            "python": platform.python_version(), "accelerator": accelerator()}
    try:
        info["cores_usable"] = len(os.sched_getaffinity(0))
    except AttributeError:
        pass
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["memory_gib"] = round(int(line.split()[1]) / 1024 ** 2, 1)
                break
    except OSError:
        pass
    return info


def accelerator() -> str:
    """The NVIDIA GPUs ``nvidia-smi -L`` lists, or ``none (CPU)``."""
    import shutil
    import subprocess

    if not shutil.which("nvidia-smi"):
        return "none (CPU)"
    try:
        listed = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return "none (CPU)"
    gpus = [line.split("(UUID")[0].strip() for line in listed.splitlines() if line.startswith("GPU")]
    return "; ".join(gpus) if gpus else "none (CPU)"


def load_average() -> float | None:
    """The 1-minute load average (how busy the machine was), None where unknown."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


# -- tables -------------------------------------------------------------------------------------
def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    """A Markdown table (readable as plain text too), columns padded to their widest cell."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(headers), "| " + " | ".join("-" * w for w in widths) + " |",
                      *(line(r) for r in rows)])


def comparison_table(comparisons: list[Comparison]) -> str:
    """The claims: each baseline, the kit's figure and the ratio."""
    rows = []
    for c in comparisons:
        r = c.ratio
        shown = "-" if r is None else f"{r:.2f} ({read_ratio(r, c.unit)})"
        rows.append([c.section, c.what, c.baseline_name, format_value(c.baseline, c.unit),
                     format_value(c.kit, c.unit), shown if r is not None else (c.note or "-")])
    return markdown_table(["area", "measure", "baseline", "baseline figure", "kit", "kit / baseline"],
                          rows)


def training_table(rows: list[TrainingRow]) -> str:
    """The course models: parameters, seconds per epoch, peak memory, accuracy against the notes."""
    out = []
    for t in rows:
        params = "-" if t.params is None else f"{t.params:,}"
        if t.params is not None and t.trainable is not None and t.trainable != t.params:
            params += f" ({t.trainable:,} trainable)"
        diff = t.accuracy_difference
        out.append([t.model, t.architecture, params, str(t.epochs) if t.epochs else "-",
                    format_value(t.seconds_per_epoch), format_value(t.first_epoch),
                    format_value(t.peak_mb, "MB"), format_value(t.accuracy, "acc"),
                    format_value(t.notes_accuracy, "acc"),
                    "-" if diff is None else f"{diff:+.4f}"])
    return markdown_table(["model", "network", "parameters", "epochs", "s/epoch (median)",
                           "first epoch", "peak memory", "test accuracy", "the notes", "difference"],
                          out)


def header_lines(meta: dict[str, Any]) -> list[str]:
    """Who, where and when: date, command, machine, load, library versions."""
    m = meta.get("machine", {})
    lines = [f"dl4text bench{' --quick' if meta.get('quick') else ''}: {meta.get('date', '?')}"]
    if meta.get("command"):
        lines.append(f"command: {meta['command']}")
    cpu = f", {m['cpu']}" if m.get("cpu") else ""
    memory = f", {m['memory_gib']} GiB" if m.get("memory_gib") else ""
    lines.append(f"machine: {m.get('cores', '?')} cores{cpu}{memory}, {m.get('accelerator', '?')}; "
                 f"Python {m.get('python', '?')}, {m.get('platform', '?')}")
    loads = [meta.get("load_start"), meta.get("load_end")]
    if any(v is not None for v in loads):
        lines.append(f"load average (1 min): {loads[0]} at the start, {loads[1]} at the end")
    versions = meta.get("versions", {})
    if versions:
        lines.append("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    if meta.get("seconds") is not None:
        cpu = f" (CPU time of all its processes: {format_value(meta['cpu_seconds'])})" \
            if meta.get("cpu_seconds") is not None else ""
        lines.append(f"whole run: {format_value(meta['seconds'])}{cpu}"
                     + ("; cut short: the sections not shown did not finish" if meta.get("partial") else ""))
    return lines


def format_report(report: BenchReport) -> str:
    """The printed report: header, the comparison table, the training table, the notes."""
    header = header_lines(report.meta)
    if report.sections:
        header.append("sections: " + ", ".join(f"{name} {format_value(s.get('seconds'))}"
                                                for name, s in report.sections.items()))
    parts = ["\n".join(header), ""]
    if report.comparisons:
        parts += ["Each baseline and the kit, measured in this run (kit / baseline < 1: the kit is "
                  "faster or smaller):", "", comparison_table(report.comparisons), ""]
    if report.training:
        parts += ["Training the course's models (rmsprop, batch 512; seconds are this machine's):", "",
                  training_table(report.training), ""]
    notes = [f"- {c.section}, {c.what}: {c.note}" for c in report.comparisons if c.note and c.ratio is not None]
    notes += [f"- training, {t.model}: {t.note}" for t in report.training if t.note]
    if notes:
        parts += ["Notes:", *notes, ""]
    return "\n".join(parts)


def write_json(report: BenchReport, path: Path) -> Path:
    """Write the report as JSON to ``path`` (folders created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.as_json(), indent=2) + "\n")
    return path


def default_json_path(root: Path, when: dt.datetime | None = None) -> Path:
    """``bench-results/bench-<timestamp>.json`` under ``root``."""
    stamp = (when or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    return root / "bench-results" / f"bench-{stamp}.json"
