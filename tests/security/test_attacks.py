"""The attacks of :mod:`tests.security.attacks`, graded once on every grading path.

The class (every attack, a correct notebook, the untouched release and a correct notebook
graded last) is graded by one command per path:

* ``grade``: ``dl4text grade --json`` on every notebook, with the sample course's limits;
* ``serial``: ``dl4text autograde sample --fast`` (one submission after another);
* ``workers``: ``dl4text autograde sample --fast --workers 2`` (Dask);
* ``nbgrader``: plain ``nbgrader autograde sample --create --force`` in the course folder,
  then ``nbgrader generate_feedback``.

Each path must give every submission exactly its points, and afterwards the course material,
the gradebook's rows, the kit, the data cache and the grading user's HOME must be as they
were, nothing an attack started may still run, and no connection may have reached the port
the test listens on. Attack findings (what the kernel saw) are read back from the autograded
notebooks, which ``dl4text grade`` does not write.
"""

from __future__ import annotations

import errno
import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from dl4text import config
from dl4text.sandbox.bwrap import kit_paths

from ..grading.sample_course import ASSIGNMENT, HERE
from ..runners.conftest import BIN, grades
from .attacks import AFTER_FLOOD, ATTACKS, DONE, PLAIN, Target, expected_points, findings, printed
from .conftest import (
    MARKER,
    MAX_GRADING_RSS,
    Listener,
    Snapshot,
    Template,
    Watched,
    cache_changes,
    changed,
    copy_course,
    gradebook_rows,
    grading_env,
    kill_marked,
    marked_processes,
    planted_places,
    processes_in,
    run_watched,
    saved_files,
    snapshot,
    target_for,
    undo_planted,
    write_class,
)

PATHS = ("grade", "serial", "workers", "nbgrader")
AUTOGRADED = ("serial", "workers", "nbgrader")
#: the sample course's limits (nbgrader_config.py), given to `dl4text grade` as options
GRADE_LIMITS = ["--cell-timeout", "10", "--notebook-timeout", "25", "--memory-mb", "1024"]
#: uid ranges lent to kernels (GradingExecute as root) and to fenced gradings (dl4text autograde as root)
SANDBOX_UIDS = range(613000, 613000 + 4096)
FENCE_UIDS = range(612000, 612000 + 4096)
IDENTITY_MAP = ["0", "0", "4294967295"]


@dataclass
class Graded:
    """One grading path's run of the whole class, and what the tests compare."""

    path: str
    root: Path
    target: Target
    students: list[str]
    run: Watched
    before: Snapshot
    after: Snapshot
    points: dict[str, dict[str, float]] = field(default_factory=dict)
    notebooks: dict[str, nbformat.NotebookNode] = field(default_factory=dict)
    feedback: dict[str, str] = field(default_factory=dict)
    left_running: list[str] = field(default_factory=list)
    undone: list[str] = field(default_factory=list)
    arrived: list[str] = field(default_factory=list)
    feedback_run: Watched | None = None

    def notebook(self, student: str) -> nbformat.NotebookNode:
        if self.path not in AUTOGRADED:
            pytest.skip("dl4text grade writes no notebook: the autograded paths show what the kernel saw")
        return self.notebooks[student]


def _command(path: str, root: Path, students: list[str]) -> tuple[list[str], dict]:
    if path == "grade":
        notebooks = [str(root / "submitted" / s / ASSIGNMENT / f"{ASSIGNMENT}.ipynb") for s in students]
        return [str(BIN / "dl4text"), "grade", "--json", "--fast", "--root", str(root), *GRADE_LIMITS,
                *notebooks], {}
    if path == "serial":
        return [str(BIN / "dl4text"), "autograde", ASSIGNMENT, "--fast", "--root", str(root)], {}
    if path == "workers":
        return [str(BIN / "dl4text"), "autograde", ASSIGNMENT, "--fast", "--root", str(root), "--workers", "2"], {}
    return [str(BIN / "nbgrader"), "autograde", ASSIGNMENT, "--create", "--force"], {"cwd": root}


def _points_from_json(stdout: str) -> dict[str, dict[str, float]]:
    points: dict[str, dict[str, float]] = {}
    for entry in json.loads(stdout):
        student = Path(entry["notebook"]).parent.parent.name
        cells = points.setdefault(student, {})
        for test in entry["tests"]:
            grade_id = test["name"].split(":")[0]
            cells[grade_id] = round(cells.get(grade_id, 0.0) + test["score"], 6)
    return points


