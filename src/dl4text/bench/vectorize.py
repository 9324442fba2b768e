"""Vectorising: :func:`dl4text.grading.multihot.multi_hot` against the notes' ``vectorize_sequences``.

Both turn the 25,000 training reviews (``load_imdb(num_words=10000)``) into multi-hot rows,
each called once in a fresh process, as a student's kernel calls it: the time of the call
and the peak resident memory it adds to the process (Linux: the peak is reset just before
the call). ``--repeat`` calls it again in the same process (for a look at the second call,
which is much faster: the pages are mapped already).

Child: ``python -m dl4text.bench.vectorize {notes,kit} [--repeat N]``.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections.abc import Sequence

import numpy as np

from dl4text.bench.child import ChildResult, emit, peak_mb, reset_peak, rss_mb, run_module
from dl4text.bench.data import best
from dl4text.bench.report import Comparison
from dl4text.data.vocabulary import VOCABULARY_SIZE

BASELINE = "the notes' vectorize_sequences (float64, Python loop)"


def vectorize_sequences(sequences: Sequence[Sequence[int]], dimension: int = VOCABULARY_SIZE) -> np.ndarray:
    """The lecture notes' version, as written there: a float64 matrix filled row by row."""
    results = np.zeros((len(sequences), dimension))
    for i, sequence in enumerate(sequences):
        results[i, sequence] = 1.
    return results


def _child(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dl4text.bench.vectorize")
    parser.add_argument("which", choices=["notes", "kit"])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    from dl4text.data import load_imdb
    from dl4text.grading.multihot import multi_hot

    (x_train, _), _ = load_imdb(num_words=VOCABULARY_SIZE)
    function = vectorize_sequences if args.which == "notes" else multi_hot
    seconds, added, nbytes, dtype = [], 0.0, 0, ""
    for _ in range(max(1, args.repeat)):
        gc.collect()
        before = rss_mb()
        exact = reset_peak()
        started = time.perf_counter()
        matrix = function(x_train)
        seconds.append(time.perf_counter() - started)
        added = max(added, peak_mb() - before) if exact else added
        nbytes, dtype = matrix.nbytes, str(matrix.dtype)
        del matrix
    emit({"seconds": min(seconds), "all_seconds": seconds, "peak_added_mb": added if exact else None,
          "matrix_mb": nbytes / 2 ** 20, "dtype": dtype, "reviews": len(x_train)})


def measure(*, quick: bool) -> list[Comparison]:
    """Time and peak memory of one call in a fresh process, as in a student's kernel.

    Best of 1 (quick) or 3 (full) fresh processes each, interleaved. A second call in the
    same process is much faster (the memory pages are already mapped), so it is not used.
    """
    rounds = 1 if quick else 3
    runs: dict[str, list[ChildResult]] = {"notes": [], "kit": []}
    for _ in range(rounds):
        for which in runs:
            runs[which].append(run_module("dl4text.bench.vectorize", which))
    notes, kit = best(runs["notes"]), best(runs["kit"])
    scope = f"25,000 training reviews, first call in a fresh process, best of {rounds}"
    memory_note = ""
    if notes.ok and kit.ok:
        memory_note = (f"matrix {notes.report.get('matrix_mb', 0):,.0f} MB "
                       f"{notes.report.get('dtype')} vs {kit.report.get('matrix_mb', 0):,.0f} MB "
                       f"{kit.report.get('dtype')}")
    rows = [
        Comparison.from_children("vectorize", "multi_hot: time", BASELINE, notes, kit, key="seconds",
                                 note=scope),
        Comparison.from_children("vectorize", "multi_hot: peak memory added", BASELINE, notes, kit,
                                 key="peak_added_mb", unit="MB", note=memory_note),
    ]
    rows[0].details["rounds"] = {which: [c.report.get("seconds") for c in children]
                                 for which, children in runs.items()}
    return rows


if __name__ == "__main__":
    _child(sys.argv[1:])
    sys.stdout.flush()
    os._exit(0)
