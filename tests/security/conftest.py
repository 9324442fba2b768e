"""Shared pieces of the security tests: the class, a listening port, snapshots, a watched command.

The attacks (:mod:`tests.security.attacks`) are graded on every grading path; after each
path the tests compare what an attack could have changed with what it was before, look for
processes and files an attack leaves (they carry the session's marker), and undo and report
whatever they find, so that a broken sandbox fails the tests without breaking the machine.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import sqlite3
import stat
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import psutil
import pytest

from dl4text import authoring as a
from dl4text import config
from dl4text.kitparts import PACKAGE
from dl4text.nbgrader.cli import run_nbgrader

from ..grading.sample_course import ASSIGNMENT, make_course, source_notebook
from ..runners.conftest import BIN
from .attacks import Books, Target, build_class

#: an attack's leftovers: file names and processes carry it
MARKER = f"dl4text-attack-{uuid.uuid4().hex[:12]}"
#: the grading processes (outside the sandboxes) may use at most this much memory together
MAX_GRADING_RSS = int(2.5 * 1024**3)


# -- the class -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Template:
    """The sample course, released, before any submission (copy it)."""

    root: Path
    books: Books


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    root = make_course(tmp_path_factory.mktemp("security-template") / "course")
    run_nbgrader(["generate_assignment", ASSIGNMENT, "--force"], root)
    release = nbformat.read(root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    return Template(root, Books(source=source_notebook(), release=release))


def host_addresses() -> tuple[str, ...]:
    """127.0.0.1, then every other IPv4 address of this machine."""
    found = ["127.0.0.1"]
    for addresses in psutil.net_if_addrs().values():
        for address in addresses:
            if address.family == socket.AF_INET and address.address not in found:
                found.append(address.address)
    return tuple(found)


def target_for(root: Path, port: int, *, cache: Path | None = None, home: Path | None = None) -> Target:
    """The machine as the attacks graded in the course ``root`` are told it."""
    return Target(course=str(root), cache=str(cache or config.cache_dir()), home=str(home or Path.home()),
                  port=port, hosts=host_addresses(), marker=MARKER, kit=str(PACKAGE))


def write_class(root: Path, books: Books, target: Target, names: list[str] | None = None) -> list[str]:
    """Write the class's notebooks into ``root/submitted``; return the students, sorted."""
    notebooks = build_class(books, target, names)
    for student, nb in notebooks.items():
        a.write(nb, root / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    return sorted(notebooks)


# -- the port the network attack aims at --------------------------------------------------------------

@dataclass
class Listener:
    """A TCP and a UDP socket on every address of this machine, counting what arrives."""

    port: int
    arrived: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def listener() -> Iterator[Listener]:
    tcp = socket.socket()
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind(("0.0.0.0", 0))
    tcp.listen(16)
    tcp.settimeout(0.2)
    port = tcp.getsockname()[1]
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("0.0.0.0", port))
    udp.settimeout(0.2)
    found = Listener(port)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, peer = tcp.accept()
                found.arrived.append(f"tcp from {peer}")
                conn.close()
            except OSError:
                pass
            try:
                data, peer = udp.recvfrom(4096)
                found.arrived.append(f"udp from {peer}: {data[:60]!r}")
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield found
    stop.set()
    thread.join(timeout=5)
    tcp.close()
    udp.close()


# -- snapshots of what an attack could change -----------------------------------------------------------

def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def tree_digest(folder: Path) -> dict[str, str]:
    """relative path -> sha256 (links as ``link:<target>``) of everything under ``folder``."""
    found: dict[str, str] = {}
    if not folder.exists():
        return found
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if "__pycache__" in path.parts:
            continue
        if path.is_symlink():
            found[rel] = f"link:{os.readlink(path)}"
        elif path.is_file():
            found[rel] = _digest(path)
        elif path.is_dir():
            found[rel] = "dir"
    return found


def kit_targets() -> list[Path]:
    """The files of the kit's environment the attacks write to, and where a .pth would go."""
    import site

    import numpy

    import dl4text

    return [Path(dl4text.__file__), Path(numpy.__file__), *map(Path, site.getsitepackages())]