@pytest.fixture(scope="module", params=PATHS)
def graded(request: pytest.FixtureRequest, template: Template, listener: Listener,
           tmp_path_factory: pytest.TempPathFactory) -> Graded:
    path = request.param
    root = copy_course(template, tmp_path_factory.mktemp(f"security-{path}") / "course")
    cache, home = config.cache_dir(), Path.home()
    target = target_for(root, listener.port, cache=cache, home=home)
    students = write_class(root, template.books, target)
    saved = saved_files(home)
    arrived_before = len(listener.arrived)
    before = snapshot(root, cache, home)
    command, where = _command(path, root, students)
    env = grading_env(**{config.FAST_ENV: "1"})
    run = run_watched(command, env=env, timeout=900, **where)
    feedback_run = None
    if path == "nbgrader" and run.returncode == 0:
        feedback_run = run_watched([str(BIN / "nbgrader"), "generate_feedback", ASSIGNMENT, "--force"],
                                   cwd=root, env=env, timeout=300)
    left = marked_processes() + processes_in(root)
    kill_marked()
    after = snapshot(root, cache, home)
    undone = undo_planted(planted_places(root, cache, home), saved)
    result = Graded(path=path, root=root, target=target, students=students, run=run, before=before, after=after,
                    left_running=left, undone=undone, arrived=listener.arrived[arrived_before:],
                    feedback_run=feedback_run)
    print(f"\n[{path}] {' '.join(command[:4])} ... : exit {run.returncode}, {run.seconds} s, "
          f"peak {run.peak_rss / 1024**2:.0f} MiB outside sandboxes, {run.peak_sandbox_rss / 1024**2:.0f} MiB in them")
    if path == "grade":
        if run.returncode == 0:
            result.points = _points_from_json(run.stdout)
        return result
    result.points = grades(root) if (root / "gradebook.db").exists() else {}
    for student in students:
        nb_path = root / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        if nb_path.is_file():
            result.notebooks[student] = nbformat.read(nb_path, as_version=4)
        html = root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
        if html.is_file():
            result.feedback[student] = html.read_text(errors="replace")
    return result


# -- points --------------------------------------------------------------------------------------------------

def test_the_grading_command_succeeds(graded: Graded) -> None:
    assert graded.run.returncode == 0, (graded.run.stdout[-3000:] + graded.run.stderr[-5000:])
    if graded.feedback_run is not None:
        assert graded.feedback_run.returncode == 0, graded.feedback_run.stderr[-3000:]


@pytest.mark.parametrize("student", sorted(expected_points()))
def test_each_submission_gets_exactly_its_points(graded: Graded, student: str) -> None:
    expected = expected_points()[student]
    got = graded.points.get(student)
    assert got is not None, f"{student} was not graded on {graded.path}:\n{graded.run.stderr[-3000:]}"
    assert got == pytest.approx(expected), (
        f"{student} on {graded.path}: {got}, expected {expected}\n"
        + (printed(graded.notebooks[student])[-3000:] if student in graded.notebooks else ""))


def test_gradebook_holds_exactly_the_class(graded: Graded) -> None:
    if graded.path == "grade":
        pytest.skip("dl4text grade has no gradebook")
    n = len(graded.students)
    assert set(graded.points) == set(graded.students)
    for student, cells in graded.points.items():
        assert set(cells) == {"test_double", "test_answer"}, (student, cells)
    # three graded cells per submission: test_double, test_answer and the manual `why`
    assert gradebook_rows(graded.root) == {"student": n, "submitted_assignment": n, "submitted_notebook": n,
                                           "grade": 3 * n}


# -- what must be as it was ------------------------------------------------------------------------------------

def test_course_material_is_byte_identical(graded: Graded) -> None:
    assert graded.after.graders == graded.before.graders
    assert graded.after.source == graded.before.source
    assert (graded.root / "grader_tests" / f"test_{ASSIGNMENT}.py").read_bytes() == \
        (HERE / "sample_graders.py").read_bytes()


def test_kit_environment_unchanged(graded: Graded) -> None:
    assert changed(graded.before.kit, graded.after.kit) == []
    assert graded.after.kit_marked == []


def test_data_cache_unchanged(graded: Graded) -> None:
    assert cache_changes(graded.before.cache, graded.after.cache) == []


def test_real_home_unchanged(graded: Graded) -> None:
    assert changed(graded.before.home, graded.after.home) == []


def test_nothing_planted_outside_the_sandbox(graded: Graded) -> None:
    assert graded.undone == []


def test_no_process_of_an_attack_survives(graded: Graded) -> None:
    assert graded.left_running == []


def test_no_connection_reaches_the_test(graded: Graded) -> None:
    assert graded.arrived == []


