"""d2lutil.fashion_files: where Fashion-MNIST is found, the IDX reader, the cache's copies, load_split."""
import gzip
import os
from pathlib import Path

import pytest
import torch

from d2lutil import fashion_files
from d2lutil.fashion_files import (ENV_CACHE, ENV_DIR, ENV_UNCHECKED, FILE_NAMES, SPLITS, copy_dir, copy_is_current,
                                   file_in, find_fashion_mnist, load_split, map_copy, read_idx, save_copy, stamp)

FILES = [f"{name}.gz" for name in FILE_NAMES]


@pytest.fixture
def places(tmp_path, monkeypatch):
    """Empty env dir, cache and system dir under tmp_path, with the env variables cleared."""
    monkeypatch.delenv(ENV_DIR, raising=False)
    monkeypatch.setenv(ENV_CACHE, str(tmp_path / "cache"))
    monkeypatch.setattr(fashion_files, "SYSTEM_DIR", tmp_path / "system")
    return tmp_path


def fake_copy(folder: Path) -> Path:
    """Create the four file names (empty) in `folder`: enough for discovery, not for reading."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        (folder / name).touch()
    return folder


def no_download(root):
    raise OSError("network is unreachable")


def test_order_env_var_first(places, monkeypatch):
    env = fake_copy(places / "mine")
    fake_copy(places / "cache" / "fashion-mnist")
    monkeypatch.setenv(ENV_DIR, str(env))
    assert find_fashion_mnist(download=False) == env


def test_env_var_pointing_nowhere_is_an_error(places, monkeypatch):
    fake_copy(places / "system")
    monkeypatch.setenv(ENV_DIR, str(places / "typo"))
    with pytest.raises(ValueError, match="D2LUTIL_FASHION_MNIST=.*typo"):
        find_fashion_mnist()


def test_order_cache_before_system(places):
    cache = fake_copy(places / "cache" / "fashion-mnist")
    fake_copy(places / "system")
    assert find_fashion_mnist(download=False) == cache


def test_order_system_then_torchvision_layout(places):
    system = fake_copy(places / "system")
    assert find_fashion_mnist(download=False) == system
    raw = fake_copy(places / "cache" / "fashion-mnist" / "FashionMNIST" / "raw")
    assert find_fashion_mnist(download=False) == raw


def test_download_is_last(places, monkeypatch):
    calls = []
    monkeypatch.setattr(fashion_files, "download_fashion_mnist",
                        lambda root: calls.append(root) or fake_copy(root / "FashionMNIST" / "raw"))
    found = find_fashion_mnist()
    assert calls == [places / "cache" / "fashion-mnist"]
    assert found == places / "cache" / "fashion-mnist" / "FashionMNIST" / "raw"


def test_missing_data_says_where_it_looked_and_how_to_get_it(places, monkeypatch):
    monkeypatch.setattr(fashion_files, "download_fashion_mnist", no_download)
    with pytest.raises(FileNotFoundError) as error:
        find_fashion_mnist()
    message = str(error.value)
    assert "download failed" in message and "network is unreachable" in message
    assert str(places / "system") in message and str(places / "cache" / "fashion-mnist") in message
    assert "apt-get install dataset-fashion-mnist" in message
    with pytest.raises(FileNotFoundError, match="not on this machine"):
        find_fashion_mnist(download=False)


def test_incomplete_copy_is_skipped(places):
    partial = fake_copy(places / "system")
    (partial / FILES[0]).unlink()
    with pytest.raises(FileNotFoundError):
        find_fashion_mnist(download=False)


@pytest.mark.parametrize("spelling", ["~/fm", "$HOME/fm"])
def test_env_dir_expands_home(places, monkeypatch, spelling):
    """Issue 13 item 15: D2LUTIL_FASHION_MNIST='~/...' was not expanded."""
    monkeypatch.setenv("HOME", str(places / "home"))
    folder = fake_copy(places / "home" / "fm")
    monkeypatch.setenv(ENV_DIR, spelling)
    assert find_fashion_mnist(download=False) == folder


def test_env_dir_that_does_not_exist_says_so(places, monkeypatch):
    monkeypatch.setenv(ENV_DIR, str(places / "nowhere"))
    with pytest.raises(ValueError, match="nowhere\\) does not exist"):
        find_fashion_mnist(download=False)


# --- the IDX reader ---------------------------------------------------------------------------------------

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


@pytest.mark.parametrize("extra", [1, 784])
def test_trailing_bytes_after_the_data_are_an_error(tmp_path, idx_content, extra):
    """A longer file is as corrupt as a shorter one: the header says where the data ends."""
    (tmp_path / "long").write_bytes(idx_content(torch.zeros(3, 4, dtype=torch.uint8)) + bytes(extra))
    with pytest.raises(ValueError, match=rf"long is truncated or corrupt: .* shape \[3, 4\] \(24 bytes\) "
                                         rf"but it has {24 + extra} bytes"):
        read_idx(tmp_path / "long")


def test_bad_header_is_an_error(tmp_path):
    (tmp_path / "float-idx").write_bytes(bytes([0, 0, 0x0D, 1]) + (1).to_bytes(4, "big") + bytes(4))
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(tmp_path / "float-idx")


# --- the cache's checked, uncompressed copies ---------------------------------------------------------------

@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A fresh, empty d2lutil cache under tmp_path, with the checks on."""
    monkeypatch.setenv(ENV_CACHE, str(tmp_path / "cache"))
    monkeypatch.delenv(ENV_UNCHECKED, raising=False)
    return tmp_path / "cache"


