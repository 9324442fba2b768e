"""The student package as a wheel: ``dl4text-student``, the parts a course notebook imports.

Written directly (a wheel is a zip file with a ``.dist-info`` folder, PEP 427), so building it
needs no build backend, no network and no copy of the instructor's repository: the files come
from the installed kit (:func:`dl4text.kitparts.part_files`). The archive is reproducible:
its entries are sorted and dated 1980-01-01 (or ``SOURCE_DATE_EPOCH``).
"""

from __future__ import annotations

import base64
import hashlib
import os
import time
import zipfile
from importlib import metadata
from pathlib import Path

from dl4text.kitparts import STUDENT_PARTS, part_files

DISTRIBUTION = "dl4text-student"
#: the kit's requirements a student does not need (grading a class on a cluster)
INSTRUCTOR_ONLY = ("dask",)
#: what a student runs besides the package: Jupyter, nbgrader's Validate and Assignments tab
STUDENT_TOOLS = ("jupyterlab>=4", "nbgrader>=0.9.5,<0.10")


def kit_version() -> str:
    """The installed kit's version (the student package carries the same)."""
    try:
        return metadata.version("dl4text")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def student_requirements() -> list[str]:
    """The kit's own requirements less the instructor's, plus the student's tools."""
    try:
        kit = metadata.requires("dl4text") or []
    except metadata.PackageNotFoundError:
        kit = []
    kept = [r for r in kit if "extra ==" not in r and not r.lower().startswith(INSTRUCTOR_ONLY)]
    names = {r.split(">")[0].split("<")[0].split("=")[0].split(";")[0].split("[")[0].strip().lower() for r in kept}
    return kept + [t for t in STUDENT_TOOLS if t.split(">")[0] not in names]


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _metadata(version: str, requires: list[str]) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {DISTRIBUTION}", f"Version: {version}",
             "Summary: The dl4text course package for students: IMDB data, word vectors, the course's sizes",
             "Requires-Python: >=3.11,<3.14", *[f"Requires-Dist: {r}" for r in requires]]
    return "\n".join(lines) + "\n"


def write_wheel(dest: Path, parts: tuple[str, ...] = STUDENT_PARTS, *, version: str | None = None,
                requires: list[str] | None = None) -> Path:
    """Write the wheel of ``parts`` into the folder ``dest``; return its path."""
    version = version or kit_version()
    requires = student_requirements() if requires is None else requires
    info = f"{DISTRIBUTION.replace('-', '_')}-{version}.dist-info"
    entries = [(f"dl4text/{relative}", file.read_bytes()) for relative, file in part_files(parts)]
    entries += [(f"{info}/METADATA", _metadata(version, requires).encode()),
                (f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: dl4text handout\nRoot-Is-Purelib: true\n"
                                  b"Tag: py3-none-any\n"),
                (f"{info}/top_level.txt", b"dl4text\n")]
    record = "".join(f"{name},{_record_hash(data)},{len(data)}\n" for name, data in entries)
    entries.append((f"{info}/RECORD", (record + f"{info}/RECORD,,\n").encode()))
    stamp = time.gmtime(max(315532800, int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))))[:6]
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / f"{DISTRIBUTION.replace('-', '_')}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in entries:
            entry = zipfile.ZipInfo(name, date_time=stamp)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(entry, data)
    return path
