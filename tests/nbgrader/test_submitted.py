"""submitted/ read without following anything: listing, refusing, hashing, repairing, packing."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import nbformat
import pytest

from dl4text import authoring as a
from dl4text.nbgrader.submitted import (
    KEPT_SUFFIX,
    MAX_FILE_BYTES,
    Unsafe,
    read_at,
    read_folder,
    refusal,
    repair_unreadable,
    students,
    submission_hash,
)
from dl4text.runners.state import State
from tests.grading.sample_course import ASSIGNMENT, make_course, source_notebook

NB = f"{ASSIGNMENT}.ipynb"


@pytest.fixture
def course(tmp_path: Path) -> Path:
    root = make_course(tmp_path / "course")
    a.write(source_notebook(), root / "release" / ASSIGNMENT / NB)  # stands for the release here
    return root


def _folder(root: Path, student: str) -> Path:
    folder = root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    return folder


def _oversize(path: Path) -> None:
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse


def test_read_folder_leaves_out_links_special_files_and_oversize_files(tmp_path: Path) -> None:
    folder = tmp_path / "sub"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "kept.csv").write_text("1,2\n")
    (folder / "nb.ipynb").write_text("{}")
    secret = tmp_path / "secret"
    (secret / "inner").mkdir(parents=True)
    (secret / "answer.txt").write_text("42")
    (folder / "link.txt").symlink_to(secret / "answer.txt")
    (folder / "linked").symlink_to(secret)
    (folder / "data" / "up").symlink_to("../..")
    os.mkfifo(folder / "pipe")
    _oversize(folder / "big.bin")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(folder / "sock"))
        skipped: list[str] = []
        files = read_folder(folder, skipped)
    assert files == {"data/kept.csv": b"1,2\n", "nb.ipynb": b"{}"}
    assert skipped == ["big.bin: it is larger than 64 MiB (64 MiB)",
                       "data/up: it is a symbolic link (to ../..), which is not followed",
                       f"link.txt: it is a symbolic link (to {secret / 'answer.txt'}), which is not followed",
                       f"linked: it is a symbolic link (to {secret}), which is not followed",
                       "pipe: it is a FIFO, not a regular file",
                       "sock: it is a socket, not a regular file"]


def test_read_at_opens_nothing_through_a_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "f").write_text("x")
    (tmp_path / "via").symlink_to(tmp_path / "real")
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        assert read_at(fd, "real/f") == b"x"
        with pytest.raises(Unsafe, match="via: it is not a folder"):
            read_at(fd, "via/f")
        with pytest.raises(Unsafe, match="not a path inside"):
            read_at(fd, "../f")
    finally:
        os.close(fd)


def test_linked_submission_folders_are_listed_and_refused(course: Path) -> None:
    ada = _folder(course, "ada")
    (ada / NB).write_text("{}")
    (course / "submitted" / "lou").mkdir()
    (course / "submitted" / "lou" / ASSIGNMENT).symlink_to(ada)
    (course / "submitted" / "sam").symlink_to(course / "submitted" / "ada")
    (course / "submitted" / "zoe").mkdir()  # no submission of this assignment
    (course / "submitted" / "ned").mkdir()
    (course / "submitted" / "ned" / ASSIGNMENT).write_text("a file, not a folder")
    assert students(course, ASSIGNMENT) == ["ada", "lou", "sam"]  # ned has a file, not a submission
    assert refusal(course, "ada", ASSIGNMENT) == ""
    assert refusal(course, "lou", ASSIGNMENT) == \
        f"submitted/lou/{ASSIGNMENT}: it is a symbolic link (to {ada}), which is not followed"
    assert refusal(course, "sam", ASSIGNMENT) == \
        f"submitted/sam: it is a symbolic link (to {course / 'submitted' / 'ada'}), which is not followed"
    assert refusal(course, "ned", ASSIGNMENT) == f"submitted/ned/{ASSIGNMENT}: it is a file, not a folder"
    assert repair_unreadable(course, "lou", ASSIGNMENT, [ASSIGNMENT]) == []  # nothing written through it
    assert (ada / NB).read_text() == "{}"


def test_a_linked_special_or_oversize_notebook_is_replaced_by_the_release(course: Path) -> None:
    solution = course / "source" / ASSIGNMENT / NB
    cases = {"eve": f"it is a symbolic link (to ../../../source/{ASSIGNMENT}/{NB}), which is not followed",
             "fifi": "it is a FIFO, not a regular file",
             "max": "it is larger than 64 MiB (64 MiB)",
             "dan": "it is a folder, not a file",
             "nul": "the notebook was not submitted"}
    _folder(course, "eve").joinpath(NB).symlink_to(f"../../../source/{ASSIGNMENT}/{NB}")
    os.mkfifo(_folder(course, "fifi") / NB)
    _oversize(_folder(course, "max") / NB)
    (_folder(course, "dan") / NB).mkdir()
    _folder(course, "nul")
    a.write(source_notebook(), _folder(course, "ok") / NB)
    before = solution.read_bytes()
    for student, reason in cases.items():
        assert repair_unreadable(course, student, ASSIGNMENT, [ASSIGNMENT]) == [f"{student}/{ASSIGNMENT}/{NB}: {reason}"]
        folder = course / "submitted" / student / ASSIGNMENT
        nb = nbformat.read(folder / NB, as_version=4)
        assert reason in nb.cells[0].source and "could not be read when it was graded" in nb.cells[0].source
        assert not (folder / NB).is_symlink()
        assert (folder / f"{NB}{KEPT_SUFFIX}").exists() or os.path.lexists(folder / f"{NB}{KEPT_SUFFIX}") \
            or student == "nul"
    assert (course / "submitted" / "eve" / ASSIGNMENT / f"{NB}{KEPT_SUFFIX}").is_symlink()
    assert solution.read_bytes() == before  # the link's target untouched
    assert repair_unreadable(course, "ok", ASSIGNMENT, [ASSIGNMENT]) == []
    assert repair_unreadable(course, "eve", ASSIGNMENT, [ASSIGNMENT]) == []  # repaired once


def test_the_hash_follows_no_link_and_reads_no_special_file(course: Path) -> None:
    folder = _folder(course, "eve")
    target = course / "target.txt"
    target.write_text("one")
    (folder / "link").symlink_to(target)
    os.mkfifo(folder / "pipe")  # read, it would block
    first = submission_hash(course, "eve", ASSIGNMENT, fast=True)
    target.write_text("two")  # what the link points to does not count...
    assert submission_hash(course, "eve", ASSIGNMENT, fast=True) == first
    (folder / "link").unlink()
    (folder / "link").symlink_to(course / "elsewhere")  # ...where it points does
    assert submission_hash(course, "eve", ASSIGNMENT, fast=True) != first
    (course / "submitted" / "sam").symlink_to(folder.parent)
    assert submission_hash(course, "sam", ASSIGNMENT, fast=True) != submission_hash(course, "eve", ASSIGNMENT,
                                                                                      fast=True)


def test_the_state_reads_an_earlier_kits_entries(tmp_path: Path) -> None:
    (tmp_path / ".dl4text").mkdir()
    (tmp_path / ".dl4text" / "autograde-state.json").write_text('{"a/old": "abc"}')
    state = State(tmp_path)
    assert state.entry("a/old") == {"digest": "abc"} and state.unchanged("a/old", "abc")
    state.record("a/new", "def", auto_scores={"nb/test": 1.0}, auto_total=1.0, sandbox=True)
    again = State(tmp_path)
    assert again.entry("a/new") == {"digest": "def", "auto_scores": {"nb/test": 1.0}, "auto_total": 1.0,
                                    "sandbox": True}
    assert again.entry("a/missing") == {} and not again.unchanged("a/missing", "def")
