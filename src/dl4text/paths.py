"""The course folder: where source/, release/, grader_tests/ and nbgrader_config.py live."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def course_root(start: Path | None = None) -> Path:
    """Return the nearest folder at or above ``start`` (default: cwd) that holds ``grader_tests/``
    and ``source/``, else the project this package was installed from (editable install)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "grader_tests").is_dir() and (folder / "source").is_dir():
            return folder
    return PROJECT_ROOT
