"""Settings read from the environment, in one place.

| variable | meaning | default |
| --- | --- | --- |
| ``DL4TEXT_IMDB`` | the IMDB tarball or an extracted ``aclImdb/`` folder | look in the cache, then download |
| ``DL4TEXT_IMDB_URL`` | where to download ``aclImdb_v1.tar.gz`` from | the dataset's home page |
| ``DL4TEXT_CACHE`` | folder for the encoded corpus, downloads and trained vectors | the user cache folder |
| ``DL4TEXT_FAST`` | ``1`` selects the fast mode: fewer reviews and epochs, lower thresholds | off |
| ``DL4TEXT_VECTORS`` | default word vectors for :func:`dl4text.embeddings.load_vectors` | ``glove-50`` |
| ``DL4TEXT_CORPUS`` | an encoded corpus file to read instead of the archive (the grading view, see :mod:`dl4text.grading.data_view`); the raw reviews are then unavailable | unset: read the archive |
| ``DL4TEXT_SEED`` | the seed of :func:`dl4text.course.seed_everything` when a notebook gives none (``dl4text solutions --seeds`` sets it) | ``0`` |
| ``DL4TEXT_LABEL_SEED`` | set for the hidden graders only: the secret seed of the grading view the kernel ran under, so that graders can rebuild the test labels it saw | unset: not graded under a view |
| ``DL4TEXT_WARM_GRADERS`` | ``0`` runs the hidden graders in a new process per notebook (cold) instead of a fork of the grading process's warm graders' server (:mod:`dl4text.grading.warm`) | on |
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

IMDB_ENV = "DL4TEXT_IMDB"
IMDB_URL_ENV = "DL4TEXT_IMDB_URL"
CACHE_ENV = "DL4TEXT_CACHE"
FAST_ENV = "DL4TEXT_FAST"
VECTORS_ENV = "DL4TEXT_VECTORS"
CORPUS_ENV = "DL4TEXT_CORPUS"
LABEL_SEED_ENV = "DL4TEXT_LABEL_SEED"
SEED_ENV = "DL4TEXT_SEED"
WARM_GRADERS_ENV = "DL4TEXT_WARM_GRADERS"

IMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"


def cache_dir() -> Path:
    """Return the kit's cache folder (``DL4TEXT_CACHE`` or the platform's user cache), created."""
    raw = os.environ.get(CACHE_ENV)
    path = Path(raw).expanduser() if raw else Path(platformdirs.user_cache_dir("dl4text"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def imdb_url() -> str:
    """Return the URL the IMDB archive is downloaded from."""
    return os.environ.get(IMDB_URL_ENV) or IMDB_URL


def corpus_file() -> Path | None:
    """Return the encoded corpus file named by ``DL4TEXT_CORPUS``, or None when it is unset."""
    raw = os.environ.get(CORPUS_ENV, "").strip()
    return Path(raw).expanduser() if raw else None


def label_seed() -> int | None:
    """Return the grading view's seed from ``DL4TEXT_LABEL_SEED`` (graders only), or None."""
    raw = os.environ.get(LABEL_SEED_ENV, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{LABEL_SEED_ENV}={raw!r} is not an integer seed") from None


def fast_mode() -> bool:
    """True when ``DL4TEXT_FAST`` asks for the fast mode (fewer reviews and epochs)."""
    return os.environ.get(FAST_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def training_seed() -> int:
    """Return the training seed from ``DL4TEXT_SEED`` (default 0)."""
    raw = os.environ.get(SEED_ENV, "").strip()
    if not raw:
        return 0
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{SEED_ENV}={raw!r} is not an integer seed") from None


def warm_graders() -> bool:
    """False when ``DL4TEXT_WARM_GRADERS`` is ``0`` (or false/no/off): graders in a new process each time."""
    return os.environ.get(WARM_GRADERS_ENV, "1").strip().lower() not in {"0", "false", "no", "off"}
