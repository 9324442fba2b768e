"""``dl4text grade PATH...``: grade notebooks with the hidden graders, without nbgrader."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from dl4text import config
from dl4text.folder import CourseFolder


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("grade", help="grade notebooks (files or folders) and print each test's points",
                       description=__doc__)
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="notebooks or folders of notebooks")
    p.add_argument("--fast", action="store_true", default=None,
                   help="fast mode: fewer reviews and epochs, lower thresholds (or DL4TEXT_FAST=1)")
    p.add_argument("--json", action="store_true", help="print JSON: one object per notebook")
    p.add_argument("--root", type=Path, default=None, help="the course folder (default: found from here)")
    p.add_argument("--cell-timeout", type=int, default=None,
                   help="seconds per cell (default: the course's nbgrader_config.py)")
    p.add_argument("--notebook-timeout", type=int, default=None,
                   help="seconds for a whole notebook (default: the course's)")
    p.add_argument("--memory-mb", type=int, default=None, help="kernel memory bound (default: the course's)")
    p.add_argument("--no-sandbox", action="store_true",
                   help="run the notebooks' code without the sandbox (only for trusted notebooks; "
                        "every grade then says so)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from dl4text.runners.standalone import find_notebooks, format_table, grade_file

    root = CourseFolder.at(args.root).root
    fast = config.fast_mode() if args.fast is None else args.fast
    notebooks = find_notebooks(args.paths)
    if not notebooks:
        raise FileNotFoundError("no notebooks found in " + ", ".join(map(str, args.paths)))
    if not args.no_sandbox:
        from dl4text.sandbox.bwrap import check

        check()  # before any grading: a machine that cannot sandbox says why, once
    grades = []
    for i, path in enumerate(notebooks, 1):
        if not args.json:
            print(f"[{i}/{len(notebooks)}] grading {path} ...", flush=True)
        grades.append(grade_file(path, root, fast=fast, timeout=args.cell_timeout,
                                 notebook_timeout=args.notebook_timeout,
                                 memory_limit_mb=args.memory_mb, sandbox=not args.no_sandbox))
    if args.json:
        print(json.dumps([g.as_json() for g in grades], indent=2))
    else:
        print(format_table(grades))
        if args.no_sandbox:
            print("graded WITHOUT a sandbox (--no-sandbox): the notebooks' code was not fenced in")
    return 0
