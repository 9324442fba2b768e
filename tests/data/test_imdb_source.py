"""Where the IMDB data comes from, the download, broken archives and the encoded-corpus cache."""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import subprocess
import sys
import tarfile
import textwrap
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from dl4text import config
from dl4text.data import DataError, DataNotFoundError, get_word_index, load_imdb, load_unsup
from dl4text.data.corpus import cache_path
from dl4text.data.source import ARCHIVE_NAME, locate_imdb


def digest(result) -> str:
    """A checksum of everything load_imdb returned."""
    h = hashlib.sha256()
    for x, y in result:
        for row in x:
            h.update(np.asarray(row, dtype=np.int64).tobytes() + b"|")
        h.update(np.asarray(y, dtype=np.int64).tobytes())
    return h.hexdigest()


# --- the order of the sources -------------------------------------------------------------

def test_explicit_path_comes_before_the_environment(small_imdb, isolated_cache, monkeypatch,
                                                    tmp_path) -> None:
    monkeypatch.setenv(config.IMDB_ENV, str(tmp_path / "missing.tar.gz"))
    assert locate_imdb(small_imdb.path) == small_imdb.path.resolve()
    (x_train, _), _ = load_imdb(path=small_imdb.path)
    assert len(x_train) == len(small_imdb.train)


def test_environment_comes_before_the_cached_archive(small_imdb, isolated_cache, monkeypatch,
                                                     ) -> None:
    isolated_cache.mkdir(parents=True, exist_ok=True)
    (isolated_cache / ARCHIVE_NAME).write_bytes(b"not an archive")
    monkeypatch.setenv(config.IMDB_ENV, str(small_imdb.path))
    assert locate_imdb() == small_imdb.path.resolve()
    assert get_word_index() == small_imdb.word_index


def test_missing_environment_path_is_a_clear_error(isolated_cache, monkeypatch, tmp_path) -> None:
    missing = tmp_path / "nowhere" / ARCHIVE_NAME
    monkeypatch.setenv(config.IMDB_ENV, str(missing))
    with pytest.raises(DataError, match=config.IMDB_ENV) as info:
        load_imdb()
    assert str(missing) in str(info.value) and "does not exist" in str(info.value)


def test_cached_archive_comes_before_a_download(small_imdb, isolated_cache) -> None:
    isolated_cache.mkdir(parents=True, exist_ok=True)
    cached = isolated_cache / ARCHIVE_NAME
    cached.write_bytes(small_imdb.path.read_bytes())
    # DL4TEXT_IMDB_URL points at a closed port: a download attempt would fail
    assert locate_imdb() == cached
    assert get_word_index() == small_imdb.word_index


# --- the download ---------------------------------------------------------------------------

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


class _CutHandler(_QuietHandler):
    """Promises the whole file and sends half of it, then hangs up."""

    def do_GET(self) -> None:
        data = (Path(self.directory) / ARCHIVE_NAME).read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        self.close_connection = True


@pytest.fixture
def serve(small_imdb, tmp_path) -> Iterator:
    """Serve the small archive over http on 127.0.0.1; yields a function handler -> URL."""
    root = tmp_path / "www"
    root.mkdir()
    (root / ARCHIVE_NAME).write_bytes(small_imdb.path.read_bytes())
    servers = []

    def start(handler=_QuietHandler) -> str:
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/{ARCHIVE_NAME}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_download_lands_in_the_cache_with_a_progress_bar(small_imdb, isolated_cache, serve,
                                                         monkeypatch, capsys,
                                                         unreachable_url) -> None:
    monkeypatch.setenv(config.IMDB_URL_ENV, serve())
    result = load_imdb(num_words=20)
    cached = isolated_cache / ARCHIVE_NAME
    assert cached.read_bytes() == small_imdb.path.read_bytes()
    assert sorted(p.name for p in isolated_cache.iterdir() if ".part" in p.name) == []
    err = capsys.readouterr().err
    assert f"Downloading {ARCHIVE_NAME}" in err and "100%" in err
    assert digest(result) == digest(load_imdb(path=small_imdb.path, num_words=20))
    # the second call finds the downloaded file: nothing is fetched again
    monkeypatch.setenv(config.IMDB_URL_ENV, unreachable_url)
    assert digest(load_imdb(num_words=20)) == digest(result)


@pytest.mark.parametrize("how", ["closed port", "404", "cut short"])
def test_failed_download_is_one_clear_error(isolated_cache, monkeypatch, serve, how,
                                            unreachable_url) -> None:
    url = {"closed port": lambda: unreachable_url,
           "404": lambda: serve().replace(ARCHIVE_NAME, "nothing-here.tar.gz"),
           "cut short": lambda: serve(_CutHandler)}[how]()
    monkeypatch.setenv(config.IMDB_URL_ENV, url)
    with pytest.raises(DataNotFoundError) as info:
        load_imdb()
    message = str(info.value)
    assert f"{config.IMDB_ENV}=" in message and url in message
    error = info.value  # one error, with no chained traceback under it
    assert error.__cause__ is None and (error.__suppress_context__ or error.__context__ is None)
    leftovers = list(isolated_cache.glob("*.tar.gz*")) if isolated_cache.exists() else []
    assert leftovers == [], "no partial download may stay behind"


