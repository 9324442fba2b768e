"""Where an assignment's pieces live in the course folder, and its autograded test cells."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import nbformat

from dl4text.cells import grade_id_of, is_autograded_test, nbgrader_meta
from dl4text.folder import CourseFolder


@dataclass(frozen=True)
class Assignment:
    """One assignment notebook of the course: its source notebook and its hidden graders."""

    root: Path
    name: str
    notebook: str

    @property
    def source_notebook(self) -> Path:
        """The instructor's notebook, ``source/<name>/<notebook>.ipynb``."""
        return CourseFolder(self.root).source_notebook(self.name, self.notebook)

    @property
    def grader_file(self) -> Path:
        """The hidden graders, ``grader_tests/test_<name>.py``."""
        return CourseFolder(self.root).grader_file(self.name)

    def test_cells(self) -> dict[str, float]:
        """grade_id -> points of each autograded test cell, read from the source notebook."""
        nb = nbformat.read(self.source_notebook, as_version=4)
        return autograded_cells(nb)

    def load_graders(self) -> ModuleType:
        """Import the grader module (from its file: ``grader_tests`` is not a package)."""
        if not self.grader_file.is_file():
            raise FileNotFoundError(f"no graders for {self.name}: {self.grader_file} is missing")
        module_name = f"dl4text_graders_{self.name}"
        spec = importlib.util.spec_from_file_location(module_name, self.grader_file)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
        return module


def autograded_cells(nb: nbformat.NotebookNode) -> dict[str, float]:
    """grade_id -> points of the cells nbgrader autogrades (grade, not solution, code)."""
    return {grade_id_of(cell): float(nbgrader_meta(cell).get("points", 0))
            for cell in nb.cells if is_autograded_test(cell)}


def find_assignment(root: Path, notebook_path: Path) -> Assignment:
    """Work out which assignment a submitted notebook belongs to, from its name.

    ``a1_dense.ipynb`` (anywhere) is the notebook ``a1_dense`` of the assignment whose
    source folder holds a notebook of that name.
    """
    course = CourseFolder(root)
    found = course.find_notebook(notebook_path.stem)
    if found:
        return Assignment(root=root, name=found[0], notebook=found[1])
    known = sorted(p.stem for p in course.source().glob("*/*.ipynb"))
    raise LookupError(f"{notebook_path} is not a notebook of this course (known: {', '.join(known)}); "
                      "keep the file name of the release notebook")