def test_grading_processes_stay_bounded(graded: Graded) -> None:
    assert graded.run.peak_rss < MAX_GRADING_RSS, f"{graded.run.peak_rss / 1024**2:.0f} MiB"


# -- each attack, from inside -------------------------------------------------------------------------------------

@pytest.mark.parametrize("student", sorted(s for s, attack in ATTACKS.items() if attack.prints_done))
def test_attack_cells_ran_to_the_end(graded: Graded, student: str) -> None:
    assert DONE in printed(graded.notebook(student)), printed(graded.notebook(student))[-3000:]


def test_kernel_sees_only_its_own_sandbox(graded: Graded) -> None:
    found = findings(graded.notebook("reads_proc"))
    assert found["outside"] == []
    assert len(found["cmdlines"]) <= 3, found["cmdlines"]  # bwrap's init, the kernel, maybe a helper
    for cmdline in found["cmdlines"].values():
        assert "ipykernel_launcher" in cmdline or cmdline.startswith("/usr/bin/bwrap") \
            or "Error" in cmdline, cmdline
    assert config.LABEL_SEED_ENV not in found["environ1"]
    assert graded.target.course not in found["environ1"]
    assert not found["course_visible"] and not found["cache_visible"]
    assert set(found["home_listing"]) <= kit_names_under(Path(graded.target.home)), found["home_listing"]
    assert "errno" in found["ppid_mem"], f"the kernel read its parent's memory: {found['ppid_mem']}"
    if graded.path == "nbgrader":  # root: the kernel runs under a lent uid
        assert found["uid"] in SANDBOX_UIDS
    else:  # dl4text autograde as root: a fenced uid, and bwrap's own user namespace
        assert found["uid"] in FENCE_UIDS
        assert found["uid_map"] != IDENTITY_MAP


def kit_names_under(home: Path) -> set[str]:
    """The names of HOME's entries that lead to the kit (bound into the sandbox), e.g. ``.pyenv``."""
    names = set()
    for path in kit_paths():
        if path.is_relative_to(home) and path != home:
            names.add(path.relative_to(home).parts[0])
    return names


def test_ptrace_reaches_only_the_sandbox(graded: Graded) -> None:
    found = findings(graded.notebook("ptraces_every_process"))
    assert found["ptrace"], "the attack tried nothing"
    for attempt in found["ptrace"]:
        cmdline = attempt["cmdline"]
        assert "ipykernel_launcher" in cmdline or cmdline.startswith("/usr/bin/bwrap"), attempt
        assert not any(w in cmdline for w in ("pytest", "nbgrader", "dl4text autograde", "dl4text grade")), attempt


def test_probe_wrappers_learnt_the_run_folder_but_planted_nothing_that_counts(graded: Graded) -> None:
    for student in ("wraps_probe_to_plant_conftest", "replaces_probe_pickles"):
        log = findings(graded.notebook(student))["log"]
        probes = [entry for entry in log if entry[0] == "probe"]
        assert len(probes) == 3, f"{student}: the wrapper saw {len(probes)} probe calls"
        assert any("/private" in entry[1] for entry in log if entry[0] != "probe"), "run/private never tried"
        # What it wrote landed in its box or in the sandbox's own tmpfs (where, run as a user of
        # its own, it may create a look-alike run/private): gone with the run folder, never read
        # by the graders (the points show it); nothing of it may exist outside.
        written = {entry[1] for entry in log if entry[0] in ("wrote", "renamed")}
        for path in written:
            assert not Path(path).exists() or MARKER not in Path(path).read_text(errors="replace"), path


def test_grader_source_is_never_shown(graded: Graded) -> None:
    graded.notebook("prints_grader_source")
    assert findings(graded.notebooks["prints_grader_source"])["read"] == []
    source = (HERE / "sample_graders.py").read_text()
    lines = [line.strip() for line in source.splitlines()
             if len(line.strip()) > 25 and not line.strip().startswith(('"""', "from ", "import ", "#", "@"))]
    shown = {f"autograded {s}": printed(nb) for s, nb in graded.notebooks.items()}
    shown.update({f"feedback {s}": html for s, html in graded.feedback.items()})
    for where, text in shown.items():
        for line in lines:
            assert line not in text, f"grader source in the {where}: {line}"
    if graded.path == "nbgrader":
        assert set(graded.feedback) == set(graded.students)


def test_gradebook_is_out_of_reach(graded: Graded) -> None:
    found = findings(graded.notebook("zeroes_other_students_in_gradebook"))["gradebooks"]
    course_db = str(graded.root / "gradebook.db")
    assert isinstance(found[course_db], str) and "unable to open" in found[course_db], found


