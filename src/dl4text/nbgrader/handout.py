"""The student handout: the release notebooks, the student package as a wheel, a README.

:func:`build_handout` writes, into a folder of its own and as a zip file beside it::

    handout/
        README.md                          install, the data, working, validating, submitting
        dl4text_student-<v>-py3-none-any.whl   dl4text.course, .data, .embeddings (nothing else)
        a1_dense/a1_dense.ipynb ...        release/ as nbgrader generated it

and :func:`scan_handout` checks it the way ``dl4text release`` checks ``release/``: every
notebook through the release scan, and every file of the wheel against the student parts
(:data:`dl4text.kitparts.STUDENT_PARTS`) and against the lines of the solutions, rubrics
and hidden graders. Nothing of ``source/``, ``solutions/`` or ``grader_tests/`` is copied.
"""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from dl4text.folder import CourseFolder
from dl4text.kitparts import STUDENT_PARTS, part_files
from dl4text.nbgrader.leakscan import grader_lines, scan_release, solution_lines
from dl4text.studentwheel import DISTRIBUTION, write_wheel

#: written into every handout folder: a folder with it may be replaced by the next build
MARKER = ".dl4text-handout"
README = "README.md"
#: folders of the course a handout must not be written into
COURSE_PARTS = ("source", "release", "submitted", "autograded", "feedback", "solutions", "grader_tests")

STUDENT_README = """\
# Deep Learning for Text: your assignments

This folder holds your assignments ({assignments}) and `{wheel}`, the course's
Python package (`dl4text`): it loads the IMDB reviews and the word vectors in exactly the
form the graders use. You need Python 3.11 to 3.13 on Linux, macOS or Windows (WSL).

## 1. Install (once)

```bash
python3 -m venv .venv
.venv/bin/pip install {wheel}
```

This installs TensorFlow (CPU), Keras, gensim, JupyterLab and nbgrader into `.venv/` (about
2 GB). On Windows without WSL use `.venv\\Scripts\\pip` instead of `.venv/bin/pip`.

## 2. The data

Download `aclImdb_v1.tar.gz` (84 MB) from https://ai.stanford.edu/~amaas/data/sentiment/ and
tell the package where it is (the package downloads it itself when this is not set and the
internet is reachable):

```bash
export DL4TEXT_IMDB=/path/to/aclImdb_v1.tar.gz
```

Load the data only with the notebook's own setup cell (`course.load_imdb`), not with
`keras.datasets.imdb`: that one numbers the words differently, and the graders use the
course's numbering.

## 3. Work

```bash
.venv/bin/jupyter lab {first}
```

Replace every `raise NotImplementedError()` with your code and run the test cell under each
exercise: it checks your work on a few cases and says what is wrong. The grade comes from
hidden graders that call your functions on other inputs and measure your trained models'
accuracy themselves; the targets are stated in each notebook. To try things quickly, start
Jupyter with `DL4TEXT_FAST=1` (fewer reviews and epochs); the graders always use the full size.
Build models from Keras's own layers only (no `Lambda` layer, no custom classes).

## 4. Validate, then submit

Restart the kernel and run all cells, save, then press **Validate** in the notebook's toolbar,
or run:

```bash
.venv/bin/nbgrader validate {first}
```

Hand in the `.ipynb` file as your course says: on the course's JupyterHub through the
**Assignments** tab (nbgrader's Submit), otherwise by uploading it.
"""


@dataclass
class Handout:
    """A built handout: its folder, zip file, wheel and notebooks, and what its scan found."""

    folder: Path
    archive: Path | None
    wheel: Path
    notebooks: list[Path]
    problems: list[str] = field(default_factory=list)


def build_handout(root: Path, dest: Path, assignments: list[str] | None = None) -> Handout:
    """Write the handout of ``assignments`` (default: all) of the course at ``root`` into ``dest``.

    ``dest`` must be new, empty or an earlier handout (it is replaced). The zip file
    ``<dest>.zip`` is written only when the scan finds nothing.
    """
    course = CourseFolder(root)
    names = course.assignments(assignments)
    for name in names:
        if not course.release(name).is_dir():
            raise FileNotFoundError(f"release/{name} is missing: run `dl4text release {name}` first")
    dest = Path(dest).resolve()
    inside = dest.relative_to(course.root).parts[:1] if dest.is_relative_to(course.root) else ("-",)
    if not inside or inside[0] in COURSE_PARTS:
        raise ValueError(f"{dest} is {'the course folder' if not inside else f'inside {inside[0]}/'}: "
                         "choose another folder")
    if dest.exists():
        if not (dest / MARKER).is_file() and any(dest.iterdir()):
            raise ValueError(f"{dest} exists and is not a handout: choose an empty or new folder")
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    (dest / MARKER).write_text("built by dl4text handout\n")
    notebooks = []
    for name in names:
        shutil.copytree(course.release(name), dest / name,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        notebooks += sorted((dest / name).rglob("*.ipynb"))
    wheel = write_wheel(dest)
    first = notebooks[0].relative_to(dest).as_posix() if notebooks else f"{names[0]}/"
    (dest / README).write_text(STUDENT_README.format(
        assignments=", ".join(f"`{n}`" for n in names), wheel=wheel.name, first=first))
    handout = Handout(dest, None, wheel, notebooks, scan_handout(dest, root))
    if not handout.problems:
        handout.archive = _zip(dest)
    return handout


def scan_handout(folder: Path, root: Path) -> list[str]:
    """Every leak in the handout ``folder`` of the course at ``root`` (empty when it is clean)."""
    course = CourseFolder(root)
    problems: list[str] = []
    for path in sorted(p for p in folder.iterdir() if p.is_dir()):
        source = course.source(path.name)
        if not source.is_dir():
            problems.append(f"{path.name}/: not an assignment of the course")
            continue
        problems += [f"{path.name}/{leak}" for leak in scan_release(path, source, course.grader_tests)]
    wheels = sorted(folder.glob("*.whl"))
    if len(wheels) != 1:
        problems.append(f"expected one wheel, found {len(wheels)}")
    forbidden = solution_lines(course.source()) | (
        grader_lines(course.grader_tests) if course.grader_tests.is_dir() else set())
    for wheel in wheels:
        problems += _scan_wheel(wheel, forbidden)
    return problems


def _scan_wheel(wheel: Path, forbidden: set[str]) -> list[str]:
    allowed = {f"dl4text/{relative}" for relative, _ in part_files(STUDENT_PARTS)}
    info = f"{DISTRIBUTION.replace('-', '_')}-"
    problems = []
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if name.startswith(info) and name.split("/")[0].endswith(".dist-info"):
                continue
            if name not in allowed:
                problems.append(f"{wheel.name}: {name}: not part of the student package")
                continue
            text = archive.read(name).decode("utf-8", "replace")
            for line in sorted({ln.strip() for ln in text.splitlines()} & forbidden):
                problems.append(f"{wheel.name}: {name}: solution or grader text: {line[:100]}")
    return problems


def _zip(folder: Path) -> Path:
    archive = folder.with_name(folder.name + ".zip")
    archive.unlink(missing_ok=True)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.name != MARKER:
                handle.write(path, Path(folder.name) / path.relative_to(folder))
    return archive
