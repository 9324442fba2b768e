"""The grades as a CSV an LMS imports: nbgrader's plain layout, Canvas's or Moodle's.

One row per student, a column per assignment (its score: autograded points plus the points a
person gave in formgrader), read from the gradebook once into a :class:`GradeTable`; each
format is a writer of that table.

- ``csv``: ``student_id, last_name, first_name, email``, the assignments, ``total, max_total``.
- ``canvas``: the columns of Canvas's gradebook import (``Student, ID, SIS User ID,
  SIS Login ID, Section``, then one column per assignment) and the optional second row
  ``Points Possible``. Canvas matches a row to a student by one of ``ID``, ``SIS User ID`` or
  ``SIS Login ID``: the nbgrader student id goes into ``SIS Login ID`` (the login a JupyterHub
  knows the student by), Canvas's own numeric ``ID`` stays empty. A column whose name Canvas
  does not know becomes a new assignment.
- ``moodle``: Moodle's CSV grade import (Grades > Import > CSV file): ``First name, Last name,
  Username, Email address``, then one column per assignment. On import, "Identify user by"
  maps ``Username`` to the user's username, and each assignment column to a grade item.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from dl4text.folder import CourseFolder
from dl4text.nbgrader.gradebook import gradebook

FORMATS = ("csv", "canvas", "moodle")


@dataclass
class StudentGrades:
    """One student's row: who, and the score of each assignment (0 without a submission)."""

    student_id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return round(sum(self.scores.values()), 6)


@dataclass
class GradeTable:
    """The class's grades as the gradebook holds them."""

    assignments: list[str]
    maxima: dict[str, float]
    students: list[StudentGrades]


def read_grades(root: Path) -> GradeTable:
    """Read every student's score of every assignment from the gradebook of the course at ``root``."""
    from nbgrader.api import MissingEntry

    book = CourseFolder(root).gradebook_file
    if not book.is_file():  # nbgrader would create an empty one, and the export would be empty
        raise FileNotFoundError(f"{book} does not exist: nothing is graded in {root} yet "
                                "(run `dl4text autograde ASSIGNMENT` first, or pass --root)")
    with gradebook(root) as gb:
        names = [a.name for a in sorted(gb.assignments, key=lambda a: a.name)]
        maxima = {a.name: round(float(a.max_score), 6) for a in gb.assignments}
        students = []
        for student in sorted(gb.students, key=lambda s: s.id):
            row = StudentGrades(student.id, student.first_name or "", student.last_name or "", student.email or "")
            for name in names:
                try:
                    row.scores[name] = round(float(gb.find_submission(name, student.id).score), 6)
                except MissingEntry:
                    row.scores[name] = 0.0
            students.append(row)
    return GradeTable(names, maxima, students)


def _points(value: float) -> str:
    return f"{value:g}"


def _plain(table: GradeTable) -> tuple[list[str], list[list[str]]]:
    header = ["student_id", "last_name", "first_name", "email", *table.assignments, "total", "max_total"]
    most = _points(round(sum(table.maxima.values()), 6))
    rows = [[s.student_id, s.last_name, s.first_name, s.email, *(_points(s.scores[a]) for a in table.assignments),
             _points(s.total), most] for s in table.students]
    return header, rows


def _canvas(table: GradeTable) -> tuple[list[str], list[list[str]]]:
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *table.assignments]
    possible = ["Points Possible", "", "", "", "", *(_points(table.maxima[a]) for a in table.assignments)]
    rows = [[", ".join(n for n in (s.last_name, s.first_name) if n) or s.student_id, "", "", s.student_id, "",
             *(_points(s.scores[a]) for a in table.assignments)] for s in table.students]
    return header, [possible, *rows]


def _moodle(table: GradeTable) -> tuple[list[str], list[list[str]]]:
    header = ["First name", "Last name", "Username", "Email address", *table.assignments]
    rows = [[s.first_name, s.last_name, s.student_id, s.email, *(_points(s.scores[a]) for a in table.assignments)]
            for s in table.students]
    return header, rows


WRITERS = {"csv": _plain, "canvas": _canvas, "moodle": _moodle}


def export(root: Path, target: Path, fmt: str = "csv") -> tuple[int, list[str]]:
    """Write the grades of the course at ``root`` to ``target`` in ``fmt``; return the students and assignments."""
    if fmt not in WRITERS:
        raise ValueError(f"unknown grades format {fmt!r}: choose one of {', '.join(FORMATS)}")
    table = read_grades(root)
    header, rows = WRITERS[fmt](table)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return len(table.students), table.assignments
