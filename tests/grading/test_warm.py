"""Warm graders: one server for many gradings, each in a fresh child; a crash or a hang costs one grading.

Every test runs real graders (small pytest modules written here, and the a1 solution's) through
:func:`dl4text.grading.judge.run_graders`, the engine's only way to the graders.
"""

from __future__ import annotations

import os
import signal
import tempfile
import time
from pathlib import Path

import pytest

from dl4text.grading import judge, warm
from dl4text.grading.judge import GraderFailure, run_graders

GRADERS = '''
import os, signal, time
import keras
from dl4text.grading import grades
from dl4text.grading.evaluate import MEASURED

@grades("test_one")
def test_the_seed():
    """the seed of this grading"""
    assert os.environ.get("DL4TEXT_LABEL_SEED") == "1", f"seed {os.environ.get('DL4TEXT_LABEL_SEED')}"

@grades("test_one")
def test_a_fresh_state():
    """Keras names, the measured list and this module start afresh"""
    MEASURED.append({"name": "x", "pid": os.getpid()})
    assert len(MEASURED) == 1, f"{len(MEASURED)} measurements: an earlier grading's are still there"
    assert keras.layers.Dense(1).name == "dense", "Keras kept an earlier grading's layer names"

@grades("test_one")
def test_what_the_grading_asks():
    """does what the run folder's file `what` says: crash, hang, kill the server"""
    what = open("what").read() if os.path.exists("what") else ""
    if what == "exit":
        os._exit(3)
    if what == "segfault":
        os.kill(os.getpid(), signal.SIGSEGV)
    if what == "hang":
        time.sleep(120)
    if what == "kill-server":
        os.kill(os.getppid(), signal.SIGKILL)
        time.sleep(120)
'''


@pytest.fixture(autouse=True)
def _warm_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(warm.WARM_ENV, "1")


@pytest.fixture
def graders(tmp_path: Path) -> Path:
    folder = tmp_path / "grader_tests"
    folder.mkdir()
    (folder / "test_small.py").write_text(GRADERS)
    return folder / "test_small.py"


def grade(graders: Path, private: Path, *, seed: int = 1, what: str = "", timeout: float = 120) -> dict:
    """Run the small graders on a run folder of their own; ``what`` tells them to crash or hang."""
    private.mkdir(parents=True, exist_ok=True)
    (private / "what").write_text(what)
    return run_graders(graders, private, fast=True, timeout=timeout, label_seed=seed)


def verdicts(raw: dict) -> list[tuple[str, bool, str]]:
    return [(t["name"], t["passed"], t["reason"]) for t in raw["tests"]]


def test_one_server_serves_gradings_each_in_a_fresh_state(graders: Path, tmp_path: Path) -> None:
    first = grade(graders, tmp_path / "run1", seed=1)
    pid = warm.shared().pid
    second = grade(graders, tmp_path / "run2", seed=2)
    third = grade(graders, tmp_path / "run3", seed=1)
    assert pid is not None and warm.shared().pid == pid, "the server was not reused"
    assert all(passed for _, passed, _ in verdicts(first)), verdicts(first)
    assert verdicts(second)[0] == ("the seed of this grading", False, "seed 2")
    assert verdicts(second)[1:] == verdicts(first)[1:]
    assert verdicts(third) == verdicts(first)
    children = {m["pid"] for raw in (first, second, third) for m in raw["measured"]}
    assert len(children) == 3 and pid not in children, "each grading runs in a child of its own"


@pytest.mark.parametrize("what, words", [("exit", "did not finish"), ("segfault", "signal 11")])
def test_a_grader_that_crashes_costs_only_its_grading(graders: Path, tmp_path: Path, what: str,
                                                      words: str) -> None:
    grade(graders, tmp_path / "before")
    pid = warm.shared().pid
    with pytest.raises(GraderFailure, match=words):
        grade(graders, tmp_path / "crash", what=what)
    after = grade(graders, tmp_path / "after")
    assert all(passed for _, passed, _ in verdicts(after)), verdicts(after)
    assert warm.shared().pid == pid, "the server itself should have survived its child's crash"


def test_a_grader_that_hangs_is_stopped_at_the_timeout(graders: Path, tmp_path: Path) -> None:
    grade(graders, tmp_path / "before")
    pid = warm.shared().pid
    started = time.monotonic()
    with pytest.raises(GraderFailure, match="longer than 3 s"):
        grade(graders, tmp_path / "hang", what="hang", timeout=3)
    assert time.monotonic() - started < 30
    after = grade(graders, tmp_path / "after")
    assert all(passed for _, passed, _ in verdicts(after)), verdicts(after)
    assert warm.shared().pid == pid


