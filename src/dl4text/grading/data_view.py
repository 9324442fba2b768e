"""The grading view: the data a student's kernel gets while it is graded.

During grading the kernel runs in a sandbox that does not see the real data cache nor the
archive (whose folder names, ``pos`` and ``neg``, are the labels). :func:`build_grading_view`
runs on the trusted side before the kernel starts and writes, into a folder of its own, an
encoded corpus that the loaders read through ``DL4TEXT_CORPUS``:

* the training reviews and their labels, exactly as in the real corpus;
* the test reviews, all of them, but in a secret order, and with labels that are a secret
  permutation of the real ones (both halves stay balanced, 12,500 / 12,500). Reordering the
  reviews matters as much as shuffling the labels: the real corpus stores the negative
  reviews first, and ``load_imdb``'s shuffle is public, so a kernel that received the test
  reviews in the real order could tell each one's label from its position.

A model fitted on the kernel's ``(test_data, test_labels)`` therefore learns nothing about
the true labels, with which the graders measure it. Both permutations come from
``np.random.default_rng(label_seed)``: the seed must be secret (drawn with :mod:`secrets`)
and must never reach the kernel, which could otherwise undo them. The graders get it as
``DL4TEXT_LABEL_SEED`` and rebuild what the kernel saw with
:func:`dl4text.course.kernel_test_set` / :func:`dl4text.course.kernel_test_labels`.

The view also holds the IMDB Word2Vec vectors cached for this archive (hard links, or
copies across file systems), and names a word-vectors file given by ``DL4TEXT_VECTORS``
among the paths the kernel must be able to read. Nothing else of the real cache goes in:
not the real corpus, not a downloaded archive.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from dl4text import config
from dl4text.data.corpus import load_corpus, write_corpus_file
from dl4text.data.shuffled import check_seed, view_corpus
from dl4text.data.source import fingerprint, locate_imdb

CORPUS_FILE = "grading-corpus.npz"
IMDB_WORD2VEC = "imdb-word2vec"  # dl4text.embeddings.sources.IMDB_WORD2VEC (not imported: gensim)
GLOVE_50 = "glove-50"


@dataclass(frozen=True)
class GradingView:
    """What the sandboxed kernel gets: a cache folder, other readable paths, its variables."""

    cache: Path                  # DL4TEXT_CACHE in the kernel (bind it read-only)
    readonly: tuple[Path, ...]   # other files the kernel must be able to read
    env: dict[str, str]          # variables to set in the kernel (and remove DL4TEXT_IMDB)
    label_seed: int              # the secret seed: for the graders, never for the kernel

    @property
    def corpus(self) -> Path:
        """The encoded corpus file the kernel reads (``DL4TEXT_CORPUS``)."""
        return Path(self.env[config.CORPUS_ENV])


def build_grading_view(dest: Path, label_seed: int) -> GradingView:
    """Write the grading view into ``dest`` (created) and return what the kernel needs.

    Reads the real corpus from the usual source (``DL4TEXT_IMDB`` or the cache), encoding
    it first when the cache is cold; when ``DL4TEXT_VECTORS`` is ``imdb-word2vec``, trains
    and caches those vectors first if they are not cached yet. Warm, it takes a fraction of
    a second.
    """
    seed = check_seed(label_seed)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    source = locate_imdb()
    corpus = load_corpus(source)
    digest = fingerprint(source)
    corpus_file = dest / CORPUS_FILE
    write_corpus_file(view_corpus(corpus, seed), corpus_file, source_fingerprint=digest)

    env = {config.CACHE_ENV: str(dest), config.CORPUS_ENV: str(corpus_file)}
    readonly: list[Path] = []
    vectors = os.environ.get(config.VECTORS_ENV, "").strip()
    if vectors.lower() == IMDB_WORD2VEC:
        _warm_imdb_word2vec()
        env[config.VECTORS_ENV] = vectors
    elif vectors and vectors.lower() != GLOVE_50:
        path = Path(vectors).expanduser()
        if path.exists():
            path = path.resolve()
            readonly.append(path)
            env[config.VECTORS_ENV] = str(path)
        else:  # the kernel reports the missing file, as it would outside grading
            env[config.VECTORS_ENV] = vectors
    elif vectors:
        env[config.VECTORS_ENV] = vectors
    for cached in sorted(config.cache_dir().glob(f"imdb-word2vec-{digest[:16]}-*.npz")):
        _link(cached, dest / cached.name)
    return GradingView(cache=dest, readonly=tuple(readonly), env=env, label_seed=seed)


def warm_cache() -> None:
    """Encode the corpus (and the IMDB Word2Vec vectors, when chosen) into the cache if it is cold.

    The fenced grading reads the data cache but cannot write it (it runs as another user);
    the worker calls this first, on the trusted side, so that a fresh machine's first grading
    finds the encoded corpus and the archive's checksum in place. No data: nothing to do
    (the kernel's own ``load_imdb`` says what is missing, in the student's cell).
    """
    from dl4text.data.corpus import cache_path
    from dl4text.data.errors import DataError

    try:
        source = locate_imdb()
    except DataError:
        return
    if not cache_path(source).exists():
        load_corpus(source)
    if os.environ.get(config.VECTORS_ENV, "").strip().lower() == IMDB_WORD2VEC:
        _warm_imdb_word2vec()


def _warm_imdb_word2vec() -> None:
    """Train and cache the default IMDB Word2Vec vectors when they are not cached yet."""
    from dl4text.embeddings.imdb_word2vec import cache_path, load_imdb_word2vec

    if not cache_path().exists():
        load_imdb_word2vec()


def _link(source: Path, target: Path) -> None:
    """Hard-link ``source`` as ``target`` (a copy across file systems), replacing ``target``."""
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
