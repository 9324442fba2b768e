"""``dl4text bench``: what the kit costs in time and memory, each figure against a baseline.

Every claim is a ratio against a baseline measured in the same run: loading the data
(cold and warm) against a plain loop over the extracted files, ``multi_hot`` against the
notes' ``vectorize_sequences``, ``dl4text grade`` against ``jupyter nbconvert --execute``,
``autograde --workers 2`` against ``--workers 1``. The course's five models are trained
at the notes' sizes for seconds per epoch and test accuracy. Prints a table and writes
JSON (``bench-results/bench-<timestamp>.json`` or ``--out``). Nothing fails on speed.
"""

from __future__ import annotations

import argparse
import shlex
import signal
from pathlib import Path

from dl4text.folder import CourseFolder


def add_parser(sub: argparse._SubParsersAction) -> None:
    from dl4text.bench.report import SECTIONS

    p = sub.add_parser("bench", help="measure the kit against its baselines (time, memory, accuracy)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="a reduced run (data subset, 1 epoch on 2,000 reviews per model, one notebook "
                        "graded in the fast mode, no parallel grading): under 2 minutes on 2 idle cores")
    p.add_argument("--only", nargs="+", choices=SECTIONS, default=None, metavar="SECTION",
                   help=f"run only these sections ({', '.join(SECTIONS)})")
    p.add_argument("--out", type=Path, default=None, metavar="FILE",
                   help="the JSON file (default: bench-results/bench-<timestamp>.json in the course)")
    p.add_argument("--root", type=Path, default=None, help="the course folder (default: found from here)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from dl4text.bench import suite
    from dl4text.bench.report import SECTIONS, default_json_path, format_report, load_average, write_json

    root = CourseFolder.at(args.root).root
    sections = tuple(s for s in SECTIONS if not args.only or s in args.only)
    results = root / "bench-results"
    expected, basis = suite.estimate(root, quick=args.quick, sections=sections, results=results)
    load = load_average()
    print(f"dl4text bench{' --quick' if args.quick else ''}: sections {', '.join(sections)}; "
          f"expected duration about {_minutes(expected)} (from {basis}; longer on a busy machine, "
          f"load average now {load})", flush=True)
    command = _command_line(args)
    path = args.out or default_json_path(root)
    signal.signal(signal.SIGTERM, _interrupt)  # clean up the children and the scratch folder
    report = suite.run(root, quick=args.quick, sections=sections, command=command,
                       save=lambda partial: write_json(partial, path))
    write_json(report, path)
    print()
    print(format_report(report))
    print(f"JSON: {path}")
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _command_line(args: argparse.Namespace) -> str:
    """The command that reproduces this run, for the report."""
    words = ["dl4text", "bench"] + (["--quick"] if args.quick else [])
    if args.only:
        words += ["--only", *args.only]
    if args.out:
        words += ["--out", str(args.out)]
    if args.root:
        words += ["--root", str(args.root)]
    return shlex.join(words)


def _minutes(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"
