"""Loading the data: ``load_imdb(num_words=10000)`` cold and warm against a plain loop.

The baseline is what a course assistant would write: the archive extracted once (outside
the timing), then for each review file: read it, tokenise it with the kit's own
:func:`dl4text.data.tokenize`, count the training words, rank them, encode both splits as
Keras does (start id 1, out-of-vocabulary id 2, word of rank ``r`` as ``r + 3``). The kit,
cold, reads the tarball with an empty ``DL4TEXT_CACHE``; warm, it reads the cache the cold
run wrote. Each run is a fresh process; the figure is the call's time in it.

The baseline is single-threaded. The kit, cold, inflates the gzip stream in a second thread
(:mod:`dl4text.data.gunzip`) while the main thread parses the tar: it is measured so and,
in a row of its own, with that thread turned off (one core, like the baseline).

Child: ``python -m dl4text.bench.data baseline FOLDER``, ``python -m dl4text.bench.data kit``
or ``... kit-one-thread`` (the kit reads ``DL4TEXT_IMDB`` and ``DL4TEXT_CACHE``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import time
from collections import Counter
from pathlib import Path

from dl4text.bench.child import ChildResult, child_env, emit, run_module
from dl4text.bench.report import Comparison
from dl4text.bench.targets import COLD_LOAD
from dl4text.data.vocabulary import VOCABULARY_SIZE

NUM_WORDS = VOCABULARY_SIZE
LABELLED = ("train/pos", "train/neg", "test/pos", "test/neg")
ROUNDS = 2  # each of the three runs twice, interleaved; the best counts (once in the quick run)
QUICK_IDS = 2000  # the quick run keeps reviews with id < 2000 in each folder: 8,000 of 50,000
BASELINE = "plain loop over the extracted files"


# -- the two loaders, child side ------------------------------------------------------------
def baseline_load(folder: Path, num_words: int = NUM_WORDS) -> dict[str, list]:
    """The plain baseline: read, tokenise, count, rank and encode the labelled reviews of ``folder``."""
    from dl4text.data import tokenize

    tokens: dict[str, list[list[str]]] = {"train": [], "test": []}
    labels: dict[str, list[int]] = {"train": [], "test": []}
    for split in ("train", "test"):
        for label, polarity in ((0, "neg"), (1, "pos")):
            for path in sorted((folder / split / polarity).glob("*.txt")):
                with open(path, encoding="utf-8", errors="replace") as handle:
                    tokens[split].append(tokenize(handle.read()))
                labels[split].append(label)
    counts = Counter()
    for words in tokens["train"]:
        counts.update(words)
    ranked = sorted(counts, key=lambda w: (-counts[w], w))
    ids = {word: rank + 3 for rank, word in enumerate(ranked, start=1) if rank + 3 < num_words}
    result: dict[str, list] = {}
    for split in ("train", "test"):
        result[f"x_{split}"] = [[1] + [ids.get(w, 2) for w in words] for words in tokens[split]]
        result[f"y_{split}"] = labels[split]
    return result


def _child(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dl4text.bench.data")
    parser.add_argument("which", choices=["baseline", "kit", "kit-one-thread"])
    parser.add_argument("folder", nargs="?", type=Path)
    args = parser.parse_args(argv)
    if args.which == "baseline":
        import dl4text.data  # noqa: F401 - imported before the clock starts, as the kit's is

        started, cpu = time.perf_counter(), time.process_time()
        result = baseline_load(args.folder)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        x_train, x_test = result["x_train"], result["x_test"]
    else:
        from dl4text.data import gunzip, load_imdb

        gunzip.BACKGROUND = args.which == "kit"
        started, cpu = time.perf_counter(), time.process_time()
        (x_train, _), (x_test, _) = load_imdb(num_words=NUM_WORDS)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    emit({"seconds": seconds, "cpu_seconds": cpu, "reviews": len(x_train) + len(x_test),
          "ids": int(sum(len(x) for x in x_train) + sum(len(x) for x in x_test))})


# -- preparing the inputs, parent side --------------------------------------------------------
def extract_labelled(archive: Path, target: Path, *, below_id: int | None = None) -> Path:
    """Extract the labelled reviews of ``archive`` into ``target``; return the ``aclImdb`` folder.

    ``below_id`` keeps only the reviews whose id is below it (the quick run's subset).
    Uses the ``tar`` program when there is one (much faster), else :mod:`tarfile`.
    """
    target.mkdir(parents=True, exist_ok=True)
    if archive.is_dir():
        source = archive if (archive / "train").is_dir() else archive / "aclImdb"
        for part in LABELLED:
            (target / "aclImdb" / part).mkdir(parents=True, exist_ok=True)
            for path in (source / part).glob("*.txt"):
                if below_id is None or int(path.name.split("_")[0]) < below_id:
                    shutil.copy(path, target / "aclImdb" / part / path.name)
        return target / "aclImdb"
    globs = _id_globs(below_id)
    patterns = [f"*aclImdb/{part}/{glob}" for part in LABELLED for glob in globs or []]
    tar = shutil.which("tar")
    done = False
    if tar and globs:
        done = subprocess.run([tar, "-xf", str(archive), "-C", str(target), "--wildcards", *patterns],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
    if not done:
        _extract_with_tarfile(archive, target, below_id)
    found = sorted(target.rglob("aclImdb"))
    if not found:
        raise RuntimeError(f"{archive} holds no aclImdb/ folder")
    return found[0]


def _id_globs(below_id: int | None) -> list[str] | None:
    """Shell patterns of the file names with an id below ``below_id`` (None: any id).

    Works for ``below_id`` of the form ``m * 10**k`` (one leading digit); None otherwise.
    """
    if below_id is None:
        return ["*.txt"]
    text = str(below_id)
    if below_id < 1 or text[1:].strip("0"):
        return None
    k, lead = len(text) - 1, int(text[0])
    globs = ["[0-9]" * length + "_*.txt" for length in range(1, k + 1)]
    if lead > 1:
        globs.append(f"[1-{lead - 1}]" + "[0-9]" * k + "_*.txt")
    return globs


def _extract_with_tarfile(archive: Path, target: Path, below_id: int | None) -> None:
    wanted = tuple(f"aclImdb/{part}/" for part in LABELLED)
    with tarfile.open(archive, "r:*") as tar:
        for member in tar:
            name = member.name.lstrip("./")
            if not member.isfile() or not name.endswith(".txt") or not name.startswith(wanted):
                continue
            if below_id is not None and int(name.rsplit("/", 1)[1].split("_")[0]) >= below_id:
                continue
            out = target / name
            out.parent.mkdir(parents=True, exist_ok=True)
            handle = tar.extractfile(member)
            if handle is not None:
                out.write_bytes(handle.read())


def make_tarball(folder: Path, target: Path) -> Path:
    """Pack the ``aclImdb`` folder ``folder`` into the gzip tarball ``target`` (the quick subset)."""
    tar = shutil.which("tar")
    if tar and folder.name == "aclImdb" and subprocess.run(
            [tar, "-czf", str(target), "-C", str(folder.parent), "aclImdb"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
        return target
    with tarfile.open(target, "w:gz") as tar_file:
        tar_file.add(folder, arcname="aclImdb")
    return target


# -- the measurement, parent side --------------------------------------------------------------
def measure(archive: Path, workdir: Path, *, quick: bool) -> list[Comparison]:
    """Time the baseline, the kit cold and the kit warm, each in a fresh process, best of :data:`ROUNDS`.

    ``quick`` measures once each, on a subset (reviews with id below :data:`QUICK_IDS`, packed into a
    small tarball of the same layout) instead of the whole archive.
    """
    started = time.perf_counter()
    if quick:
        folder = extract_labelled(archive, workdir / "subset", below_id=QUICK_IDS)
        extracted = time.perf_counter() - started
        tarball = make_tarball(folder, workdir / "subset.tar.gz")
        scope = f"quick subset: ids < {QUICK_IDS}"
    else:
        folder = extract_labelled(archive, workdir / "extracted")
        extracted = time.perf_counter() - started
        tarball = archive
        scope = "all 50,000 labelled reviews"
    scope += f"; the baseline's extraction, not in its time, took {extracted:.1f} s"
    runs: dict[str, list[ChildResult]] = {"baseline": [], "cold": [], "cold1": [], "warm": []}
    rounds = 1 if quick else ROUNDS
    for round_ in range(rounds):  # interleaved, so that a burst of load hits all alike
        caches = workdir / f"cache-{round_}", workdir / f"cache-{round_}-one-thread"
        envs = [child_env({"DL4TEXT_IMDB": str(tarball), "DL4TEXT_CACHE": str(cache)})
                for cache in caches]
        for cache in caches:
            cache.mkdir()  # empty: no corpus, no remembered checksum of the tarball
        runs["baseline"].append(run_module("dl4text.bench.data", "baseline", str(folder), env=envs[0]))
        runs["cold"].append(run_module("dl4text.bench.data", "kit", env=envs[0]))
        runs["cold1"].append(run_module("dl4text.bench.data", "kit-one-thread", env=envs[1]))
        runs["warm"].append(run_module("dl4text.bench.data", "kit", env=envs[0]))
    baseline = best(runs["baseline"])
    rows = []
    for label, kind in (("cold: parse the tarball, empty cache", "cold"),
                        ("cold, one thread: parse the tarball, empty cache", "cold1"),
                        ("warm: from the cache", "warm")):
        kit = best(runs[kind])
        measured = f"best of {rounds} rounds" if rounds > 1 else "one round"
        notes = [f"{scope}; {measured}"] if kind == "cold" else [measured]
        if kind == "cold":
            notes.append("the kit inflates the gzip stream in a second thread, the baseline "
                         "uses one; the next row is the kit on one thread")
        cpu = [c.report.get("cpu_seconds") for c in (baseline, kit)]
        if all(isinstance(x, int | float) and x > 0 for x in cpu):  # less swayed by other load
            notes.append(f"CPU time of the call {cpu[1]:.2f} s against {cpu[0]:.2f} s: "
                         f"{cpu[1] / cpu[0]:.2f}")
        if baseline.ok and kit.ok and baseline.report.get("ids") != kit.report.get("ids"):
            notes.append(f"different output: {baseline.report.get('ids')} ids from the baseline, "
                         f"{kit.report.get('ids')} from the kit")
        row = Comparison.from_children("data", f"load_imdb(num_words={NUM_WORDS}) {label}", BASELINE,
                                       baseline, kit, note="; ".join(notes), key="seconds")
        if kind == "cold":
            row.details["claim"] = COLD_LOAD
        row.details["rounds"] = {name: [c.report.get("seconds") for c in runs[name]]
                                 for name in ("baseline", kind)}
        rows.append(row)
    return rows


def best(children: list[ChildResult]) -> ChildResult:
    """The fastest run that succeeded (by its reported seconds), else the first one."""
    ok = [c for c in children if c.ok and isinstance(c.report.get("seconds"), int | float)]
    return min(ok, key=lambda c: c.report["seconds"]) if ok else children[0]


if __name__ == "__main__":
    _child(sys.argv[1:])
    os._exit(0)
