"""The release scan: nothing of a solution or a hidden grader may reach ``release/``.

nbgrader's ``generate_assignment`` clears solution regions and hidden tests, but a
solution pasted outside its markers, an instructor's outputs left in a cell, a grader's
code copied into a visible test, or a stray config file would go out as they are. The
scan reads every file of the release and reports each such leak with the cell it is in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from dl4text.cells import grade_id_of, is_solution

MARKERS = re.compile(r"(BEGIN|END) (SOLUTION|HIDDEN TESTS|MARK SCHEME)")
GRADER_NAMES = re.compile(r"grader_tests|dl4text\.grading|dl4text_graders|kernel_side")
FORBIDDEN_FILES = {"nbgrader_config.py", "gradebook.db", "thresholds.toml", "conftest.py"}
FORBIDDEN_SUFFIXES = {".keras", ".h5", ".db", ".pkl"}
MIN_LINE = 16
#: a line that only opens a call or a block: a keyword and a name, then ( [ { or :
BARE_OPENING = re.compile(r"(?:(?:raise|return|assert|with|if|elif|while|for|else|try|except)\s+)?[\w.]+\s*[(\[{:]")


@dataclass(frozen=True)
class Leak:
    """One thing in the release that students must not see."""

    path: Path
    cell: int | None
    grade_id: str | None
    kind: str
    detail: str

    def __str__(self) -> str:
        where = f"cell {self.cell + 1}" if self.cell is not None else "file"
        if self.grade_id:
            where += f" ({self.grade_id})"
        return f"{self.path}: {where}: {self.kind}: {self.detail}"


def _lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if len(line.strip()) >= MIN_LINE}


def _region_lines(source_dir: Path, kinds: tuple[str, ...]) -> tuple[set[str], set[str]]:
    """Lines of the source notebooks inside ``BEGIN <kind>`` regions, and lines outside all regions."""
    inside: set[str] = set()
    outside: set[str] = set()
    for path in source_dir.rglob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown" and is_solution(cell):
                if "SOLUTION" in kinds:
                    inside |= _lines(cell.source) - {"YOUR ANSWER HERE"}
                continue
            region = None
            for line in cell.source.splitlines():
                begin = MARKERS.search(line)
                if begin:
                    region = begin.group(2) if begin.group(1) == "BEGIN" else None
                elif len(line.strip()) >= MIN_LINE:
                    if region is None:
                        outside.add(line.strip())
                    elif region in kinds:
                        inside.add(line.strip())
    return inside, outside


def solution_lines(source_dir: Path) -> set[str]:
    """Lines of solutions, hidden tests and rubrics in the source notebooks, less those found outside them."""
    inside, outside = _region_lines(source_dir, ("SOLUTION", "HIDDEN TESTS", "MARK SCHEME"))
    return inside - outside


def rubric_lines(source_dir: Path) -> set[str]:
    """Lines of the rubrics (``MARK SCHEME`` regions) in the source notebooks."""
    inside, outside = _region_lines(source_dir, ("MARK SCHEME",))
    return inside - outside


def grader_lines(grader_dir: Path) -> set[str]:
    """Code lines of the hidden graders (imports, decorators, docstrings and bare openings such as
    ``raise AssertionError(`` left out: any Python file may hold those)."""
    lines: set[str] = set()
    for path in grader_dir.rglob("*.py"):
        for line in _lines(path.read_text()):
            if not line.startswith(("import ", "from ", "#", "@", '"""', "def test_", "return ")) \
                    and not BARE_OPENING.fullmatch(line):
                lines.add(line)
    return lines


def scan_release(release_dir: Path, source_dir: Path, grader_dir: Path) -> list[Leak]:
    """Return every leak found under ``release_dir`` (empty when the release is clean)."""
    solution = solution_lines(source_dir)
    graders = grader_lines(grader_dir) if grader_dir.is_dir() else set()
    leaks: list[Leak] = []
    for path in sorted(p for p in release_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(release_dir)
        if path.name in FORBIDDEN_FILES or path.suffix in FORBIDDEN_SUFFIXES:
            leaks.append(Leak(rel, None, None, "grader or instructor file", path.name))
            continue
        if path.suffix == ".py" and _lines(path.read_text(errors="replace")) & graders:
            leaks.append(Leak(rel, None, None, "grader code", "a file holding hidden-grader code"))
            continue
        if path.suffix == ".ipynb":
            leaks += _scan_notebook(path, rel, solution, graders)
    return leaks


def _scan_notebook(path: Path, rel: Path, solution: set[str], graders: set[str]) -> list[Leak]:
    leaks: list[Leak] = []
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        grade_id = grade_id_of(cell)

        def leak(kind: str, detail: str, index: int = index, grade_id: str | None = grade_id) -> None:
            leaks.append(Leak(rel, index, grade_id, kind, detail[:120]))

        text = cell.source
        if MARKERS.search(text):
            leak("solution, hidden-test or rubric marker", MARKERS.search(text).group(0))
        if cell.cell_type == "code" and GRADER_NAMES.search(text):
            leak("hidden-grader code", GRADER_NAMES.search(text).group(0))
        for line in sorted(_lines(text) & solution):
            leak("solution text", line)
        for line in sorted(_lines(text) & graders):
            leak("hidden-grader code", line)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
            leak("outputs from the instructor's run",
                 f"{len(cell.get('outputs', []))} output(s), execution count {cell.get('execution_count')}")
        for attachment in cell.get("attachments", {}) or {}:
            leak("attachment", attachment)
    return leaks