def test_kit_and_cache_writes_are_refused(graded: Graded) -> None:
    refused = {errno.errorcode[e] for e in (errno.EROFS, errno.EACCES, errno.EPERM)}
    kit = findings(graded.notebook("writes_into_kit"))["kit"]
    assert kit and set(kit.values()) <= refused, kit
    cache = findings(graded.notebooks["writes_into_data_cache"])["cache"]
    assert cache and set(cache.values()) <= refused | {"ENOENT"}, cache


def test_the_kits_own_answers_are_out_of_reach(graded: Graded) -> None:
    """The kernel imports only the student's parts of the kit; the installed kit is hidden."""
    found = findings(graded.notebook("imports_the_kits_answers"))["kit_answers"]
    assert set(found["package"]) <= {"__init__.py", "config.py", "course", "data", "embeddings", "grading"}, found
    assert found["modules"] and "imported" not in found["modules"].values(), found["modules"]
    refused = {errno.errorcode[e] for e in (errno.ENOENT, errno.EACCES, errno.EPERM)}
    assert found["reads"] and set(found["reads"].values()) <= refused, found["reads"]


def test_sandbox_folders_outside_the_box_take_no_memory(graded: Graded) -> None:
    """Outside its box the kernel writes only into small tmpfs mounts (/tmp, /dev/shm, 64 MiB each).

    bwrap's own tmpfs mounts (/ with the folders it made, /dev) are read-only: pages there would
    count against no bound of the kernel (its resident memory, its box's disk space).
    """
    from dl4text.sandbox.bwrap import TMPFS_BYTES

    filled = findings(graded.notebook("fills_sandbox_folders"))["filled"]
    for folder, (total, error) in filled.items():
        small = folder in ("/tmp", "/dev/shm") or folder.startswith("/tmp/")
        assert total <= (TMPFS_BYTES if small else 0) and error, (
            f"the kernel wrote {total / 1024**2:.0f} MiB into {folder}: {filled}")


def test_real_home_is_out_of_reach(graded: Graded) -> None:
    found = findings(graded.notebook("writes_startup_files_into_home"))["home"]
    real = {p: r for p, r in found.items() if p.startswith(graded.target.home + "/")}
    assert real, found
    if graded.path == "nbgrader":  # a lent uid: the sandbox's folders above the kit are root's
        assert "written" not in real.values(), real
    # in bwrap's user namespace the sandbox's / is a tmpfs of its own, so writes there may
    # "succeed": the real HOME is compared before and after (test_real_home_unchanged), and
    # the kernel's HOME holds nothing but the kit's folders (test_kernel_sees_only_its_own_sandbox)


def test_network_is_unreachable_from_inside(graded: Graded) -> None:
    found = findings(graded.notebook("connects_to_the_network"))["network"]
    assert "connected" not in found.values(), found


def test_linked_course_files_never_reach_autograded_or_feedback(graded: Graded) -> None:
    student = "links_course_files_into_its_folder"
    assert findings(graded.notebook(student))["links"]["leaked_source.ipynb"] == "linked"
    autograded = graded.root / "autograded" / student / ASSIGNMENT
    assert sorted(p.name for p in autograded.iterdir() if p.name != "timestamp.txt") == [f"{ASSIGNMENT}.ipynb"]
    for folder in ("autograded", "feedback"):
        for path in (graded.root / folder).rglob("*"):
            assert not path.is_symlink(), path
            assert "leaked" not in path.name, path
    if graded.path == "nbgrader":
        feedback = graded.root / "feedback" / student / ASSIGNMENT
        assert [p.name for p in feedback.iterdir()] == [f"{ASSIGNMENT}.html"]


def test_flooded_notebook_stays_small(graded: Graded) -> None:
    if graded.path == "grade":
        assert len(graded.run.stdout) < 1024**2
        return
    path = graded.root / "autograded" / "floods_stdout" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert path.stat().st_size < 10 * 1024**2


@pytest.mark.xfail(strict=True, reason=(
    "engine bug: a kernel message over MAX_MESSAGE_BYTES makes ZMQ drop the client's iopub connection "
    "for good (libzmq ends a session on a protocol error without reconnecting), so every later output "
    "is lost and every later cell waits iopub_timeout (4 s) for its idle message; see "
    "docs/malicious-submissions.md"))
def test_output_after_a_flood_is_kept(graded: Graded) -> None:
    assert AFTER_FLOOD in printed(graded.notebook("floods_stdout"))


def test_the_class_is_what_the_tests_expect() -> None:
    assert set(expected_points()) == set(ATTACKS) | set(PLAIN)
    assert sorted(expected_points())[-1] == "zz_next_student"
