"""Word2Vec vectors trained on the IMDB reviews themselves, trained once and cached.

The corpus is the 50,000 unlabelled reviews plus the 25,000 training reviews (never the
test reviews), tokenised with :func:`dl4text.data.tokenize`. The cache file lives in
:func:`dl4text.config.cache_dir` and is keyed by the archive's fingerprint, the tokeniser
version and the training parameters (``workers`` excepted: it changes the speed, not the
model), so other data or other parameters train a new model. It is written atomically
(a partial file never stays behind) and a cache file that cannot be read is retrained.

On 2 cores the default parameters train in about 90 s.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from gensim.models import KeyedVectors, Word2Vec

from dl4text import config
from dl4text.data import load_texts, load_unsup, tokenize
from dl4text.data.corpus import source_fingerprint
from dl4text.data.source import locate_imdb
from dl4text.data.tokenizer import TOKENIZER_VERSION
from dl4text.embeddings.errors import VectorsError
from dl4text.embeddings.keyed import keyed_vectors

log = logging.getLogger(__name__)

PathLike = str | os.PathLike[str] | None

DEFAULTS: dict[str, Any] = {"vector_size": 100, "window": 5, "min_count": 5, "workers": 2,
                            "epochs": 5, "seed": 0}
_NOT_IN_KEY = frozenset({"workers"})


def imdb_sentences(path: PathLike = None) -> list[list[str]]:
    """Return the unlabelled and training reviews of the archive as lists of words."""
    texts = load_unsup(path=path)
    texts += load_texts("train", path=path)[0]
    pool: dict[str, str] = {}
    intern = pool.setdefault  # one str object per distinct word, not one per occurrence
    return [[intern(word, word) for word in tokenize(text)] for text in texts]


def train_imdb_word2vec(path: PathLike = None, *, vector_size: int = 100, window: int = 5,
                        min_count: int = 5, workers: int = 2, epochs: int = 5, seed: int = 0,
                        **word2vec_kwargs: Any) -> KeyedVectors:
    """Train Word2Vec on the IMDB unlabelled and training reviews; no cache involved.

    ``path`` is the IMDB archive (see :func:`dl4text.data.source.locate_imdb`); the other
    arguments, and any further ``gensim.models.Word2Vec`` argument, go to Word2Vec.
    ``seed`` fixes the initial vectors; with ``workers=1`` a run repeats exactly (more
    workers train faster, in an order that varies from run to run).
    Raises :class:`VectorsError` when no word occurs ``min_count`` times.
    """
    sentences = imdb_sentences(path)
    model = Word2Vec(vector_size=vector_size, window=window, min_count=min_count,
                     workers=workers, epochs=epochs, seed=seed, **word2vec_kwargs)
    model.build_vocab(sentences)
    if len(model.wv) == 0:
        raise VectorsError(
            f"No word occurs min_count={min_count} times in the {len(sentences)} IMDB reviews "
            f"of {locate_imdb(path)}: lower min_count.")
    model.train(sentences, total_examples=model.corpus_count, epochs=model.epochs)
    return model.wv


def cache_path(path: PathLike = None, **params: Any) -> Path:
    """Return the cache file of the vectors trained on ``path`` with ``params`` (plus defaults)."""
    params = {**DEFAULTS, **params}
    key = {name: value for name, value in params.items() if name not in _NOT_IN_KEY}
    key["tokenizer"] = TOKENIZER_VERSION
    digest = hashlib.sha256(json.dumps(key, sort_keys=True, default=repr).encode()).hexdigest()
    data = source_fingerprint(path)  # of the archive, also under DL4TEXT_CORPUS (grading)
    return config.cache_dir() / f"imdb-word2vec-{data[:16]}-{digest[:12]}.npz"


def load_imdb_word2vec(path: PathLike = None, *, retrain: bool = False,
                       **params: Any) -> KeyedVectors:
    """Return the IMDB Word2Vec vectors: from the cache, or trained (first use) and cached.

    ``params`` override :data:`DEFAULTS` (``vector_size=100, window=5, min_count=5,
    workers=2, epochs=5, seed=0``) and may add any ``gensim.models.Word2Vec`` argument;
    ``retrain=True`` ignores the cache.
    """
    params = {**DEFAULTS, **params}
    target = cache_path(path, **params)
    if target.exists() and not retrain:
        try:
            return _read(target, params["vector_size"])
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, VectorsError) as exc:
            log.warning("The cached vectors %s cannot be read (%s): training them again.",
                        target, exc)
            target.unlink(missing_ok=True)
    log.info("Training Word2Vec on the IMDB reviews (%s); cached in %s.", params, target)
    kv = train_imdb_word2vec(path, **params)
    _write(kv, target)
    return kv


def _write(kv: KeyedVectors, target: Path) -> None:
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as handle:
            np.savez(handle, vectors=np.asarray(kv.vectors, dtype=np.float32),
                     words=np.frombuffer("\n".join(kv.index_to_key).encode("utf-8"),
                                         dtype=np.uint8))
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _read(target: Path, vector_size: int) -> KeyedVectors:
    with np.load(target, allow_pickle=False) as data:
        vectors = data["vectors"]
        words = data["words"].tobytes().decode("utf-8").split("\n")
    if vectors.ndim != 2 or vectors.shape != (len(words), vector_size) or not words[0]:
        raise ValueError(f"vectors of shape {vectors.shape} for {len(words)} words")
    return keyed_vectors(words, vectors)
