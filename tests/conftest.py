"""Shared fixtures: a small IMDB-layout archive with known words, an isolated cache, the real archive.

The small archive is generated from lists of clean words; the rendered review texts add
what the tokeniser must remove (capitals, punctuation, quotes, ``<br />`` tags). The
expected word index is computed from the clean words, never with the package's code.
"""

from __future__ import annotations

import io
import os
import random
import socket
import tarfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dl4text import config

# Captured at import, before any test's monkeypatch removes it.
REAL_IMDB = os.environ.get(config.IMDB_ENV, "")
REAL_CACHE = os.environ.get(config.CACHE_ENV, "")

TEST_ONLY_WORD = "zyzzyva"
UNSUP_ONLY_WORD = "unlabelledword"
# Same count (3) in the training reviews; "zebra" is met first, "apple" ranks first.
TIE_FIRST_SEEN, TIE_FIRST_RANKED = "zebra", "apple"

_COMMON = ("the the the a a and of to is it this movie film was plot acting story "
           "characters really very just one time good bad watch scene").split()
_POS = "great wonderful loved brilliant best fun".split()
_NEG = "awful boring worst waste terrible poor".split()
_SPECIAL = ["don't", "it's", "rock'n'roll", "90s", "10"]


@dataclass(frozen=True)
class Doc:
    """One review of the small archive: where it lies, its text and the words in it."""

    split: str  # "train", "test" or "unsup"
    folder: str  # "neg", "pos" or "unsup"
    id: int
    rating: int
    text: str
    words: tuple[str, ...]

    @property
    def label(self) -> int:
        return {"pos": 1, "neg": 0}.get(self.folder, -1)

    @property
    def member(self) -> str:
        folder = "train" if self.split == "unsup" else self.split  # aclImdb/train/unsup
        return f"aclImdb/{folder}/{self.folder}/{self.id}_{self.rating}.txt"


@dataclass(frozen=True)
class SmallImdb:
    """The small archive and what loading it must give (reviews in the loader's order)."""

    path: Path
    train: list[Doc]
    test: list[Doc]
    unsup: list[Doc]
    word_index: dict[str, int] = field(repr=False)
    counts: Counter = field(repr=False)

    def ids(self, doc: Doc, index_from: int = 3) -> list[int]:
        """``doc``'s word ids under the Keras contract, without start_char (-1: unknown word)."""
        return [self.word_index[w] + index_from if w in self.word_index else -1
                for w in doc.words]


def _render(sentences: list[list[str]], rng: random.Random) -> str:
    """Turn clean words into review text with capitals, punctuation, quotes and tags."""
    pieces = []
    for sentence in sentences:
        words = list(sentence)
        words[0] = words[0].capitalize()
        if len(words) > 2 and rng.random() < 0.4:
            i = rng.randrange(1, len(words))
            if "'" not in words[i]:
                words[i] = rng.choice(['"{}"', "'{}'", "({})", "<i>{}</i>", "{},", "{}--"]).format(
                    words[i])
        if rng.random() < 0.3:
            i = rng.randrange(len(words))
            words[i] = words[i].upper()
        pieces.append(" ".join(words) + rng.choice([".", "!", "!!!", "...", "?", " :-)"]))
    text = pieces[0]
    for piece in pieces[1:]:
        text += rng.choice([" ", "<br /><br />", "<br />", "<br>", " - "]) + piece
    return text


def _doc(split: str, folder: str, id_: int, sentences: list[list[str]],
         rng: random.Random) -> Doc:
    rating = {"neg": rng.randint(1, 4), "pos": rng.randint(7, 10), "unsup": 0}[folder]
    return Doc(split, folder, id_, rating, _render(sentences, rng),
               tuple(w for s in sentences for w in s))


def _sentences(rng: random.Random, folder: str, extra: list[str]) -> list[list[str]]:
    pool = _COMMON + {"pos": _POS, "neg": _NEG, "unsup": _POS + _NEG}[folder]
    sentences = [[rng.choice(pool) for _ in range(rng.randint(3, 9))]
                 for _ in range(rng.randint(1, 4))]
    for word in extra:
        sentences[rng.randrange(len(sentences))].insert(rng.randrange(3), word)
    return sentences


