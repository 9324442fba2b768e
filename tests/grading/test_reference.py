"""The graders' reference arrays, kept in the kit's cache: built once per key, rebuilt when unreadable."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dl4text.grading.reference import cached_array, reference_path


class Builder:
    """Counts its calls; returns a different array each time (a cached one is the first)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> np.ndarray:
        self.calls += 1
        return np.full((3, 2), self.calls, dtype=np.float32)


def test_built_once_then_read_from_the_cache(isolated_cache: Path) -> None:
    build = Builder()
    first = cached_array("matrix", "vectors A", build)
    again = cached_array("matrix", "vectors A", build)
    assert build.calls == 1
    assert again.dtype == np.float32 and np.array_equal(again, first)
    assert reference_path("matrix", "vectors A").parent == isolated_cache / "graders"
    assert not [p.name for p in (isolated_cache / "graders").iterdir() if p.name.endswith(".tmp")]


def test_another_key_is_another_file(isolated_cache: Path) -> None:
    build = Builder()
    cached_array("matrix", "vectors A", build)
    other = cached_array("matrix", "vectors B", build)
    assert build.calls == 2 and other[0, 0] == 2
    assert reference_path("matrix", "vectors A") != reference_path("matrix", "vectors B")
    assert reference_path("matrix", "vectors A") != reference_path("other", "vectors A")


@pytest.mark.parametrize("damage", [b"", b"not an npy file", b"\x93NUMPY\x01\x00"])
def test_an_unreadable_file_is_built_again_and_replaced(isolated_cache: Path, damage: bytes) -> None:
    build = Builder()
    cached_array("matrix", "key", build)
    reference_path("matrix", "key").write_bytes(damage)
    assert cached_array("matrix", "key", build)[0, 0] == 2
    assert cached_array("matrix", "key", build)[0, 0] == 2 and build.calls == 2


def test_a_pickled_array_is_never_loaded(isolated_cache: Path) -> None:
    build = Builder()
    path = reference_path("matrix", "key")
    path.parent.mkdir(parents=True)
    np.save(path, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    assert cached_array("matrix", "key", build)[0, 0] == 1 and build.calls == 1


def test_a_cache_that_cannot_be_written_only_costs_the_build(isolated_cache: Path) -> None:
    isolated_cache.mkdir(parents=True)
    (isolated_cache / "graders").write_text("a file where the folder goes (root cannot write into it either)")
    build = Builder()
    assert cached_array("matrix", "key", build)[0, 0] == 1
    assert cached_array("matrix", "key", build)[0, 0] == 2
    assert sorted(p.name for p in isolated_cache.iterdir()) == ["graders"]
