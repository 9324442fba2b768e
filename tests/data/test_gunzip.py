"""gzip decompression in blocks (and in a thread) gives what :mod:`gzip` gives, errors included."""

from __future__ import annotations

import gzip
import os
import threading
import zlib

import pytest

from dl4text.data.gunzip import BlockReader, gzip_blocks, in_background

PAYLOAD = os.urandom(3 << 20) + b"text " * 500_000  # some incompressible, some very compressible


@pytest.mark.parametrize("background", [False, True], ids=["inline", "thread"])
def test_blocks_are_the_decompressed_file(tmp_path, background) -> None:
    path = tmp_path / "one.gz"
    path.write_bytes(gzip.compress(PAYLOAD))
    blocks = gzip_blocks(path)
    with BlockReader(in_background(blocks) if background else blocks) as reader:
        parts = []
        while chunk := reader.read(100_000):
            assert len(chunk) <= 100_000
            parts.append(chunk)
    assert b"".join(parts) == PAYLOAD


def test_members_and_zero_padding_read_as_gzip_reads_them(tmp_path) -> None:
    path = tmp_path / "multi.gz"
    path.write_bytes(gzip.compress(b"first ") + b"\0" * 1000 + gzip.compress(b"second") + b"\0" * 7)
    assert b"".join(gzip_blocks(path)) == gzip.decompress(path.read_bytes()) == b"first second"


def test_a_truncated_file_raises_eof(tmp_path) -> None:
    data = gzip.compress(PAYLOAD)
    path = tmp_path / "cut.gz"
    for cut in (20, len(data) // 2, len(data) - 4):  # in the stream, and in the trailer
        path.write_bytes(data[:cut])
        with pytest.raises(EOFError):
            b"".join(gzip_blocks(path))


def test_a_wrong_crc_raises(tmp_path) -> None:
    data = bytearray(gzip.compress(b"hello world"))
    data[-8] ^= 0xFF  # the CRC-32 in the trailer
    path = tmp_path / "crc.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(zlib.error, match="incorrect data check"):
        b"".join(gzip_blocks(path))


def test_the_threads_error_is_raised_in_the_caller() -> None:
    def failing():
        yield b"ok"
        raise zlib.error("broken")

    stream = in_background(failing())
    assert next(stream) == b"ok"
    with pytest.raises(zlib.error, match="broken"):
        next(stream)


def test_closing_early_stops_the_thread_and_closes_the_source() -> None:
    closed = threading.Event()

    def endless():
        try:
            while True:
                yield b"x" * 1000
        finally:
            closed.set()  # what gzip_blocks does here: close its file

    before = threading.active_count()
    reader = BlockReader(in_background(endless(), depth=2))
    assert reader.read(10) == b"x" * 10
    reader.close()
    assert threading.active_count() == before
    assert not [t for t in threading.enumerate() if t.name == "dl4text-gunzip"]
    assert closed.is_set()
