"""IDX files: plain and gzipped, truncated, corrupt gzip, bad header (d2lutil.idx)."""
import gzip

import pytest
import torch

from d2lutil.fashion_files import file_in, find_fashion_mnist
from d2lutil.idx import read_idx


def test_read_idx_plain_and_gzipped(tmp_path):
    header = bytes([0, 0, 8, 2]) + (2).to_bytes(4, "big") + (3).to_bytes(4, "big")
    (tmp_path / "a").write_bytes(header + bytes(range(6)))
    (tmp_path / "a.gz").write_bytes(gzip.compress(header + bytes(range(6))))
    for name in ("a", "a.gz"):
        assert torch.equal(read_idx(tmp_path / name), torch.arange(6, dtype=torch.uint8).reshape(2, 3))


def test_truncated_file_is_an_error(tmp_path):
    labels = read_idx(file_in(find_fashion_mnist(download=False), "t10k-labels-idx1-ubyte"))
    header = bytes([0, 0, 8, 1]) + (10000).to_bytes(4, "big")
    (tmp_path / "cut").write_bytes(header + bytes(labels[:9000].tolist()))
    with pytest.raises(ValueError, match="truncated or corrupt.*10008 bytes.*9008 bytes"):
        read_idx(tmp_path / "cut")


@pytest.mark.parametrize("content", [b"", b"\x1f\x8b\x08\x00garbage", b"PK\x03\x04not gzip"])
def test_corrupt_gzip_is_an_error(tmp_path, content):
    (tmp_path / "bad.gz").write_bytes(content)
    with pytest.raises(ValueError, match="bad.gz"):
        read_idx(tmp_path / "bad.gz")


def test_bad_header_is_an_error(tmp_path):
    (tmp_path / "float-idx").write_bytes(bytes([0, 0, 0x0D, 1]) + (1).to_bytes(4, "big") + bytes(4))
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(tmp_path / "float-idx")
