"""``dl4text release [ASSIGNMENT...]``: build the student release and scan it for leaks."""

from __future__ import annotations

import argparse
import filecmp
import shutil
import tempfile
from pathlib import Path

from dl4text.course_dir import assignments
from dl4text.leakscan import scan_release
from dl4text.nbgrader_cli import run_nbgrader
from dl4text.paths import course_root


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("release", help="generate release/ with nbgrader and scan it for leaks",
                       description=__doc__)
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="default: every assignment")
    p.add_argument("--check", action="store_true",
                   help="change nothing: fail if release/ is stale against source/ or leaks")
    p.add_argument("--root", type=Path, default=None, help="the course folder")
    p.set_defaults(run=run)


def generate(root: Path, names: list[str]) -> None:
    """Run nbgrader generate_assignment for each assignment in the course at ``root``."""
    for name in names:
        print(f"generating release/{name} ...", flush=True)
        run_nbgrader(["generate_assignment", name, "--force"], root, quiet=True)


def stale_files(root: Path, names: list[str]) -> list[str]:
    """Files of ``release/`` that differ from a fresh generation (missing, extra or changed)."""
    with tempfile.TemporaryDirectory(prefix="dl4text-release-") as tmp:
        scratch = Path(tmp)
        shutil.copytree(root / "source", scratch / "source")
        shutil.copy(root / "nbgrader_config.py", scratch / "nbgrader_config.py")
        generate(scratch, names)
        stale = []
        for name in names:
            fresh, committed = scratch / "release" / name, root / "release" / name
            fresh_files = {p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file()}
            committed_files = ({p.relative_to(committed) for p in committed.rglob("*") if p.is_file()}
                               if committed.is_dir() else set())
            for rel in sorted(fresh_files | committed_files):
                if rel not in committed_files:
                    stale.append(f"release/{name}/{rel} is missing")
                elif rel not in fresh_files:
                    stale.append(f"release/{name}/{rel} is not generated from source/")
                elif not filecmp.cmp(fresh / rel, committed / rel, shallow=False):
                    stale.append(f"release/{name}/{rel} differs from what source/ generates")
        return stale


def run(args: argparse.Namespace) -> int:
    root = (args.root or course_root()).resolve()
    names = assignments(root, args.assignments)
    problems: list[str] = []
    if args.check:
        problems += stale_files(root, names)
    else:
        generate(root, names)
    for name in names:
        problems += [str(leak) for leak in scan_release(root / "release" / name, root / "source" / name,
                                                         root / "grader_tests")]
    for problem in problems:
        print(f"  {problem}")
    if problems:
        what = "release/ is stale or leaks" if args.check else "the release leaks"
        print(f"FAILED: {what} ({len(problems)} problem(s)); fix source/ and run `dl4text release`.")
        return 1
    print(f"release/ is {'up to date and ' if args.check else ''}clean: "
          f"{', '.join(names)} (no solutions, hidden tests, grader code, outputs or config)")
    return 0
