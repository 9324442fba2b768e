"""The course folder: the one place that knows its layout (after nbgrader's ``CourseDirectory``).

::

    <root>/source/<assignment>/<notebook>.ipynb     the instructor's notebooks
    <root>/release/<assignment>/                    what students get
    <root>/submitted/<student>/<assignment>/        what they handed in
    <root>/autograded/<student>/<assignment>/       graded copies
    <root>/feedback/<student>/<assignment>/         HTML feedback
    <root>/solutions/<assignment>/                  executed solution notebooks
    <root>/grader_tests/test_<assignment>.py        hidden graders
    <root>/nbgrader_config.py, gradebook.db         nbgrader's configuration and gradebook
    <root>/.dl4text/                                the kit's own state (autograde record, lock)

Every module asks a :class:`CourseFolder` for these paths instead of joining them.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

#: the project this package was installed from (an editable install: the kit's own course)
PROJECT_ROOT = Path(__file__).resolve().parents[2]
#: what a copy of the course for grading or a demo takes (never submissions or grades)
GRADING_PARTS = ("source", "grader_tests", "nbgrader_config.py")
_IGNORED = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", ".pytest_cache")


@dataclass(frozen=True)
class CourseFolder:
    """A course folder at ``root``: the paths of every stage, its assignments and notebooks."""

    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> CourseFolder:
        """The nearest folder at or above ``start`` (default: cwd) holding ``grader_tests/`` and
        ``source/``, else the project this package was installed from."""
        here = (start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / "grader_tests").is_dir() and (folder / "source").is_dir():
                return cls(folder)
        return cls(PROJECT_ROOT)

    @classmethod
    def at(cls, root: Path | None) -> CourseFolder:
        """The course at ``root`` (a command's ``--root``), or the one found from here."""
        return cls(Path(root).resolve()) if root else cls.find()

    # -- the stages ---------------------------------------------------------------------------
    def source(self, assignment: str | None = None) -> Path:
        return self.root / "source" / assignment if assignment else self.root / "source"

    def release(self, assignment: str | None = None) -> Path:
        return self.root / "release" / assignment if assignment else self.root / "release"

    def submitted(self, student: str | None = None, assignment: str | None = None) -> Path:
        return self._per_student("submitted", student, assignment)

    def autograded(self, student: str | None = None, assignment: str | None = None) -> Path:
        return self._per_student("autograded", student, assignment)

    def feedback(self, student: str | None = None, assignment: str | None = None) -> Path:
        return self._per_student("feedback", student, assignment)

    def solutions(self, assignment: str | None = None) -> Path:
        return self.root / "solutions" / assignment if assignment else self.root / "solutions"

    def _per_student(self, stage: str, student: str | None, assignment: str | None) -> Path:
        path = self.root / stage
        if student:
            path /= student
            if assignment:
                path /= assignment
        return path

    def source_notebook(self, assignment: str, notebook: str) -> Path:
        return self.source(assignment) / f"{notebook}.ipynb"

    def release_notebook(self, assignment: str, notebook: str) -> Path:
        return self.release(assignment) / f"{notebook}.ipynb"

    # -- graders, configuration, state ----------------------------------------------------------
    @property
    def grader_tests(self) -> Path:
        return self.root / "grader_tests"

    def grader_file(self, assignment: str) -> Path:
        """The hidden graders of ``assignment``."""
        return self.grader_tests / f"test_{assignment}.py"

    @property
    def config_file(self) -> Path:
        return self.root / "nbgrader_config.py"

    @property
    def gradebook_file(self) -> Path:
        return self.root / "gradebook.db"

    @property
    def handout(self) -> Path:
        """Where ``dl4text handout`` writes what students get (and ``handout.zip`` beside the course)."""
        return self.root / "handout"

    @property
    def state_dir(self) -> Path:
        return self.root / ".dl4text"

    # -- what it holds --------------------------------------------------------------------------
    def assignments(self, requested: list[str] | None = None) -> list[str]:
        """The assignments in ``source/`` (all, or the ``requested`` ones, checked to exist)."""
        found = sorted(p.name for p in self.source().iterdir() if p.is_dir() and any(p.glob("*.ipynb"))) \
            if self.source().is_dir() else []
        if not requested:
            return found
        unknown = [a for a in requested if a not in found]
        if unknown:
            raise LookupError(f"no assignment {', '.join(unknown)} in {self.source()} "
                              f"(known: {', '.join(found) or 'none'})")
        return list(requested)

    def notebooks(self, assignment: str) -> list[str]:
        """The notebook names (without .ipynb) of ``assignment``'s source folder."""
        return sorted(p.stem for p in self.source(assignment).glob("*.ipynb"))

    def find_notebook(self, stem: str) -> tuple[str, str] | None:
        """``(assignment, notebook)`` of the source notebook named ``stem``, or None."""
        for path in sorted(self.source().glob(f"*/{stem}.ipynb")):
            return path.parent.name, stem
        return None

    # -- copies ---------------------------------------------------------------------------------
    def copy_to(self, target: Path, parts: tuple[str, ...] = GRADING_PARTS,
                assignment: str | None = None) -> CourseFolder:
        """Copy ``parts`` of the course (only ``assignment``'s source when given) into ``target``."""
        target = Path(target)
        target.mkdir(parents=True, exist_ok=True)
        for part in parts:
            source = self.root / part
            if part == "source" and assignment:
                shutil.copytree(self.source(assignment), target / "source" / assignment, ignore=_IGNORED)
            elif source.is_dir():
                shutil.copytree(source, target / part, ignore=_IGNORED)
            elif source.is_file():
                shutil.copy(source, target / part)
        return CourseFolder(target)
