"""The lean tar reader reads what :mod:`tarfile` reads, and refuses a broken archive loudly."""

from __future__ import annotations

import io
import tarfile

import pytest

from dl4text.data.tarstream import TarFormatError, iter_files

LONG = "aclImdb/train/pos/" + "deep/" * 30 + "7_9.txt"  # over 100 bytes: a long-name record
FILES = {
    "aclImdb/train/pos/0_9.txt": b"A fine film.<br />Really.",
    "aclImdb/train/neg/1_2.txt": b"",  # empty: no data block at all
    "aclImdb/test/neg/2_1.txt": "Caf\u00e9 cr\u00e8me, tr\u00e8s bien".encode(),
    "aclImdb/train/unsup/3_0.txt": b"x" * 512,  # exactly one block, no padding
    "aclImdb/test/pos/4_10.txt": b"y" * 5000,  # several blocks, padded
    "aclImdb/na\u00efve/5_8.txt": b"non-ASCII name",  # a pax path record (or UTF-8 in ustar)
    LONG: b"long name",
}


def make_tar(fmt: int, files: dict[str, bytes] = FILES) -> bytes:
    """A tar of ``files`` (with a folder and a symlink among them) in format ``fmt``."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt) as tar:
        folder = tarfile.TarInfo("aclImdb/train")
        folder.type = tarfile.DIRTYPE
        tar.addfile(folder)
        link = tarfile.TarInfo("aclImdb/link.txt")
        link.type, link.linkname = tarfile.SYMTYPE, "aclImdb/train/pos/0_9.txt"
        tar.addfile(link)
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def read_all(data: bytes, **kwargs) -> dict[str, bytes]:
    return dict(iter_files(io.BytesIO(data), lambda name: name, **kwargs))


@pytest.mark.parametrize("fmt", [tarfile.GNU_FORMAT, tarfile.PAX_FORMAT],
                         ids=["gnu", "pax"])
def test_reads_the_regular_files_as_tarfile_does(fmt) -> None:
    data = make_tar(fmt)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        expected = {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}
    assert expected == FILES  # the fixture itself is what we think it is
    found = read_all(data)
    assert found == expected
    assert list(found) == list(expected), "in archive order"


def test_ustar_prefix_field_is_part_of_the_name() -> None:
    name = "aclImdb/" + "x" * 90 + "/train/pos/8_8.txt"  # fits ustar's prefix + name fields
    data = make_tar(tarfile.USTAR_FORMAT, {name: b"ustar"})
    header = data[2 * 512:3 * 512]  # after the folder's and the link's
    assert header[257:263] == b"ustar\x00" and header[345] != 0, "the name is split over two fields"
    assert read_all(data) == {name: b"ustar"}


def test_select_skips_files_and_gives_back_its_key() -> None:
    data = make_tar(tarfile.PAX_FORMAT)
    found = list(iter_files(io.BytesIO(data), lambda n: len(n) if "/pos/" in n else None))
    assert found == [(len("aclImdb/train/pos/0_9.txt"), b"A fine film.<br />Really."),
                     (len("aclImdb/test/pos/4_10.txt"), b"y" * 5000), (len(LONG), b"long name")]


def test_no_end_of_archive_blocks_is_tolerated() -> None:
    data = make_tar(tarfile.PAX_FORMAT)
    end = len(data.rstrip(b"\0"))
    end += -end % 512  # the last data block, whole
    assert read_all(data[:end]) == FILES


@pytest.mark.parametrize("keep", [True, False], ids=["read", "skipped"])
@pytest.mark.parametrize("cut", [100, 2 * 512 + 300, 3 * 512 + 300],
                         ids=["first header", "file header", "file data"])
def test_a_stream_cut_inside_a_member_raises(cut, keep) -> None:
    data = make_tar(tarfile.GNU_FORMAT, {"a/big.txt": b"z" * 2000})
    assert data[2 * 512:2 * 512 + 9] == b"a/big.txt", "folder, link, then the file's header"
    with pytest.raises(TarFormatError, match="ends inside"):
        list(iter_files(io.BytesIO(data[:cut]), lambda name: name if keep else None))


def test_a_damaged_header_raises_unless_checksums_are_left_to_a_crc() -> None:
    data = bytearray(make_tar(tarfile.GNU_FORMAT, {"a/one.txt": b"1", "a/two.txt": b"2"}))
    second = data.index(b"a/two.txt")
    data[second + 2] = ord("X")  # the second member's name, the checksum left as it was
    with pytest.raises(TarFormatError, match="checksum"):
        read_all(bytes(data))
    assert read_all(bytes(data), check_headers=False) == {"a/one.txt": b"1", "a/Xwo.txt": b"2"}


def test_an_unknown_member_type_raises() -> None:
    data = bytearray(make_tar(tarfile.GNU_FORMAT, {"a/one.txt": b"1"}))
    first_file = data.index(b"a/one.txt")
    data[first_file + 156] = ord("Q")
    header = data[first_file:first_file + 512]
    header[148:156] = b" " * 8
    data[first_file + 148:first_file + 156] = b"%06o\0 " % sum(header)
    with pytest.raises(TarFormatError, match="unsupported tar member type"):
        read_all(bytes(data))
