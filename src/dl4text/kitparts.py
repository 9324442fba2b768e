"""The parts of the kit a student's code may import, and copies of them.

A course notebook imports ``dl4text.course``, ``dl4text.data`` and ``dl4text.embeddings``:
that is the **student package**, what the handout installs (:mod:`dl4text.nbgrader.handout`).
A graded kernel gets the same, plus the probe's kernel side (``dl4text.grading.kernel_side``),
as a copy in its read-only inbox; the installed kit is hidden from it. Everything else (the
graders' helpers, the runners, the benchmark with its reference answers to exercises) stays
out of both, so a submission cannot call the kit's own answers.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
#: what a course notebook imports, relative to the package folder
STUDENT_PARTS = ("__init__.py", "config.py", "course", "data", "embeddings")
#: what a graded kernel imports: the student package and the probe's kernel side
KERNEL_PARTS = (*STUDENT_PARTS, "grading/__init__.py", "grading/kernel_side.py")
#: the file types a part may hold (no caches, no editor files)
SUFFIXES = (".py", ".toml")


def part_files(parts: tuple[str, ...] = STUDENT_PARTS) -> Iterator[tuple[str, Path]]:
    """Each file of ``parts`` as (path relative to the package folder, its path here), sorted."""
    for part in parts:
        path = PACKAGE / part
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file() and file.suffix in SUFFIXES and "__pycache__" not in file.parts:
                yield file.relative_to(PACKAGE).as_posix(), file


def copy_parts(dest: Path, parts: tuple[str, ...] = STUDENT_PARTS) -> Path:
    """Copy ``parts`` into ``dest/dl4text/`` (a package of its own); return ``dest``."""
    for relative, file in part_files(parts):
        target = dest / "dl4text" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, target)
    return dest
