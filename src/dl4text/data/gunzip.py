"""Decompressing a gzip file as a stream of large blocks, optionally in a second thread.

:func:`gzip_blocks` inflates with :mod:`zlib` directly, a few MB at a time, which checks
each member's CRC-32 and length and raises at a truncated end (as :mod:`gzip` does).
:func:`in_background` runs such an iterator in a thread: zlib releases the GIL while it
inflates, so the decompression overlaps with the caller's work in Python (the tar parsing
and the tokenising of the reviews) on a second core. :data:`BACKGROUND` turns the thread
off (the benchmark measures both).
"""

from __future__ import annotations

import queue
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
INPUT_CHUNK = 1 << 20  # compressed bytes per inflate call: ~4 MB out, long enough to
#                        leave the GIL for a while (small calls would wait on it)
OUTPUT_LIMIT = 8 << 20  # decompressed bytes per block at most (a highly compressed file too)
BACKGROUND = True  # read_reviews decompresses in a second thread (see the module docstring)
_END = object()


def gzip_blocks(path: Path) -> Iterator[bytes]:
    """The decompressed content of the gzip file ``path``, in blocks of a few MB.

    Members one after another are read as one stream, zero padding after a member is
    skipped (as :mod:`gzip` does). Raises :class:`EOFError` for a file that ends inside a
    member and :class:`zlib.error` for corrupt data or a wrong CRC or length.
    """
    inflater = zlib.decompressobj(wbits=31)  # 31: the gzip header and trailer, checked
    with path.open("rb") as handle:
        while True:
            data = handle.read(INPUT_CHUNK)
            if not data:
                break
            while data:
                if inflater.eof:  # a member ended: zero padding, or the next member
                    data = data.lstrip(b"\0")
                    if not data:
                        break
                    inflater = zlib.decompressobj(wbits=31)
                out = inflater.decompress(data, OUTPUT_LIMIT)
                if out:
                    yield out
                data = inflater.unused_data if inflater.eof else inflater.unconsumed_tail
    if not inflater.eof:
        raise EOFError("Compressed file ended before the end-of-stream marker was reached")


def in_background(blocks: Iterator[T], depth: int = 4) -> Iterator[T]:
    """Yield what ``blocks`` yields, computed ahead in a thread (at most ``depth`` waiting).

    An exception in the thread is raised here, in the caller's thread. Closing this
    generator early stops the thread and waits for it.
    """
    ready: queue.Queue[object] = queue.Queue(depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for block in blocks:
                if stop.is_set():
                    return
                ready.put(block)
            ready.put(_END)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            ready.put(exc)
        finally:
            close = getattr(blocks, "close", None)
            if close is not None:
                close()  # e.g. gzip_blocks closes its file

    thread = threading.Thread(target=produce, name="dl4text-gunzip", daemon=True)
    thread.start()
    try:
        while True:
            item = ready.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting to put, then let it end
            try:
                ready.get(timeout=0.05)
            except queue.Empty:
                pass
        thread.join()


class BlockReader:
    """A read-only binary file over an iterator of byte blocks (``read(n)``, ``close()``)."""

    def __init__(self, blocks: Iterator[bytes]) -> None:
        self._blocks = blocks
        self._block = b""
        self._pos = 0

    def read(self, n: int = -1) -> bytes:
        """Up to ``n`` bytes (all that is left when ``n`` < 0); ``b""`` at the end."""
        if self._pos >= len(self._block):
            self._block, self._pos = next(self._blocks, b""), 0
        if n < 0:
            out = self._block[self._pos:] + b"".join(self._blocks)
            self._block, self._pos = b"", 0
            return out
        out = self._block[self._pos:self._pos + n]
        self._pos += len(out)
        return out

    def close(self) -> None:
        """Stop the iterator (and its thread, for :func:`in_background`)."""
        close = getattr(self._blocks, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> BlockReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
