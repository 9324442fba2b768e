"""The grades as a CSV an LMS imports: one row per student, a column per assignment, the total."""

from __future__ import annotations

import csv
from pathlib import Path

from dl4text.nbgrader.gradebook import gradebook


def export(root: Path, target: Path) -> tuple[int, list[str]]:
    """Write the grades CSV to ``target``; return the number of students and the assignments."""
    with gradebook(root) as gb:
        names = [a.name for a in sorted(gb.assignments, key=lambda a: a.name)]
        maxima = {a.name: float(a.max_score) for a in gb.assignments}
        rows = []
        for student in sorted(gb.students, key=lambda s: s.id):
            row = {"student_id": student.id, "last_name": student.last_name or "",
                   "first_name": student.first_name or "", "email": student.email or ""}
            total = 0.0
            for name in names:
                try:
                    score = float(gb.find_submission(name, student.id).score)
                except Exception:  # noqa: BLE001 - nbgrader raises MissingEntry: no submission
                    score = 0.0
                row[name] = f"{score:g}"
                total += score
            row["total"] = f"{total:g}"
            row["max_total"] = f"{sum(maxima.values()):g}"
            rows.append(row)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["student_id", "last_name", "first_name", "email",
                                                    *names, "total", "max_total"])
        writer.writeheader()
        writer.writerows(rows)
    return len(rows), names
