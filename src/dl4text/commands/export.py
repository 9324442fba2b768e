"""``dl4text export``: the grades as a CSV an LMS imports.

One row per student, one column per assignment (its score), then the total and the
maximum; a student with no submission of an assignment scores 0 there.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from dl4text.gradebook import gradebook
from dl4text.paths import course_root


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="write the grades CSV (a row per student)", description=__doc__)
    p.add_argument("--to", type=Path, default=Path("grades.csv"), help="output file (default grades.csv)")
    p.add_argument("--root", type=Path, default=None, help="the course folder")
    p.set_defaults(run=run)


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


def run(args: argparse.Namespace) -> int:
    root = (args.root or course_root()).resolve()
    target = args.to if args.to.is_absolute() else Path.cwd() / args.to
    count, names = export(root, target)
    print(f"wrote {target}: {count} student(s), assignments {', '.join(names) or '-'}")
    return 0
