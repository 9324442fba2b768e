"""Download of the official IMDB archive, with a progress bar.

The URL comes from :func:`dl4text.config.imdb_url` (``DL4TEXT_IMDB_URL`` overrides it,
which is how the tests serve a small archive from 127.0.0.1).
"""

from __future__ import annotations

import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from dl4text.data.errors import DataNotFoundError

CHUNK = 1 << 20


def download(url: str, target: Path, *, opener: Callable[..., Any] | None = None,
             timeout: float = 30.0) -> Path:
    """Download ``url`` to ``target`` atomically (a partial download never stays behind).

    ``opener`` defaults to :func:`urllib.request.urlopen`; a network failure raises
    :class:`DataNotFoundError` with what to set instead.
    """
    opener = opener or urllib.request.urlopen
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=target.name + ".", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                response = opener(url, timeout=timeout)
            except (urllib.error.URLError, OSError, ValueError) as exc:
                raise DataNotFoundError(_no_data_message(url, exc)) from None
            with response:
                total = int(response.headers.get("Content-Length") or 0) or None
                with tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
                          desc=f"Downloading {target.name}") as bar:
                    while True:
                        try:
                            chunk = response.read(CHUNK)
                        except (urllib.error.URLError, OSError) as exc:
                            raise DataNotFoundError(_no_data_message(url, exc)) from None
                        if not chunk:
                            break
                        out.write(chunk)
                        bar.update(len(chunk))
            if total is not None and out.tell() != total:
                raise DataNotFoundError(
                    f"The download of {url} stopped after {out.tell()} of {total} bytes. "
                    "Run the command again, or " + _how_to_set())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _how_to_set() -> str:
    return ("download aclImdb_v1.tar.gz from https://ai.stanford.edu/~amaas/data/sentiment/ "
            "yourself and set DL4TEXT_IMDB=/path/to/aclImdb_v1.tar.gz (or to the extracted "
            "aclImdb/ folder).")


def _no_data_message(url: str, exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or exc
    return (f"No IMDB data was found locally and downloading {url} failed ({reason}). "
            "Either connect to the internet, or " + _how_to_set())
