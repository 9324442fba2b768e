"""Reference arrays the graders build from public data, kept in the kit's cache between gradings.

Some of what the graders compare a submission with depends only on public inputs: a2's aligned
matrix of the course's word vectors depends on the vectors and the course's word index. Each
grading built it again (a2: 0.8 s of its graders' 3 s, most of it reading GloVe's 400,000
words). :func:`cached_array` keeps it as a ``.npy`` file under ``graders/`` in the kit's cache,
named by a digest of a key that changes with the inputs.

The cache is on the trusted side: a graded kernel sees none of the real cache (only its data
view, :mod:`dl4text.grading.data_view`), so a submission can neither read these files nor put
one there. Only a run with ``--no-sandbox`` (trusted notebooks only) lets a notebook's code
reach them. A file that cannot be read is built again; a cache that cannot be written is
skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from dl4text import config

REFERENCE_DIR = "graders"


def reference_path(name: str, key: str) -> Path:
    """Where :func:`cached_array` keeps ``name`` for ``key`` (a digest of it in the file name)."""
    digest = hashlib.sha256(f"{name}\n{key}".encode()).hexdigest()[:24]
    return config.cache_dir() / REFERENCE_DIR / f"{name}-{digest}.npy"


def cached_array(name: str, key: str, build: Callable[[], np.ndarray]) -> np.ndarray:
    """The array ``build()`` returns for ``key``: read from the cache, or built and cached.

    ``key`` must name every input the array depends on (a change of any of them, a new file).
    """
    path = reference_path(name, key)
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError):
        pass
    array = np.asarray(build())
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(mode=0o700, exist_ok=True)
        with tmp.open("wb") as handle:
            np.save(handle, array, allow_pickle=False)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return array