def test_a_dead_server_costs_one_grading_and_is_replaced(graders: Path, tmp_path: Path) -> None:
    grade(graders, tmp_path / "before")
    pid = warm.shared().pid
    with pytest.raises(GraderFailure, match="server died"):
        grade(graders, tmp_path / "kill", what="kill-server")
    after = grade(graders, tmp_path / "after")
    assert all(passed for _, passed, _ in verdicts(after)), verdicts(after)
    assert warm.shared().pid not in (None, pid)
    os.kill(warm.shared().pid, signal.SIGKILL)  # killed between gradings: the next starts another
    time.sleep(0.2)
    again = grade(graders, tmp_path / "again")
    assert verdicts(again) == verdicts(after)


def test_switched_off_no_server_starts_and_the_verdicts_are_the_same(
        graders: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hot = grade(graders, tmp_path / "warm", seed=2)
    warm.shared().stop()
    monkeypatch.setenv(warm.WARM_ENV, "0")
    judge.prestart_graders(fast=True)
    cold = grade(graders, tmp_path / "cold", seed=2)
    assert warm.shared().pid is None
    assert verdicts(cold) == verdicts(hot)


def _has_tensorflow(pid: int) -> bool:
    """Has process ``pid`` loaded TensorFlow's library (read from its memory map)?"""
    return "libtensorflow" in Path(f"/proc/{pid}/maps").read_text()


def _has_gensim(pid: int) -> bool:
    """Has process ``pid`` loaded one of gensim's compiled modules?"""
    return "/gensim/" in Path(f"/proc/{pid}/maps").read_text()


def test_tensorflow_is_imported_only_for_graders_that_use_it(graders: Path, tmp_path: Path) -> None:
    """Graders without Keras get a server without TensorFlow; the next ones that need it get another."""
    light = graders.parent / "test_light.py"
    light.write_text(GRADERS.replace("import keras\n", "").replace(
        '    assert keras.layers.Dense(1).name == "dense", "Keras kept an earlier grading\'s layer names"\n', ""))
    assert warm.heavy_imports(light) == () and warm.heavy_imports(graders) == ("tensorflow", "keras")
    assert warm.heavy_imports(None) == warm.ALL_HEAVY == warm.heavy_imports(graders.parent / "gone.py")
    warm.shared().stop()
    judge.prestart_graders(fast=True, grader_file=light)
    first = grade(light, tmp_path / "light")
    pid = warm.shared().pid
    assert all(passed for _, passed, _ in verdicts(first)), verdicts(first)
    assert pid is not None and not _has_tensorflow(pid), "the server imported TensorFlow for graders without it"
    heavy = grade(graders, tmp_path / "heavy")
    assert all(passed for _, passed, _ in verdicts(heavy)), verdicts(heavy)
    assert warm.shared().pid not in (None, pid), "graders that use Keras need a server that imported it"
    assert _has_tensorflow(warm.shared().pid)
    again = grade(light, tmp_path / "light-again")
    assert verdicts(again) == verdicts(first)
    assert _has_tensorflow(warm.shared().pid), "a server with TensorFlow serves lighter graders too"


def test_graders_that_read_word_vectors_get_gensim_imported_once(graders: Path, tmp_path: Path) -> None:
    """gensim (1.5 s) is imported by the server for graders that name it, and kept for the next ones."""
    vectors = graders.parent / "test_vectors.py"
    vectors.write_text(GRADERS + "\n\ndef _vectors():\n    import gensim  # noqa: F401\n")
    assert warm.heavy_imports(vectors) == ("tensorflow", "keras", "gensim")
    warm.shared().stop()
    judge.prestart_graders(fast=True, grader_file=graders)
    first = grade(graders, tmp_path / "plain")
    pid = warm.shared().pid
    assert pid is not None and _has_tensorflow(pid) and not _has_gensim(pid)
    second = grade(vectors, tmp_path / "vectors")
    assert verdicts(second) == verdicts(first)
    assert warm.shared().pid not in (None, pid) and _has_gensim(warm.shared().pid)
    pid = warm.shared().pid
    grade(graders, tmp_path / "plain-again")
    assert warm.shared().pid == pid, "a server that has more than the graders need serves them"


WARMED_GRADERS = '''
import os
from dl4text.grading import grades

LOADED = []  # (pid, fast) of each warm-up: filled in the server, seen by its children

def warm_up(fast):
    LOADED.append((os.getpid(), fast))

@grades("test_one")
def test_the_data_was_loaded_before_the_fork():
    """the warm-up ran once, in the server, for this mode"""
    assert LOADED == [(os.getppid(), True)], f"loaded {LOADED}, server {os.getppid()}"
'''


def _threads(pid: int) -> int:
    return int(next(line.split()[1] for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                    if line.startswith("Threads:")))


def test_the_warm_up_loads_once_in_the_server_and_a_changed_file_is_read_anew(tmp_path: Path) -> None:
    folder = tmp_path / "grader_tests"
    folder.mkdir()
    graders = folder / "test_warmed.py"
    graders.write_text(WARMED_GRADERS)
    warm.shared().stop()
    judge.prestart_graders(fast=True, grader_file=graders)
    judge.prestart_graders(fast=True, grader_file=graders)  # a second grading's warm-up: loads nothing more
    first = grade(graders, tmp_path / "first")
    assert warm.shared().warm_ups[-2:] == [{"warmed": True}] * 2
    assert verdicts(first) == [("the warm-up ran once, in the server, for this mode", True, "")]
    pid = warm.shared().pid
    # the instructor edits the graders while the server lives: the next grading runs the new file
    graders.write_text(WARMED_GRADERS.replace('"""the warm-up ran', '"""edited: the warm-up ran'))
    second = grade(graders, tmp_path / "second")
    assert warm.shared().pid == pid
    assert [name for name, _, _ in verdicts(second)] == ["edited: the warm-up ran once, in the server, for this mode"]
    assert verdicts(second)[0][1] is False  # imported afresh in the child: LOADED is empty there


def test_a_warm_up_that_fails_leaves_the_gradings_to_load_for_themselves(tmp_path: Path) -> None:
    folder = tmp_path / "grader_tests"
    folder.mkdir()
    graders = folder / "test_broken_warm_up.py"
    graders.write_text(WARMED_GRADERS.replace("    LOADED.append((os.getpid(), fast))", "    raise OSError('no data here')"))
    warm.shared().stop()
    judge.prestart_graders(fast=True, grader_file=graders)
    raw = grade(graders, tmp_path / "run")
    # graded all the same, in a child that imported the module afresh (it loaded nothing)
    assert verdicts(raw) == [("the warm-up ran once, in the server, for this mode", False, "loaded [], server "
                              f"{warm.shared().pid}")]
    assert warm.shared().warm_ups[-1] == {"warmed": False, "detail": "OSError: no data here"}


def test_the_course_graders_warm_up_without_starting_tensorflow() -> None:
    """Their warm-ups load data with numpy only: no TensorFlow op, so no new thread before the forks."""
    from dl4text.data.source import locate_imdb
    from dl4text.folder import PROJECT_ROOT, CourseFolder

    try:
        locate_imdb()
    except Exception:  # noqa: BLE001
        pytest.skip("the real IMDB archive is not available: set DL4TEXT_IMDB")
    server = warm.shared()
    server.stop()
    env = judge.grader_env(fast=True, label_seed=None)
    server.start(env, imports=warm.ALL_HEAVY)
    private = Path(tempfile.mkdtemp())
    (private / "what").write_text("")
    small = private / "test_small.py"
    small.write_text(GRADERS)
    run_graders(small, private, fast=True, timeout=120, label_seed=1)  # the server is ready
    before = _threads(server.pid)
    for assignment in ("a1_dense", "a2_embeddings", "a3_recurrent"):
        grader_file = CourseFolder(PROJECT_ROOT).grader_file(assignment)
        server.warm_up(env, grader_file, fast=True, imports=warm.ALL_HEAVY)
        run_graders(small, private, fast=True, timeout=120, label_seed=1)  # the warm-up's reply is read first
        assert server.warm_ups[-1] == {"warmed": True}, assignment
        assert _threads(server.pid) == before, f"{assignment}'s warm-up started threads in the server"


def test_the_server_and_its_gradings_run_at_a_lower_priority_than_the_kernel(graders: Path, tmp_path: Path) -> None:
    """The server imports beside the kernel: it takes the CPU the kernel leaves."""
    from dl4text.grading.graderserver import NICENESS

    grade(graders, tmp_path / "run")
    assert os.getpriority(os.PRIO_PROCESS, warm.shared().pid) == os.getpriority(os.PRIO_PROCESS, 0) + NICENESS


FROZEN_GRADERS = '''
import gc
import keras
from dl4text.grading import grades

@grades("test_one")
def test_what_the_server_holds_is_frozen():
    """the server's objects are out of the collector's reach"""
    assert gc.get_freeze_count() > 100_000, f"{gc.get_freeze_count()} objects frozen"
'''


def test_the_server_freezes_what_it_holds_before_each_fork(tmp_path: Path) -> None:
    """TensorFlow's and Keras's objects are never garbage: a child's collections (pytest runs full
    ones at its end) must not walk them."""
    folder = tmp_path / "grader_tests"
    folder.mkdir()
    graders = folder / "test_frozen.py"
    graders.write_text(FROZEN_GRADERS)
    raw = grade(graders, tmp_path / "run")
    assert verdicts(raw) == [("the server's objects are out of the collector's reach", True, "")]