# --- broken archives ------------------------------------------------------------------------

def test_truncated_archive_is_a_data_error(small_imdb, isolated_cache, tmp_path) -> None:
    data = small_imdb.path.read_bytes()
    broken = tmp_path / ARCHIVE_NAME
    for cut in range(64, len(data), max(1, len(data) // 40)):
        broken.write_bytes(data[:cut])
        with pytest.raises(DataError, match="truncated or corrupt"):
            load_imdb(path=broken)


def test_truncation_inside_a_member_header_is_not_silent(small_imdb, isolated_cache,
                                                         tmp_path) -> None:
    """tarfile ends quietly at a cut-off header; the loader must still notice the cut.

    The gzip stream is flushed exactly 100 bytes into the header of an unlabelled review,
    then cut: what is left decompresses to whole reviews followed by a partial header.
    """
    tar_bytes = gzip.decompress(small_imdb.path.read_bytes())
    with tarfile.open(small_imdb.path) as tar:
        offsets = [m.offset for m in tar.getmembers() if "/unsup/" in m.name]
    cut = offsets[len(offsets) // 2] + 100
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)  # 31: with a gzip header
    broken = tmp_path / ARCHIVE_NAME
    broken.write_bytes(packer.compress(tar_bytes[:cut]) + packer.flush(zlib.Z_FULL_FLUSH))
    with pytest.raises(DataError, match="truncated or corrupt"):
        load_unsup(path=broken)


def test_corrupt_archive_is_a_data_error(small_imdb, isolated_cache, tmp_path) -> None:
    data = bytearray(small_imdb.path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    broken = tmp_path / ARCHIVE_NAME
    broken.write_bytes(bytes(data))
    with pytest.raises(DataError, match="truncated or corrupt"):
        load_imdb(path=broken)


def test_an_unrelated_tarball_is_a_data_error(isolated_cache, tmp_path) -> None:
    other = tmp_path / "other.tar.gz"
    with tarfile.open(other, "w:gz") as tar:
        tar.add(__file__, arcname="notes/readme.txt")
    with pytest.raises(DataError, match="not the IMDB archive"):
        load_imdb(path=other)


# --- the encoded-corpus cache ---------------------------------------------------------------

@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "wrong arrays"])
def test_corrupt_cache_is_rebuilt(small_imdb, isolated_cache, damage) -> None:
    first = load_imdb(path=small_imdb.path, num_words=25)
    cached = cache_path(small_imdb.path.resolve())
    assert cached.is_file()
    good = cached.read_bytes()
    if damage == "garbage":
        cached.write_bytes(b"\x00garbage" * 100)
    elif damage == "truncated":
        cached.write_bytes(good[: len(good) // 2])
    elif damage == "empty":
        cached.write_bytes(b"")
    else:
        np.savez(cached.open("wb"), train_flat=np.arange(3))
    assert digest(load_imdb(path=small_imdb.path, num_words=25)) == digest(first)
    with np.load(cached) as data:  # rebuilt, readable again
        assert {"train_flat", "test_flat", "vocabulary"} <= set(data.files)


def test_a_new_process_reads_the_cache(small_imdb, isolated_cache, tmp_path) -> None:
    """A second process gets the same data from the cache and neither re-encodes nor rewrites."""
    result = load_imdb(path=small_imdb.path, num_words=30, seed=9)
    cached = cache_path(small_imdb.path.resolve())
    before = {p.name: p.stat().st_mtime_ns for p in isolated_cache.iterdir()}
    script = textwrap.dedent(f"""
        import hashlib, numpy as np
        import dl4text.data.corpus as corpus
        def no_encoding(source):
            raise AssertionError("the corpus was encoded again instead of read from the cache")
        corpus.encode = no_encoding
        from dl4text.data import load_imdb
        result = load_imdb(path={str(small_imdb.path)!r}, num_words=30, seed=9)
        h = hashlib.sha256()
        for x, y in result:
            for row in x:
                h.update(np.asarray(row, dtype=np.int64).tobytes() + b"|")
            h.update(np.asarray(y, dtype=np.int64).tobytes())
        print(h.hexdigest())
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=False, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == digest(result)
    after = {p.name: p.stat().st_mtime_ns for p in isolated_cache.iterdir()}
    assert after == before, "the cache folder must be left as it was"
    assert cached.name in after