@pytest.mark.parametrize("shape", [(7,), (2, 3, 4)])
def test_a_saved_copy_is_mapped_with_its_values(cache, shape, idx_content):
    values = torch.arange(int(torch.tensor(shape).prod()), dtype=torch.uint8).reshape(shape)
    save_copy("some-file", idx_content(values), "stamp 1")
    assert copy_dir() == cache / "torchvision" / "FashionMNIST" / "raw"
    assert (copy_dir() / "some-file").read_bytes() == idx_content(values)
    mapped = map_copy("some-file")
    assert mapped.shape == shape and torch.equal(mapped, values)
    mapped.zero_()  # copy-on-write: the file keeps its values
    assert torch.equal(map_copy("some-file"), values)


@pytest.mark.parametrize("cut", [1, 5])
def test_a_copy_of_the_wrong_size_is_not_mapped(cache, cut, idx_content):
    content = idx_content(torch.zeros(2, 3, 4, dtype=torch.uint8))
    save_copy("some-file", content[:-cut], "stamp 1")
    assert map_copy("some-file") is None


def test_a_copy_that_is_not_an_idx_file_is_not_mapped(cache, idx_content):
    save_copy("some-file", b"\x00\x00\x0d\x01" + idx_content(torch.zeros(3, dtype=torch.uint8))[4:], "stamp 1")
    assert map_copy("some-file") is None
    assert map_copy("never-saved") is None


def test_a_copy_is_current_only_for_the_stamp_it_was_made_from(cache, idx_content):
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


# --- load_split: a split read once, from the files or the cache's copy ------------------------------------

@pytest.fixture
def subset(tmp_path, monkeypatch, write_idx):
    """A folder of 30 train / 20 test examples as plain IDX files, with the checks off and an empty cache."""
    monkeypatch.setenv(ENV_UNCHECKED, "1")
    monkeypatch.setenv(ENV_CACHE, str(tmp_path / "cache"))
    g = torch.Generator().manual_seed(0)
    for split, n in (("train", 30), ("test", 20)):
        images_name, labels_name, _ = SPLITS[split]
        write_idx(tmp_path / "data" / images_name, torch.randint(0, 256, (n, 28, 28), generator=g))
        write_idx(tmp_path / "data" / labels_name, torch.arange(n) % 10)
    return tmp_path / "data"


def test_load_split_reads_the_files_cold_then_maps_the_copy_with_int64_labels_both_times(subset, monkeypatch):
    """Cold, the split is read from its files and copied into the cache; a new process maps the copy."""
    read = load_split.__wrapped__  # without this process's memo: each call is a new process's first read
    cold = read(str(subset), "test")
    assert all(copy_is_current(name, stamp(subset / name)) for name in SPLITS["test"][:2])
    monkeypatch.setattr(fashion_files, "idx_bytes", lambda path: pytest.fail(f"read {path} again"))
    warm = read(str(subset), "test")
    for images, labels in (cold, warm):
        assert images.dtype == torch.uint8 and images.shape == (20, 28, 28)
        assert labels.dtype == torch.int64 and torch.equal(labels, torch.arange(20) % 10)
    assert torch.equal(cold[0], warm[0])


def test_load_split_replaces_a_copy_made_from_another_source(subset, write_idx):
    """A copy is used only for the source it was made from: another folder's split is read and copied again."""
    read = load_split.__wrapped__
    read(str(subset), "test")
    other = subset.parent / "other"
    for name in SPLITS["test"][:2]:
        write_idx(other / name, torch.zeros(5, 28, 28) if "images" in name else torch.full((5,), 7))
    images, labels = read(str(other), "test")
    assert images.shape == (5, 28, 28) and torch.equal(labels, torch.full((5,), 7))
    assert torch.equal(map_copy(SPLITS["test"][1]), torch.full((5,), 7, dtype=torch.uint8))
