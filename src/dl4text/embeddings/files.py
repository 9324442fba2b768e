"""Word vectors from a file: word2vec format (binary or text) or a gensim ``.kv`` file.

The word2vec format is the one of ``GoogleNews-vectors-negative300.bin.gz``: binary when
the name ends in ``.bin`` or ``.bin.gz``, text otherwise (``.txt``, ``.vec``, ``.txt.gz``
...); ``binary=`` overrides the guess. A ``.kv`` file is one written by
``KeyedVectors.save`` (a pickle: load only files you trust).
"""

from __future__ import annotations

import os
from pathlib import Path

from gensim.models import KeyedVectors

from dl4text.embeddings.errors import VectorsError
from dl4text.embeddings.keyed import head

BINARY_SUFFIXES = (".bin", ".bin.gz")
KV_SUFFIX = ".kv"
ACCEPTED_FILES = ("a word2vec file (binary: .bin or .bin.gz, e.g. "
                  "GoogleNews-vectors-negative300.bin.gz; text: any other name, e.g. .txt, .vec) "
                  "or a gensim .kv file")


def is_binary_name(path: str | os.PathLike[str]) -> bool:
    """True when the file name says binary word2vec format (``.bin`` or ``.bin.gz``)."""
    return Path(path).name.lower().endswith(BINARY_SUFFIXES)


def load_vectors_file(path: str | os.PathLike[str], *, binary: bool | None = None,
                      limit: int | None = None) -> KeyedVectors:
    """Load word vectors from ``path``: word2vec binary or text, or a gensim ``.kv`` file.

    ``binary`` overrides the format guessed from the name; ``limit`` keeps the first
    ``limit`` vectors (the most frequent words in word2vec files) and saves time and memory
    on big files. Raises :class:`VectorsError` for a missing, empty or unreadable file.
    """
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be a positive number of words, not {limit!r}")
    path = Path(path).expanduser()
    if not path.exists():
        raise VectorsError(f"The word vectors file {str(path)!r} does not exist. "
                           f"Accepted: {ACCEPTED_FILES}.")
    if not path.is_file():
        raise VectorsError(f"{str(path)!r} is a folder, not a word vectors file. "
                           f"Accepted: {ACCEPTED_FILES}.")
    is_kv = path.name.lower().endswith(KV_SUFFIX) and binary is None
    use_binary = is_binary_name(path) if binary is None else binary
    kind = ("gensim .kv file" if is_kv
            else f"word2vec {'binary' if use_binary else 'text'} file")
    try:
        if is_kv:
            loaded = KeyedVectors.load(str(path))
            kv = getattr(loaded, "wv", loaded)  # a whole Word2Vec model saved as .kv
            if not isinstance(kv, KeyedVectors):
                raise TypeError(f"it holds a {type(loaded).__name__}, not KeyedVectors")
            kv = head(kv, limit)
        else:
            kv = KeyedVectors.load_word2vec_format(str(path), binary=use_binary, limit=limit)
    except Exception as exc:  # any parse failure means: not such a file
        hint = ""
        if not is_kv and binary is None:
            hint = (" If the file is in the other word2vec format, pass "
                    f"binary={not use_binary}.")
        raise VectorsError(
            f"Cannot read {str(path)!r} as a {kind} ({type(exc).__name__}: {str(exc)[:200]})."
            f"{hint} Accepted: {ACCEPTED_FILES}.") from None
    if len(kv) == 0:
        raise VectorsError(f"{str(path)!r} holds no word vectors. Accepted: {ACCEPTED_FILES}.")
    return kv
