"""The encoded corpus: every labelled review as word ranks, cached on disk.

Ranks are 1-based positions in the vocabulary of the *training* reviews, most frequent
first, ties broken alphabetically (so the encoding is deterministic). A test-review word
that never occurs in the training reviews is stored as :data:`UNKNOWN` (-1) and always
becomes the out-of-vocabulary id in :func:`dl4text.data.load_imdb`.

The cache file is keyed by the source's checksum and the tokeniser's version; it is
written atomically, and a cache file that cannot be read is rebuilt.
"""

from __future__ import annotations

import os
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from itertools import chain, repeat
from pathlib import Path

import numpy as np

from dl4text import config
from dl4text.data.archive import read_reviews
from dl4text.data.errors import DataError
from dl4text.data.source import fingerprint, locate_imdb
from dl4text.data.tokenizer import TOKENIZER_VERSION, tokenize

UNKNOWN = -1


@dataclass
class EncodedSplit:
    """One split as a flat array of ranks with row offsets (row ``i`` is ``flat[offsets[i]:offsets[i+1]]``)."""

    flat: np.ndarray
    offsets: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)


@dataclass
class EncodedCorpus:
    """The training and test splits and the vocabulary (index 0 holds rank 1)."""

    train: EncodedSplit
    test: EncodedSplit
    vocabulary: list[str]


def cache_path(source: Path) -> Path:
    """Return the cache file for ``source`` under the current tokeniser."""
    return config.cache_dir() / f"imdb-{fingerprint(source)[:24]}-tok{TOKENIZER_VERSION}.npz"


def load_corpus(source: Path) -> EncodedCorpus:
    """Return the encoded corpus of ``source``, from the cache when it is there and sound."""
    path = cache_path(source)
    if path.exists():
        try:
            return _read(path)
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            path.unlink(missing_ok=True)  # corrupt: rebuilt below
    corpus = encode(source)
    _write(corpus, path)
    return corpus


def encode(source: Path) -> EncodedCorpus:
    """Tokenise and encode the labelled reviews of ``source`` (no cache involved)."""
    reviews = read_reviews(source, ("train", "test"))
    train_tokens = [tokenize(r.text) for r in reviews["train"]]
    test_tokens = [tokenize(r.text) for r in reviews["test"]]
    # One pass over the training words gives each word a provisional id (the order in which
    # it is first seen) and the array of those ids, all in C; the counts come from the array.
    first_seen: defaultdict[str, int] = defaultdict()
    first_seen.default_factory = first_seen.__len__  # a new word gets the next id
    # (a list first, then an array: much faster than np.fromiter on the map)
    train_ids = np.array(list(map(first_seen.__getitem__, chain.from_iterable(train_tokens))),
                         dtype=np.int64)
    test_ids = np.array(list(map(first_seen.get, chain.from_iterable(test_tokens), repeat(-1))),
                        dtype=np.int64)
    words = list(first_seen)
    counts = np.bincount(train_ids, minlength=len(words))
    # most frequent first, ties alphabetically: sorted by word, then stably by count
    by_word = np.array(sorted(range(len(words)), key=words.__getitem__), dtype=np.int64)
    order = by_word[np.argsort(-counts[by_word], kind="stable")]
    # rank_of[provisional id] is the word's rank; the extra last entry, UNKNOWN, is what the
    # id -1 of a test word never seen in training picks
    rank_of = np.full(len(words) + 1, UNKNOWN, dtype=np.int32)
    rank_of[order] = np.arange(1, len(words) + 1, dtype=np.int32)
    return EncodedCorpus(
        train=EncodedSplit(flat=rank_of[train_ids], offsets=_offsets(train_tokens),
                           labels=np.array([r.label for r in reviews["train"]], dtype=np.uint8)),
        test=EncodedSplit(flat=rank_of[test_ids], offsets=_offsets(test_tokens),
                          labels=np.array([r.label for r in reviews["test"]], dtype=np.uint8)),
        vocabulary=[words[i] for i in order.tolist()],
    )


def _offsets(tokens: list[list[str]]) -> np.ndarray:
    """Row offsets of the token lists: ``0, len(tokens[0]), len(tokens[0]) + len(tokens[1]), ...``."""
    offsets = np.zeros(len(tokens) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens)), out=offsets[1:])
    return offsets


def _write(corpus: EncodedCorpus, path: Path, *, source_fingerprint: str = "") -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    extra = ({"source_fingerprint": np.frombuffer(source_fingerprint.encode("ascii"), dtype=np.uint8)}
             if source_fingerprint else {})
    with tmp.open("wb") as handle:
        np.savez(
            handle,
            train_flat=corpus.train.flat, train_offsets=corpus.train.offsets,
            train_labels=corpus.train.labels,
            test_flat=corpus.test.flat, test_offsets=corpus.test.offsets,
            test_labels=corpus.test.labels,
            vocabulary=np.frombuffer("\n".join(corpus.vocabulary).encode("utf-8"), dtype=np.uint8),
            **extra,
        )
    os.replace(tmp, path)


def _read(path: Path) -> EncodedCorpus:
    with np.load(path, allow_pickle=False) as data:
        splits = {
            name: EncodedSplit(flat=data[f"{name}_flat"], offsets=data[f"{name}_offsets"],
                               labels=data[f"{name}_labels"])
            for name in ("train", "test")
        }
        vocabulary = data["vocabulary"].tobytes().decode("utf-8").split("\n")
    for split in splits.values():
        if split.offsets[-1] != len(split.flat) or len(split.offsets) != len(split.labels) + 1:
            raise ValueError("inconsistent cache")
    return EncodedCorpus(train=splits["train"], test=splits["test"], vocabulary=vocabulary)


# -- corpus files named explicitly (DL4TEXT_CORPUS: the grading view) -----------------------------
def write_corpus_file(corpus: EncodedCorpus, path: Path, *, source_fingerprint: str) -> None:
    """Write ``corpus`` to ``path`` (atomically), with the fingerprint of the archive it came from.

    The fingerprint lets code that keys its caches by the archive (the IMDB Word2Vec vectors)
    find them without the archive; see :func:`corpus_fingerprint`.
    """
    _write(corpus, Path(path), source_fingerprint=source_fingerprint)


def read_corpus_file(path: Path) -> EncodedCorpus:
    """Read a corpus file written by :func:`write_corpus_file`; a :class:`DataError` if it cannot."""
    path = Path(path)
    try:
        return _read(path)
    except FileNotFoundError:
        raise DataError(f"{config.CORPUS_ENV} names {path}, which does not exist.") from None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise DataError(f"{config.CORPUS_ENV} names {path}, which is not a readable encoded "
                        f"corpus ({type(exc).__name__}: {exc}).") from None


def corpus_fingerprint(path: Path) -> str:
    """Return the fingerprint of the archive that the corpus file ``path`` was encoded from."""
    try:
        with np.load(Path(path), allow_pickle=False) as data:
            return data["source_fingerprint"].tobytes().decode("ascii")
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise DataError(f"{config.CORPUS_ENV} names {path}, which does not say which archive it "
                        f"was encoded from ({type(exc).__name__}: {exc}).") from None


def source_fingerprint(path: str | os.PathLike[str] | None = None) -> str:
    """The fingerprint of the IMDB data in use: of ``path``, else of the archive behind
    ``DL4TEXT_CORPUS`` when it is set (read from the corpus file), else of the usual source."""
    corpus = config.corpus_file() if path is None else None
    if corpus is not None:
        return corpus_fingerprint(corpus)
    return fingerprint(locate_imdb(path))
