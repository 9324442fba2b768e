"""The student release: ``nbgrader generate_assignment``, and whether ``release/`` is stale.

:func:`generate` writes ``release/<assignment>/`` from ``source/``; :func:`stale_files`
generates it afresh in a scratch copy and lists every file of the committed release that is
missing, extra or different (CI fails on any).
"""

from __future__ import annotations

import filecmp
import tempfile
from pathlib import Path

from dl4text.folder import CourseFolder
from dl4text.nbgrader.cli import run_nbgrader


def generate(root: Path, names: list[str]) -> None:
    """Run nbgrader generate_assignment for each assignment in the course at ``root``."""
    for name in names:
        print(f"generating release/{name} ...", flush=True)
        run_nbgrader(["generate_assignment", name, "--force"], root, quiet=True)


def stale_files(root: Path, names: list[str]) -> list[str]:
    """Files of ``release/`` that differ from a fresh generation (missing, extra or changed)."""
    with tempfile.TemporaryDirectory(prefix="dl4text-release-") as tmp:
        scratch = CourseFolder(root).copy_to(Path(tmp), parts=("source", "nbgrader_config.py")).root
        generate(scratch, names)
        stale = []
        for name in names:
            fresh, committed = CourseFolder(scratch).release(name), CourseFolder(root).release(name)
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
