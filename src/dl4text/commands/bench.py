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
    p.add_argument("what", nargs="?", choices=["class"], default=None,
                   help="'class': grade a whole class (solutions and broken submissions of every "
                        "assignment) with 1 and 2 workers, and project what 100 and 500 students cost")
    p.add_argument("--students", type=int, default=None, metavar="K",
                   help="bench class: how many students hand in every solution (default 2; two "
                        "students with broken submissions are added)")
    p.add_argument("--fast", action="store_true",
                   help="bench class: grade in the fast mode (default: full size, as a class is graded)")
    p.add_argument("--assignments", nargs="+", default=None, metavar="NAME",
                   help="bench class: only these assignments of source/ (default: all of them)")
    p.add_argument("--workers", type=int, nargs="+", default=None, metavar="N",
                   help="bench class: the worker counts to grade the class with, in order (default: 1 2; "
                        "e.g. 1 4 8 on a larger machine)")
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
    if args.what == "class":
        return run_class(args)
    from dl4text.bench import suite, targets
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
    checks = targets.check(report)
    report.meta["targets"] = [c.as_json() for c in checks]
    write_json(report, path)
    print()
    print(format_report(report))
    print("The kit's performance targets, in this run (nothing fails on them):")
    print()
    print(targets.targets_table(checks))
    print()
    print(f"JSON: {path}")
    return 0


def run_class(args: argparse.Namespace) -> int:
    """``dl4text bench class``: the class graded with 1 and 2 workers, and the projection."""
    import json
    import shutil

    from dl4text.bench import classroom
    from dl4text.bench.report import default_json_path, library_versions, load_average, machine, now_iso
    from dl4text.bench.suite import scratch_folder

    if args.quick or args.only:
        raise ValueError("--quick and --only are for the sections of dl4text bench, not for bench class "
                         "(use --fast, --students, --assignments, --workers)")
    root = CourseFolder.at(args.root).root
    assignments = CourseFolder(root).assignments(args.assignments)  # an unknown name: LookupError, now
    solved = classroom.SOLVED if args.students is None else args.students
    if solved < 1:
        raise ValueError("--students must be at least 1")
    workers = tuple(args.workers or classroom.WORKERS)
    if min(workers) < 1:
        raise ValueError("--workers must be at least 1")
    default = default_json_path(root)
    path = args.out or default.with_name(default.name.replace("bench-", "class-", 1))
    print(f"dl4text bench class: {solved} solved + {len(classroom.BROKEN)} broken submissions of "
          f"{', '.join(assignments)}, {'fast mode' if args.fast else 'full size'}, graded with --workers "
          f"{' and '.join(map(str, workers))} (load average now {load_average()})", flush=True)
    signal.signal(signal.SIGTERM, _interrupt)
    scratch = scratch_folder()
    meta = {"date": now_iso(), "command": _command_line(args), "machine": machine(),
            "versions": library_versions(), "load_start": load_average()}
    try:
        bench = classroom.measure(root, scratch, fast=args.fast, solved=solved, workers=workers,
                                  assignments=assignments)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    bench.meta = {**meta, "load_end": load_average()}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(bench.as_json(), indent=2) + "\n")
    print()
    print(classroom.format_class_report(bench))
    print(f"JSON: {path}")
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _command_line(args: argparse.Namespace) -> str:
    """The command that reproduces this run, for the report."""
    words = ["dl4text", "bench"] + (["class"] if args.what else []) + (["--quick"] if args.quick else [])
    if args.what and args.students is not None:
        words += ["--students", str(args.students)]
    if args.what and args.fast:
        words += ["--fast"]
    if args.what and args.assignments:
        words += ["--assignments", *args.assignments]
    if args.what and args.workers:
        words += ["--workers", *map(str, args.workers)]
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