def build_small_imdb(root: Path) -> SmallImdb:
    """Write ``root/aclImdb_v1.tar.gz`` (15+15 train, 12+12 test, 20 unsup reviews)."""
    rng = random.Random(20240611)
    docs: dict[str, list[Doc]] = {"train": [], "test": [], "unsup": []}
    for folder in ("neg", "pos"):
        for i in range(15):
            extra = [_SPECIAL[i // 3]] if i % 3 == 0 else []
            if folder == "neg" and i < 3:
                extra.append(TIE_FIRST_SEEN)
            if folder == "pos" and i >= 12:
                extra.append(TIE_FIRST_RANKED)
            docs["train"].append(_doc("train", folder, i, _sentences(rng, folder, extra), rng))
        for i in range(12):
            extra = [TEST_ONLY_WORD] if i % 4 == 1 else []
            docs["test"].append(_doc("test", folder, i, _sentences(rng, folder, extra), rng))
    # A review with no word at all: its sequence is just the start mark.
    empty = Doc("train", "neg", 15, 3, "<br /><br />... !!! -- ?", ())
    docs["train"].insert(15, empty)
    for i in range(20):
        extra = [UNSUP_ONLY_WORD] if i % 5 == 0 else []
        docs["unsup"].append(_doc("unsup", "unsup", i, _sentences(rng, "unsup", extra), rng))

    counts = Counter(w for d in docs["train"] for w in d.words)
    assert counts[TIE_FIRST_SEEN] == counts[TIE_FIRST_RANKED] == 3
    assert TEST_ONLY_WORD not in counts and UNSUP_ONLY_WORD not in counts
    for split in ("train", "test"):
        assert len({d.words for d in docs[split]}) == len(docs[split]), "reviews must differ"
    ranked = sorted(counts, key=lambda w: (-counts[w], w))
    word_index = {w: r for r, w in enumerate(ranked, start=1)}

    members = [(d.member, d.text.encode("utf-8")) for split in docs.values() for d in split]
    members += [("aclImdb/README", b"Large Movie Review Dataset (small test copy)\n"),
                ("aclImdb/imdb.vocab", "\n".join(ranked).encode()),
                ("aclImdb/train/labeledBow.feat", b"0:1 1:2\n"),
                ("aclImdb/train/urls_pos.txt", b"http://www.imdb.com/title/tt0000001/\n")]
    rng.shuffle(members)  # the loader must sort: neg before pos, ids numerically
    path = root / "aclImdb_v1.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for folder in ("aclImdb", "aclImdb/train", "aclImdb/test"):
            info = tarfile.TarInfo(folder)
            info.type = tarfile.DIRTYPE
            tar.addfile(info)
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))

    def order(d: Doc) -> tuple:
        return (d.folder != "neg", d.id)

    return SmallImdb(path=path, train=sorted(docs["train"], key=order),
                     test=sorted(docs["test"], key=order), unsup=docs["unsup"],
                     word_index=word_index, counts=counts)


@pytest.fixture(scope="session")
def small_imdb(tmp_path_factory: pytest.TempPathFactory) -> SmallImdb:
    """The small IMDB-layout tarball and its expected contents (built once per session)."""
    return build_small_imdb(tmp_path_factory.mktemp("small-imdb"))


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: a download from it fails at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/aclImdb_v1.tar.gz"


@pytest.fixture
def unreachable_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens."""
    return closed_port_url()


@pytest.fixture
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder in DL4TEXT_CACHE; DL4TEXT_IMDB and DL4TEXT_VECTORS unset.

    DL4TEXT_IMDB_URL points at a closed local port, so a test that reaches the download
    by mistake fails at once instead of going to the internet.
    """
    cache = tmp_path / "cache"
    monkeypatch.setenv(config.CACHE_ENV, str(cache))
    monkeypatch.delenv(config.IMDB_ENV, raising=False)
    monkeypatch.delenv(config.VECTORS_ENV, raising=False)
    monkeypatch.setenv(config.IMDB_URL_ENV, closed_port_url())
    return cache


@pytest.fixture(scope="session")
def real_imdb_path() -> Path:
    """The real aclImdb_v1.tar.gz named by DL4TEXT_IMDB; the test is skipped without it."""
    if not REAL_IMDB:
        pytest.skip(f"the real IMDB archive is not available: set {config.IMDB_ENV}="
                    "/path/to/aclImdb_v1.tar.gz to run this test")
    path = Path(REAL_IMDB).expanduser()
    if not path.exists():
        pytest.fail(f"{config.IMDB_ENV}={REAL_IMDB} does not exist")
    return path


@pytest.fixture(scope="session")
def real_cache() -> Path:
    """Cache folder for the real-archive tests: the kit's usual one (DL4TEXT_CACHE or the
    user cache), so that the 20-60 s encoding of the real archive happens once, not per run."""
    if REAL_CACHE:
        return Path(REAL_CACHE).expanduser()
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(config.CACHE_ENV, raising=False)
        return config.cache_dir()


@pytest.fixture
def real_imdb(real_imdb_path: Path, real_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The real archive in DL4TEXT_IMDB and its cache in DL4TEXT_CACHE; skips without it."""
    monkeypatch.setenv(config.IMDB_ENV, str(real_imdb_path))
    monkeypatch.setenv(config.CACHE_ENV, str(real_cache))
    return real_imdb_path
