"""The cache's checked, uncompressed copies: stamps, saving, mapping (d2lutil.fashion_cache)."""
import os

import pytest
import torch

from d2lutil.fashion_cache import copy_dir, copy_is_current, map_copy, save_copy, stamp
from d2lutil.fashion_files import ENV_CACHE
from d2lutil.idx import ENV_UNCHECKED


def idx_content(values: torch.Tensor) -> bytes:
    """A uint8 tensor as the bytes of an IDX file."""
    header = bytes([0, 0, 8, values.dim()]) + b"".join(n.to_bytes(4, "big") for n in values.shape)
    return header + values.numpy().tobytes()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A fresh, empty d2lutil cache under tmp_path, with the checks on."""
    monkeypatch.setenv(ENV_CACHE, str(tmp_path / "cache"))
    monkeypatch.delenv(ENV_UNCHECKED, raising=False)
    return tmp_path / "cache"


@pytest.mark.parametrize("shape", [(7,), (2, 3, 4)])
def test_a_saved_copy_is_mapped_with_its_values(cache, shape):
    values = torch.arange(int(torch.tensor(shape).prod()), dtype=torch.uint8).reshape(shape)
    save_copy("some-file", idx_content(values), "stamp 1")
    assert copy_dir() == cache / "torchvision" / "FashionMNIST" / "raw"
    assert (copy_dir() / "some-file").read_bytes() == idx_content(values)
    mapped = map_copy("some-file")
    assert mapped.shape == shape and torch.equal(mapped, values)
    mapped.zero_()  # copy-on-write: the file keeps its values
    assert torch.equal(map_copy("some-file"), values)


@pytest.mark.parametrize("cut", [1, 5])
def test_a_copy_of_the_wrong_size_is_not_mapped(cache, cut):
    content = idx_content(torch.zeros(2, 3, 4, dtype=torch.uint8))
    save_copy("some-file", content[:-cut], "stamp 1")
    assert map_copy("some-file") is None


def test_a_copy_of_two_dimensions_is_not_mapped(cache):
    save_copy("some-file", idx_content(torch.zeros(2, 3, dtype=torch.uint8)), "stamp 1")
    assert map_copy("some-file") is None


def test_a_copy_is_current_only_for_the_stamp_it_was_made_from(cache):
    assert not copy_is_current("some-file", "stamp 1")
    save_copy("some-file", idx_content(torch.zeros(3, dtype=torch.uint8)), "stamp 1")
    assert copy_is_current("some-file", "stamp 1")
    assert not copy_is_current("some-file", "stamp 2")
    (copy_dir() / "some-file").unlink()
    assert not copy_is_current("some-file", "stamp 1")


def test_the_stamp_changes_with_the_source_and_the_check_mode(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_UNCHECKED, raising=False)
    source = tmp_path / "source"
    source.write_bytes(b"12345")
    first = stamp(source)
    assert str(source.resolve()) in first
    os.utime(source, ns=(0, 10 ** 9))
    touched = stamp(source)
    assert touched != first
    source.write_bytes(b"123456")
    os.utime(source, ns=(0, 10 ** 9))
    assert stamp(source) != touched
    resized = stamp(source)
    monkeypatch.setenv(ENV_UNCHECKED, "1")
    assert stamp(source) != resized