def kit_digest() -> dict[str, str]:
    """The kit's attacked files by hash, each site-packages folder's names, every .pth by hash."""
    found: dict[str, str] = {}
    for path in kit_targets():
        if path.is_file():
            found[str(path)] = _digest(path)
        elif path.is_dir():
            names = sorted(p.name for p in path.iterdir())
            found[str(path)] = hashlib.sha256("\n".join(names).encode()).hexdigest()
            for pth in path.glob("*.pth"):
                found[str(pth)] = _digest(pth)
    return found


def home_targets(home: Path) -> list[Path]:
    return [home / ".bashrc", home / ".ipython" / "profile_default" / "startup"]


def home_digest(home: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in home_targets(home):
        if path.is_dir():
            found.update({f"{path}/{k}": v for k, v in tree_digest(path).items()})
        elif path.exists():
            found[str(path)] = _digest(path)
    return found


@dataclass
class Snapshot:
    """What the tests compare before and after a grading path."""

    graders: dict[str, str]
    source: dict[str, str]
    kit: dict[str, str]
    cache: dict[str, str]
    home: dict[str, str]
    kit_marked: list[str]


def package_files_with_marker() -> list[str]:
    """Files of the dl4text package that hold the marker (an append that got through)."""
    import dl4text

    package = Path(dl4text.__file__).parent
    return [str(p) for p in package.rglob("*.py") if MARKER in p.read_text(errors="replace")]


def snapshot(root: Path, cache: Path, home: Path) -> Snapshot:
    return Snapshot(graders=tree_digest(root / "grader_tests"), source=tree_digest(root / "source"),
                    kit=kit_digest(), cache=tree_digest(cache), home=home_digest(home),
                    kit_marked=package_files_with_marker())


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """What differs between two digests (``+`` new, ``-`` gone, ``~`` changed)."""
    out = [f"- {k}" for k in before if k not in after]
    out += [f"+ {k}" for k in after if k not in before]
    out += [f"~ {k}" for k in before if k in after and before[k] != after[k]]
    return sorted(out)


def cache_changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Changes to the data cache an attack could have made.

    Files that were there must be unchanged, and no new file may carry the marker; other new
    files are allowed, since other tests of the suite may warm the shared cache meanwhile.
    """
    return [c for c in changed(before, after) if not c.startswith("+ ") or MARKER in c]


# -- undoing what got through ---------------------------------------------------------------------------

def undo_planted(places: list[Path], saved: dict[Path, bytes]) -> list[str]:
    """Remove files holding the marker from ``places``, restore ``saved`` files; return what was undone."""
    undone: list[str] = []
    for place in places:
        candidates = [place] if place.is_file() else (list(place.iterdir()) if place.is_dir() else [])
        for path in candidates:
            try:
                info = path.lstat()
                if not stat.S_ISREG(info.st_mode) or info.st_size > 1 << 20:
                    continue
                if MARKER in path.name or MARKER in path.read_text(errors="replace"):
                    if path in saved:
                        continue
                    path.unlink()
                    undone.append(f"removed {path}")
            except OSError:
                continue
    for path, data in saved.items():
        try:
            if path.read_bytes() != data:
                path.write_bytes(data)
                undone.append(f"restored {path}")
        except OSError:
            continue
    return undone


def planted_places(root: Path, cache: Path, home: Path) -> list[Path]:
    """Every folder outside the sandboxes the attacks try to plant a file in."""
    import tempfile

    places = [root, root / "grader_tests", root.parent, Path("/tmp"), Path(tempfile.gettempdir()), home,
              home / ".ipython" / "profile_default" / "startup", cache]
    places += [p for p in kit_targets() if p.is_dir()]
    return list(dict.fromkeys(places))


def saved_files(home: Path) -> dict[Path, bytes]:
    """Files an attack appends to, as they are now (restored afterwards if they changed)."""
    import numpy

    import dl4text

    found = {}
    for path in (Path(dl4text.__file__), Path(numpy.__file__), home / ".bashrc"):
        if path.is_file():
            found[path] = path.read_bytes()
    return found


# -- processes --------------------------------------------------------------------------------------------

def marked_processes(marker: str = MARKER, *, grace_s: float = 5.0) -> list[str]:
    """Processes whose command line holds ``marker`` (after up to ``grace_s`` for them to end)."""
    deadline = time.monotonic() + grace_s
    while True:
        found = []
        for p in psutil.process_iter(["pid", "cmdline"]):
            try:
                cmdline = " ".join(p.info["cmdline"] or [])
            except psutil.Error:
                continue
            if marker in cmdline and p.pid != os.getpid():
                found.append(f"{p.pid}: {cmdline[:200]}")
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.25)


def kill_marked(marker: str = MARKER) -> None:
    """Kill every process whose command line holds ``marker`` (what a failed test leaves)."""
    for p in psutil.process_iter(["cmdline"]):
        try:
            if marker in " ".join(p.info["cmdline"] or []) and p.pid != os.getpid():
                p.kill()
        except psutil.Error:
            continue


def processes_in(folder: Path) -> list[str]:
    """Processes whose working folder lies in ``folder``."""
    found = []
    for p in psutil.process_iter(["pid", "cwd", "cmdline"]):
        cwd = p.info.get("cwd")
        if cwd and Path(cwd).is_relative_to(folder) and p.pid != os.getpid():
            found.append(f"{p.pid}: {' '.join(p.info['cmdline'] or [])[:200]}")
    return found


# -- a command, watched ----------------------------------------------------------------------------------

@dataclass
class Watched:
    """How a grading command ran."""

    command: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss: int  # bytes: the command's processes outside the sandboxes, together
    peak_sandbox_rss: int  # bytes: the sandboxes' processes, together


def _sandbox_pids(tree: list[psutil.Process]) -> set[int]:
    """The bwrap processes of ``tree`` and everything under them."""
    found: set[int] = set()
    for p in tree:
        try:
            if p.name() == "bwrap" and p.pid not in found:
                found.add(p.pid)
                found.update(c.pid for c in p.children(recursive=True))
        except psutil.Error:
            continue
    return found


def run_watched(command: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
                timeout: float = 900, interval: float = 0.2) -> Watched:
    """Run ``command``, polling the resident memory of its process tree; never raises for it."""
    started = time.monotonic()
    process = psutil.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = peak_box = 0
    out: dict[str, str] = {}

    def drain(name: str, stream) -> None:  # noqa: ANN001 - a text pipe
        out[name] = stream.read()

    readers = [threading.Thread(target=drain, args=(n, s), daemon=True)
               for n, s in (("stdout", process.stdout), ("stderr", process.stderr))]
    for reader in readers:
        reader.start()
    while process.poll() is None:
        if time.monotonic() - started > timeout:
            for child in process.children(recursive=True):
                child.kill()
            process.kill()
            break
        try:
            tree = [process, *process.children(recursive=True)]
        except psutil.Error:
            tree = []
        boxed = _sandbox_pids(tree)
        total = box = 0
        for p in tree:
            try:
                rss = p.memory_info().rss
            except psutil.Error:
                continue
            if p.pid in boxed:
                box += rss
            else:
                total += rss
        peak, peak_box = max(peak, total), max(peak_box, box)
        time.sleep(interval)
    process.wait()
    for reader in readers:
        reader.join(timeout=10)
    return Watched(command=[str(c) for c in command], returncode=process.returncode, stdout=out.get("stdout", ""),
                   stderr=out.get("stderr", ""), seconds=round(time.monotonic() - started, 1), peak_rss=peak,
                   peak_sandbox_rss=peak_box)


def grading_env(**extra: str) -> dict[str, str]:
    """This process's environment, the kit's bin/ first on PATH (nbgrader runs alembic from it)."""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    env.update(extra)
    return env


# -- the gradebook ------------------------------------------------------------------------------------------

def gradebook_rows(root: Path) -> dict[str, int]:
    """How many rows each table of the gradebook that holds students' work has."""
    with sqlite3.connect(f"file:{root / 'gradebook.db'}?mode=ro", uri=True) as con:
        return {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
                for table in ("student", "submitted_assignment", "submitted_notebook", "grade")}


def copy_course(template: Template, dest: Path) -> Path:
    """A fresh copy of the released course at ``dest``."""
    return Path(shutil.copytree(template.root, dest))
