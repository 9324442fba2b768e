"""``load_texts`` and ``load_unsup``: raw reviews in a fixed order, from a tarball or a folder."""

from __future__ import annotations

import tarfile

import numpy as np
import pytest

from dl4text.data import load_imdb, load_texts, load_unsup


def test_load_texts_gives_raw_reviews_in_archive_order(small_imdb, isolated_cache) -> None:
    for split, docs in (("train", small_imdb.train), ("test", small_imdb.test)):
        texts, labels = load_texts(split, path=small_imdb.path)
        assert texts == [d.text for d in docs]  # raw: <br /> and capitals still there
        assert labels.dtype == np.int64 and labels.tolist() == [d.label for d in docs]
    texts, labels = load_texts("train", path=small_imdb.path)
    assert any("<br />" in t for t in texts)
    # neg before pos, then ids in numeric order (10 after 9, not after 1)
    assert labels.tolist() == sorted(labels.tolist())
    ids = [d.id for d in small_imdb.train if d.label == 0]
    assert ids == sorted(ids) and ids[:11] == list(range(11))


def test_load_texts_rejects_other_splits(small_imdb, isolated_cache) -> None:
    with pytest.raises(ValueError, match="'train' or 'test'"):
        load_texts("unsup", path=small_imdb.path)


def test_load_unsup_gives_only_unlabelled_reviews(small_imdb, isolated_cache) -> None:
    texts = load_unsup(path=small_imdb.path)
    assert texts == [d.text for d in sorted(small_imdb.unsup, key=lambda d: d.id)]
    assert any("unlabelledword" in t.lower() for t in texts)
    labelled = set(load_texts("train", path=small_imdb.path)[0])
    assert not labelled & set(texts)


def test_an_extracted_folder_reads_like_the_tarball(small_imdb, isolated_cache, tmp_path) -> None:
    with tarfile.open(small_imdb.path) as tar:
        tar.extractall(tmp_path / "unpacked", filter="data")
    from_tar = load_imdb(path=small_imdb.path, num_words=30, seed=4)
    for folder in (tmp_path / "unpacked", tmp_path / "unpacked" / "aclImdb"):
        from_dir = load_imdb(path=folder, num_words=30, seed=4)
        for (xa, ya), (xb, yb) in zip(from_tar, from_dir, strict=True):
            assert [r.tolist() for r in xa] == [r.tolist() for r in xb]
            assert ya.tolist() == yb.tolist()
        assert load_texts("test", path=folder)[0] == [d.text for d in small_imdb.test]
        assert len(load_unsup(path=folder)) == len(small_imdb.unsup)
