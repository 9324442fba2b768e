"""A lean reader of tar streams: the regular files of a tar, in order, read once from start to end.

:mod:`tarfile` builds a full ``TarInfo`` for every member and parses every field of its
header in Python; for the IMDB archive (100,000 small members) that was most of the
time spent reading it. This reader takes from each 512-byte header only what it needs
(name, size, type), checks the header's checksum, and slices the files' contents out of
large decompressed blocks. It understands the ustar, GNU (``././@LongLink`` names) and
POSIX pax (``path``/``size`` records) formats, which are what ``tar``, ``bsdtar`` and
:mod:`tarfile` write.

Unlike ``tarfile`` in stream mode, it never stops quietly: a stream that ends inside a
header or a member's data, or a header whose checksum is wrong, raises :class:`TarFormatError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO, TypeVar

T = TypeVar("T")
BLOCK = 512
CHUNK = 1 << 20  # decompressed bytes read at a time
_FILE_TYPES = frozenset(b"0\x007")  # regular file, old-style regular file, contiguous file
_SKIPPED_TYPES = frozenset(b"123456gKV")  # links, devices, folders, FIFOs, global pax, labels


class TarFormatError(ValueError):
    """The stream is not a well-formed tar archive (truncated, corrupt or of an unknown kind)."""


class _Blocks:
    """Sequential access to a stream: take or skip ``n`` bytes, in large reads underneath."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._buffer = b""
        self._pos = 0

    def take(self, n: int, *, at_end_ok: bool = False) -> bytes:
        """The next ``n`` bytes; ``b""`` when the stream ends right here and ``at_end_ok``."""
        end = self._pos + n
        if end > len(self._buffer):
            self._fill(n)
            end = self._pos + n
            if end > len(self._buffer):
                if at_end_ok and self._pos == len(self._buffer):
                    return b""
                raise TarFormatError("the tar stream ends inside a member")
        data = self._buffer[self._pos:end]
        self._pos = end
        return data

    def skip(self, n: int) -> None:
        """Pass over the next ``n`` bytes without keeping them."""
        left = len(self._buffer) - self._pos
        if n <= left:
            self._pos += n
            return
        n -= left
        while True:
            chunk = self._stream.read(CHUNK)
            if not chunk:
                self._buffer, self._pos = b"", 0
                raise TarFormatError("the tar stream ends inside a member")
            if len(chunk) >= n:
                self._buffer, self._pos = chunk, n
                return
            n -= len(chunk)

    def _fill(self, n: int) -> None:
        parts = [self._buffer[self._pos:]]
        have = len(parts[0])
        while have < n:
            chunk = self._stream.read(max(CHUNK, n - have))
            if not chunk:
                break
            parts.append(chunk)
            have += len(chunk)
        self._buffer, self._pos = b"".join(parts), 0


def iter_files(stream: BinaryIO, select: Callable[[str], T | None], *,
               check_headers: bool = True) -> Iterator[tuple[T, bytes]]:
    """Yield ``(select(name), content)`` for each regular file of the tar ``stream`` that
    ``select`` keeps (returns something other than None for), in archive order.

    The files ``select`` leaves out are skipped without being copied. Names are decoded as
    UTF-8 (undecodable bytes escaped). ``check_headers=False`` skips the header checksums,
    for a stream whose every byte is checked otherwise (gzip's CRC-32 of the whole
    decompressed stream, read to its end). Raises :class:`TarFormatError` for a truncated
    or malformed archive.
    """
    blocks = _Blocks(stream)
    long_name: str | None = None
    pax: dict[str, str] = {}
    while True:
        header = blocks.take(BLOCK, at_end_ok=True)
        if not header:
            return  # no end-of-archive blocks: tolerated, as tar and tarfile do
        if header[0] == 0 and header.count(0) == BLOCK:
            return  # the end-of-archive marker
        if check_headers:
            _check(header)
        kind = header[156]
        size = _pax_size(pax) if "size" in pax else _number(header[124:136])
        padding = -size % BLOCK
        if kind in _FILE_TYPES:
            if pax or long_name:
                name = pax.get("path") or long_name or _name(header)
                long_name, pax = None, {}
            else:
                name = _name(header)
            key = None if kind == 0 and name.endswith("/") else select(name)  # (an old-style folder)
            if key is None:
                blocks.skip(size + padding)
            else:
                yield key, blocks.take(size)
                blocks.skip(padding)
        elif kind == 76:  # "L", GNU: the next member's long name
            long_name = _text(blocks.take(size).split(b"\0", 1)[0])
            blocks.skip(padding)
        elif kind == 120:  # "x", POSIX pax: records for the next member
            pax = _pax_records(blocks.take(size))
            blocks.skip(padding)
        elif kind in _SKIPPED_TYPES:
            long_name, pax = None, {}
            blocks.skip(size + padding)
        else:
            raise TarFormatError(f"unsupported tar member type {bytes([kind])!r}")


def _pax_size(pax: dict[str, str]) -> int:
    try:
        return int(pax["size"])
    except ValueError:
        raise TarFormatError(f"a pax header has an unreadable size {pax['size']!r}") from None


def _check(header: bytes) -> None:
    """Raise unless the header's checksum (its bytes summed, the checksum field as spaces) holds."""
    try:
        stored = int(header[148:156].split(b"\0", 1)[0].strip() or b"-1", 8)
    except ValueError:
        raise TarFormatError("a tar header has an unreadable checksum") from None
    computed = sum(header) - sum(header[148:156]) + 8 * 32
    if stored != computed and stored != computed - 256 * sum(b > 127 for b in header):
        # (the second sum: some old tar programs summed the bytes as signed chars)
        raise TarFormatError("a tar header's checksum is wrong: the archive is corrupt")


def _number(field: bytes) -> int:
    """A numeric header field: octal ASCII, or GNU base-256 when its first bit is set."""
    if field[0] & 0x80:
        value = int.from_bytes(field[1:], "big")
        return value - (1 << (8 * len(field) - 1)) if field[0] & 0x40 else value
    digits = field.split(b"\0", 1)[0].strip()
    try:
        return int(digits, 8) if digits else 0
    except ValueError:
        raise TarFormatError(f"a tar header has an unreadable number {field!r}") from None


def _name(header: bytes) -> str:
    """The member name of a ustar header (its ``prefix`` field joined in front)."""
    name = header[:100].split(b"\0", 1)[0]
    if header[345] == 0:
        return name.decode("utf-8", "surrogateescape")
    prefix = header[345:500].split(b"\0", 1)[0]
    return _text(prefix + b"/" + name)


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _pax_records(data: bytes) -> dict[str, str]:
    """The ``key=value`` records of a pax header (``"<length> key=value\\n"`` each)."""
    records: dict[str, str] = {}
    pos = 0
    while pos < len(data) and data[pos:pos + 1] != b"\0":
        space = data.find(b" ", pos)
        try:
            length = int(data[pos:space])
        except ValueError:
            raise TarFormatError("a pax header is malformed") from None
        if space < 0 or length <= 0:
            raise TarFormatError("a pax header is malformed")
        key, _, value = data[space + 1:pos + length - 1].partition(b"=")
        records[_text(key)] = _text(value)
        pos += length
    return records
