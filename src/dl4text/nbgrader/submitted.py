"""The class's submissions in nbgrader's ``submitted/`` folder: listing, checking, hashing, reading.

A submission is the student's data, never the kit's: nothing here follows a link under
``submitted/``, opens a special file (a FIFO would block, a device would stream) or reads a
file past :data:`MAX_FILE_BYTES`. Each path below the course folder is opened one part at a
time with ``O_NOFOLLOW`` from the folder above it, so a link planted anywhere on the way is
seen as a link, not as what it points to.

* a notebook that is a link, a special file, too big or unreadable is replaced by the release
  notebook with a note saying why (:func:`repair_unreadable`): zero points, and the reason;
* a submission folder (``submitted/<student>`` or ``submitted/<student>/<assignment>``) that
  is a link is not graded at all: :func:`refusal` says why, and the student gets zero;
* other files that are links, special or too big are left out of what is graded (:func:`read_folder`).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from dl4text.course.thresholds import THRESHOLDS_FILE
from dl4text.folder import CourseFolder

#: the largest file of a submission that is read (a notebook or any other file); past it: left out
MAX_FILE_BYTES = 64 * 1024**2
SKIPPED_PARTS = {".ipynb_checkpoints", "__pycache__"}
KEPT_SUFFIX = ".unreadable"

UNREADABLE_NOTE = """**This notebook could not be read when it was graded** ({reason}).
It was graded as the untouched release notebook; your original file is kept beside it as
`{name}{suffix}`. Ask your instructor if you think this is wrong."""

REFUSED_NOTE = """**This submission was not graded** ({reason}).
Every autograded cell got zero points. Ask your instructor if you think this is wrong."""

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class Unsafe(OSError):
    """A path of a submission that is not read: a link, a special file, too big, not a folder."""


@dataclass(frozen=True)
class Entry:
    """One non-folder entry below a submission folder, seen without following anything."""

    name: str  # POSIX path relative to the folder walked
    mode: int  # st_mode from lstat
    size: int
    mtime_ns: int
    target: str = ""  # where a link points (never followed)

    @property
    def why_not(self) -> str:
        """Why this entry is not read ("" when it is a regular file of a sane size)."""
        return _why_not(self.mode, self.size, self.target)


def _why_not(mode: int, size: int, target: str = "") -> str:
    if stat.S_ISLNK(mode):
        return f"it is a symbolic link (to {target}), which is not followed" if target else \
            "it is a symbolic link, which is not followed"
    if stat.S_ISDIR(mode):
        return "it is a folder, not a file"
    if not stat.S_ISREG(mode):
        kind = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
                stat.S_IFSOCK: "a socket"}.get(stat.S_IFMT(mode), "a special file")
        return f"it is {kind}, not a regular file"
    if size > MAX_FILE_BYTES:
        return f"it is larger than {MAX_FILE_BYTES // 1024**2} MiB ({size / 1024**2:.0f} MiB)"
    return ""


@contextmanager
def open_folder(base: Path, *parts: str) -> Iterator[int]:
    """A file descriptor of ``base/parts...``, each of ``parts`` opened without following a link.

    ``base`` (the course folder, ``submitted/``: the instructor's) is opened as it is. Raises
    :class:`Unsafe` with the reason (``base-name/parts...: why``) when one of ``parts`` is a
    link or not a folder, ``FileNotFoundError`` when one is missing.
    """
    fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for i, part in enumerate(parts):
            try:
                nxt = os.open(part, _DIR, dir_fd=fd)
            except FileNotFoundError:
                raise
            except OSError as exc:
                info = os.lstat(part, dir_fd=fd)
                why = ("it is a file, not a folder" if stat.S_ISREG(info.st_mode)
                       else _why_not(info.st_mode, 0, _readlink(part, fd)) or f"it cannot be opened ({exc.strerror})")
                raise Unsafe(f"{'/'.join((base.name, *parts[: i + 1]))}: {why}") from None
            os.close(fd)
            fd = nxt
        yield fd
    finally:
        os.close(fd)


def _readlink(name: str, dir_fd: int) -> str:
    try:
        return os.readlink(name, dir_fd=dir_fd)
    except OSError:
        return ""


def walk(dir_fd: int, prefix: str = "") -> Iterator[Entry]:
    """Every entry below the folder ``dir_fd`` that is not a folder, sorted; links and special files
    included (as themselves), linked folders not entered; checkpoints and caches skipped."""
    with os.scandir(dir_fd) as scan:
        items = sorted(scan, key=lambda e: e.name)
    for item in items:
        if item.name in SKIPPED_PARTS:
            continue
        name = f"{prefix}{item.name}"
        info = item.stat(follow_symlinks=False)
        if stat.S_ISDIR(info.st_mode):
            try:
                sub = os.open(item.name, _DIR, dir_fd=dir_fd)
            except OSError:  # swapped for something else meanwhile: report it as it is now
                info = os.lstat(item.name, dir_fd=dir_fd)
            else:
                try:
                    yield from walk(sub, f"{name}/")
                finally:
                    os.close(sub)
                continue
        target = _readlink(item.name, dir_fd) if stat.S_ISLNK(info.st_mode) else ""
        yield Entry(name, info.st_mode, info.st_size, info.st_mtime_ns, target)


def read_at(dir_fd: int, name: str) -> bytes:
    """The bytes of the regular file ``name`` (a POSIX path below ``dir_fd``), following nothing.

    Raises :class:`Unsafe` for a link, a special file or a file over :data:`MAX_FILE_BYTES`.
    """
    parts = PurePosixPath(name).parts
    if not parts or ".." in parts or PurePosixPath(name).is_absolute():
        raise Unsafe(f"{name}: not a path inside the folder")
    fd = os.dup(dir_fd)
    try:
        for i, part in enumerate(parts[:-1]):
            try:
                nxt = os.open(part, _DIR, dir_fd=fd)
            except OSError as exc:
                raise Unsafe(f"{'/'.join(parts[:i + 1])}: it is not a folder ({exc.strerror})") from None
            os.close(fd)
            fd = nxt
        try:
            leaf = os.open(parts[-1], _FILE, dir_fd=fd)
        except FileNotFoundError:
            raise
        except OSError:
            info = os.lstat(parts[-1], dir_fd=fd)
            raise Unsafe(f"{name}: {_why_not(info.st_mode, info.st_size, _readlink(parts[-1], fd))}") from None
    finally:
        os.close(fd)
    info = os.fstat(leaf)
    why = _why_not(info.st_mode, info.st_size)
    if why:
        os.close(leaf)
        raise Unsafe(f"{name}: {why}")
    with os.fdopen(leaf, "rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise Unsafe(f"{name}: {_why_not(stat.S_IFREG, len(data))}")
    return data


def read_folder(folder: Path, skipped: list[str] | None = None) -> dict[str, bytes]:
    """Every regular file under ``folder`` (checkpoints and caches left out), by POSIX relative path.

    Links (to files or folders), special files and files over :data:`MAX_FILE_BYTES` are left
    out; each is appended to ``skipped`` as ``name: why``. ``folder`` itself is opened as it is.
    """
    with open_folder(folder) as fd:
        return read_folder_at(fd, skipped)


def read_folder_at(dir_fd: int, skipped: list[str] | None = None) -> dict[str, bytes]:
    """:func:`read_folder` of the folder open as ``dir_fd``."""
    files = {}
    for entry in walk(dir_fd):
        why = entry.why_not
        if not why:
            try:
                files[entry.name] = read_at(dir_fd, entry.name)
                continue
            except Unsafe as exc:
                why = str(exc).split(": ", 1)[-1]
            except OSError as exc:
                why = f"it cannot be read ({exc.strerror})"
        if skipped is not None:
            skipped.append(f"{entry.name}: {why}")
    return files


def students(root: Path, assignment: str) -> list[str]:
    """Students with a submission of ``assignment`` in ``submitted/``.

    A student folder that is a link is listed (for every assignment: it is not followed to
    look), so that the student gets a zero with the reason rather than silently nothing.
    """
    found = []
    try:
        with open_folder(CourseFolder(root).submitted()) as fd, os.scandir(fd) as scan:
            for entry in scan:
                if entry.is_symlink():
                    if not entry.name.startswith("."):
                        found.append(entry.name)
                elif entry.is_dir(follow_symlinks=False):
                    try:
                        info = os.lstat(f"{entry.name}/{assignment}", dir_fd=fd)
                    except OSError:
                        continue
                    if stat.S_ISDIR(info.st_mode) or stat.S_ISLNK(info.st_mode):
                        found.append(entry.name)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(found)


def refusal(root: Path, student: str, assignment: str) -> str:
    """Why ``submitted/<student>/<assignment>`` is not graded at all ("" when it is a folder to grade)."""
    try:
        with open_folder(CourseFolder(root).submitted(), student, assignment):
            return ""
    except Unsafe as exc:
        return str(exc)
    except FileNotFoundError:
        return f"submitted/{student}/{assignment} is missing"


def refused_files(root: Path, assignment: str, notebooks: list[str], reason: str) -> dict[str, bytes]:
    """What stands for a refused submission: each release notebook, with a note saying why."""
    import nbformat

    files = {}
    for name in notebooks:
        nb = nbformat.read(CourseFolder(root).release_notebook(assignment, name), as_version=4)
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(REFUSED_NOTE.format(reason=reason)))
        files[f"{name}.ipynb"] = nbformat.writes(nb).encode()
    return files


def submission_hash(root: Path, student: str, assignment: str, *, fast: bool) -> str:
    """A hash of everything that decides a grade: the submission, the source, the graders.

    Nothing is followed: a link counts by where it points, a special file by its kind, a
    file too big to read by its size and time; a refused folder by the reason.
    """
    digest = hashlib.sha256(f"fast={fast}\n".encode())
    base = ("submitted", student, assignment)
    try:
        with open_folder(CourseFolder(root).submitted(), student, assignment) as fd:
            for entry in walk(fd):
                digest.update(f"{'/'.join(base)}/{entry.name}\0".encode())
                if entry.why_not:
                    digest.update(f"{stat.S_IFMT(entry.mode)}:{entry.target}:{entry.size}:{entry.mtime_ns}\0".encode())
                else:
                    digest.update(_file_digest(fd, entry.name))
    except (Unsafe, FileNotFoundError) as exc:
        digest.update(f"{'/'.join(base)}: {exc}\0".encode())
    # the instructor's files, links followed (a course may link its material in)
    course = CourseFolder(root)
    source = course.source(assignment)
    files = [p for p in sorted(source.rglob("*")) if p.is_file() and not SKIPPED_PARTS & set(p.parts)]
    files += [course.grader_file(assignment), THRESHOLDS_FILE]
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(root) if path.is_relative_to(root) else path.name).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _file_digest(dir_fd: int, name: str) -> bytes:
    try:
        return hashlib.sha256(read_at(dir_fd, name)).digest()
    except OSError as exc:
        return f"unreadable: {exc}".encode()


def repair_unreadable(root: Path, student: str, assignment: str, notebooks: list[str]) -> list[str]:
    """Replace each unreadable, missing, linked, special or too big notebook with the release's,
    with a note; keep the original beside it (renamed, never followed). Returns what was repaired.

    nbgrader drops a submission whose notebook it cannot read (no grade at all) and follows
    a link to whatever it points to (the instructor's solution...); this keeps a zero grade
    and a reason instead. A folder that is a link is not touched (see :func:`refusal`).
    """

    try:
        with open_folder(CourseFolder(root).submitted(), student, assignment) as fd:
            return [f"{student}/{assignment}/{name}.ipynb: {reason}" for name in notebooks
                    if (reason := _repair(CourseFolder(root).release(assignment), fd, f"{name}.ipynb"))]
    except (Unsafe, FileNotFoundError):
        return []


def _repair(release: Path, fd: int, file: str) -> str:
    """Repair ``file`` in the folder ``fd`` if it needs it; return why ("" if it did not)."""
    import nbformat

    try:
        nbformat.validate(nbformat.reads(read_at(fd, file).decode("utf-8"), as_version=4))
        return ""
    except FileNotFoundError:
        reason = "the notebook was not submitted"
    except Unsafe as exc:
        reason = str(exc).split(": ", 1)[-1]
    except Exception as exc:  # noqa: BLE001 - any unreadable notebook is repaired
        reason = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    if _lexists(file, fd):
        _set_aside(fd, file)
    nb = nbformat.read(release / file, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(UNREADABLE_NOTE.format(reason=reason, name=file,
                                                                            suffix=KEPT_SUFFIX)))
    out = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644, dir_fd=fd)
    with os.fdopen(out, "wb") as handle:
        handle.write(nbformat.writes(nb).encode())
    return reason


def _lexists(name: str, dir_fd: int) -> bool:
    try:
        os.lstat(name, dir_fd=dir_fd)
        return True
    except FileNotFoundError:
        return False


def _set_aside(dir_fd: int, name: str) -> None:
    """Rename ``name`` (whatever it is: the link itself, not its target) to ``name.unreadable``."""
    kept = name + KEPT_SUFFIX
    try:
        os.rename(name, kept, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except OSError:  # the kept name is taken by a folder: keep the newer one only
        info = os.lstat(name, dir_fd=dir_fd)
        if stat.S_ISDIR(info.st_mode):
            os.rename(name, f"{kept}-{info.st_mtime_ns}", src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        else:
            os.unlink(name, dir_fd=dir_fd)
