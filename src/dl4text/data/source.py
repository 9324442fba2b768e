"""Where the IMDB data comes from.

In this order: an explicit path; the ``DL4TEXT_IMDB`` environment variable (the tarball
or an extracted ``aclImdb/`` folder); ``aclImdb_v1.tar.gz`` in the cache folder;
otherwise a download of the official archive into the cache folder.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from dl4text import config
from dl4text.data.download import download
from dl4text.data.errors import DataError

ARCHIVE_NAME = "aclImdb_v1.tar.gz"
CHECKSUMS_DIR = "checksums"


def locate_imdb(path: str | os.PathLike[str] | None = None, *, allow_download: bool = True) -> Path:
    """Return the path of the IMDB tarball or folder to read, downloading it if need be."""
    if path is not None:
        return _existing(Path(path), "the path given")
    env = os.environ.get(config.IMDB_ENV)
    if env:
        return _existing(Path(env), f"{config.IMDB_ENV}")
    cached = config.cache_dir() / ARCHIVE_NAME
    if cached.is_file():
        return cached
    if not allow_download:
        raise DataError(f"No IMDB data: set {config.IMDB_ENV} to aclImdb_v1.tar.gz.")
    return download(config.imdb_url(), cached)


def _existing(path: Path, what: str) -> Path:
    path = path.expanduser()
    if not path.exists():
        raise DataError(
            f"{what} names {path}, which does not exist. Point it at aclImdb_v1.tar.gz "
            "or at the extracted aclImdb/ folder.")
    return path.resolve()


def fingerprint(source: Path) -> str:
    """Return a checksum of the data at ``source``, stable while its content is unchanged.

    A tarball's fingerprint is its sha256, remembered in the cache under its path, size and
    modification time so that it is computed once: one small file per tarball, written once
    and never rewritten, so processes that fingerprint other tarballs touch nothing of it.
    A folder's fingerprint hashes the names, sizes and modification times of its review files.
    """
    if source.is_dir():
        digest = hashlib.sha256()
        for file in sorted(source.rglob("*.txt")):
            stat = file.stat()
            digest.update(f"{file.relative_to(source)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
        return "dir-" + digest.hexdigest()
    stat = source.stat()
    key = f"{source}|{stat.st_size}|{stat.st_mtime_ns}"
    memo_file = config.cache_dir() / CHECKSUMS_DIR / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".sha256")
    try:
        remembered = memo_file.read_text().strip()
    except OSError:
        remembered = ""
    if len(remembered) == 64:
        return remembered
    digest = hashlib.sha256()
    with source.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    value = digest.hexdigest()
    memo_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = memo_file.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(value)
    os.replace(tmp, memo_file)
    return value
