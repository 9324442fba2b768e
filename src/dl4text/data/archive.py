"""Reading reviews out of the IMDB archive (the tarball, or an extracted ``aclImdb/`` folder).

Both have the official layout ``aclImdb/{train,test}/{pos,neg,unsup}/<id>_<rating>.txt``.
Reviews come back in a fixed order: split, then ``neg`` before ``pos``, then by numeric id.
"""

from __future__ import annotations

import bz2
import lzma
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from dl4text.data import gunzip
from dl4text.data.errors import DataError
from dl4text.data.gunzip import BlockReader, gzip_blocks, in_background
from dl4text.data.tarstream import TarFormatError, iter_files

_MEMBER = re.compile(r"(?:^|/)aclImdb/(train|test)/(pos|neg|unsup)/(\d+)_(\d+)\.txt$")
SPLITS = ("train", "test", "unsup")


@dataclass(frozen=True)
class Review:
    """One review file: its split, folder (``pos``, ``neg`` or ``unsup``), id, rating and text."""

    split: str
    folder: str
    id: int
    rating: int
    text: str

    @property
    def label(self) -> int:
        """1 for a positive review, 0 for a negative one (-1 for an unlabelled one)."""
        return {"pos": 1, "neg": 0}.get(self.folder, -1)


def read_reviews(source: Path, splits: tuple[str, ...] = SPLITS) -> dict[str, list[Review]]:
    """Read every review of ``splits`` from ``source`` (a tarball or a folder), sorted.

    ``train`` holds the labelled training reviews, ``test`` the test reviews and
    ``unsup`` the 50,000 unlabelled ones (stored under ``train/unsup``).
    Raises :class:`DataError` for a truncated, corrupt or unrecognised archive.
    """
    wanted = set(splits)
    found: dict[str, list[Review]] = {s: [] for s in splits}
    for review in _iter_source(source, wanted):
        found[review.split].append(review)
    for split, reviews in found.items():
        if not reviews:
            raise DataError(
                f"{source} holds no '{split}' reviews: it is not the IMDB archive "
                "(expected aclImdb/train/pos/*.txt, aclImdb/test/neg/*.txt, ...).")
        reviews.sort(key=lambda r: (r.folder != "neg", r.folder, r.id))
    return found


def _split_of(match: re.Match[str]) -> str:
    split, folder = match.group(1), match.group(2)
    return "unsup" if folder == "unsup" else split


def _iter_source(source: Path, wanted: set[str]) -> Iterator[Review]:
    if source.is_dir():
        yield from _iter_folder(source, wanted)
    else:
        yield from _iter_tarball(source, wanted)


def _iter_folder(folder: Path, wanted: set[str]) -> Iterator[Review]:
    root = folder if (folder / "train").is_dir() else folder / "aclImdb"
    for path in root.glob("*/*/*.txt"):
        match = _MEMBER.search("aclImdb/" + path.relative_to(root).as_posix())
        if match and _split_of(match) in wanted:
            yield _review(match, path.read_bytes())


def _iter_tarball(path: Path, wanted: set[str]) -> Iterator[Review]:
    def select(name: str) -> re.Match[str] | None:
        match = _MEMBER.search(name) if name.endswith(".txt") else None
        return match if match is not None and _split_of(match) in wanted else None

    try:
        # Read in one pass, start to end, with our own lean tar reader (tarfile parses every
        # header in full: most of the time for 100,000 small members). The decompression is
        # ours too (gzip: zlib in large blocks, in a second thread), and the compressed
        # stream is read to its end, so that gzip/bz2/xz check their end marker (and CRC)
        # and a truncated archive raises instead of quietly losing its last reviews.
        stream, crc_checked = _decompressed(path)
        with stream:
            for match, raw in iter_files(stream, select, check_headers=not crc_checked):
                yield _review(match, raw)
            while stream.read(1 << 16):
                pass
    except (TarFormatError, EOFError, zlib.error, lzma.LZMAError, OSError) as exc:
        raise DataError(
            f"The IMDB archive {path} is truncated or corrupt ({type(exc).__name__}: {exc}). "
            "Download aclImdb_v1.tar.gz again and point DL4TEXT_IMDB at it.") from None


def _decompressed(path: Path) -> tuple[BinaryIO, bool]:
    """Open ``path`` for reading, decompressed when it is gzip, bzip2 or xz (told by its magic).

    The flag says whether the decompressor checks a CRC of all the bytes it gives (gzip and
    bzip2 always do; xz may be written without a check, an uncompressed tar has none).
    """
    with path.open("rb") as handle:
        magic = handle.read(6)
    if magic.startswith(b"\x1f\x8b"):
        blocks = gzip_blocks(path)
        return BlockReader(in_background(blocks) if gunzip.BACKGROUND else blocks), True
    if magic.startswith(b"BZh"):
        return bz2.open(path, "rb"), True
    if magic.startswith(b"\xfd7zXZ\x00"):
        return lzma.open(path, "rb"), False
    return path.open("rb"), False


def _review(match: re.Match[str], raw: bytes) -> Review:
    return Review(split=_split_of(match), folder=match.group(2), id=int(match.group(3)),
                  rating=int(match.group(4)), text=raw.decode("utf-8", errors="replace"))
