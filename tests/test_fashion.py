"""Fashion-MNIST: discovery order, file checks, the fast loader against torchvision's path."""
import gzip
import os
from pathlib import Path

import pytest
import torch

from d2lutil import fashion
from d2lutil.fashion import (FashionMNISTBatches, find_fashion_mnist, get_dataloader_workers,
                             get_fashion_mnist_labels, load_data_fashion_mnist, read_fashion_mnist,
                             read_idx)
from d2lutil.seed import set_seed

FILES = [f"{name}.gz" for images, labels, _ in fashion.SPLITS.values() for name in (images, labels)]


@pytest.fixture
def places(tmp_path, monkeypatch):
    """Empty env dir, cache and system dir under tmp_path, with the env variables cleared."""
    monkeypatch.delenv(fashion.ENV_DIR, raising=False)
    monkeypatch.setenv(fashion.ENV_CACHE, str(tmp_path / "cache"))
    monkeypatch.setattr(fashion, "SYSTEM_DIR", tmp_path / "system")
    return tmp_path


def fake_copy(folder: Path) -> Path:
    """Create the four file names (empty) in `folder`: enough for discovery, not for reading."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        (folder / name).touch()
    return folder


def real_copy(folder: Path) -> Path:
    """Link the real files into `folder`, so that one of them can be replaced."""
    folder.mkdir(parents=True, exist_ok=True)
    source = find_fashion_mnist(download=False)
    for name in FILES:
        (folder / name).symlink_to(fashion._file_in(source, name[:-3]))
    return folder


def no_download(root):
    raise OSError("network is unreachable")


def test_text_labels():
    assert get_fashion_mnist_labels([0, 9, 5]) == ["t-shirt", "ankle boot", "sandal"]
    assert get_fashion_mnist_labels(torch.tensor([[1], [2]])) == ["trouser", "pullover"]


@pytest.mark.parametrize("bad", [[10], [-1], [1.5], torch.tensor([0.0, 1.0])])
def test_text_labels_reject_bad_ids(bad):
    with pytest.raises(ValueError, match="label|integer"):
        get_fashion_mnist_labels(bad)


def test_order_env_var_first(places, monkeypatch):
    env = fake_copy(places / "mine")
    fake_copy(places / "cache" / "fashion-mnist")
    monkeypatch.setenv(fashion.ENV_DIR, str(env))
    assert find_fashion_mnist(download=False) == env


def test_env_var_pointing_nowhere_is_an_error(places, monkeypatch):
    fake_copy(places / "system")
    monkeypatch.setenv(fashion.ENV_DIR, str(places / "typo"))
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
    monkeypatch.setattr(fashion, "download_fashion_mnist",
                        lambda root: calls.append(root) or fake_copy(root / "FashionMNIST" / "raw"))
    found = find_fashion_mnist()
    assert calls == [places / "cache" / "fashion-mnist"]
    assert found == places / "cache" / "fashion-mnist" / "FashionMNIST" / "raw"


def test_missing_data_says_where_it_looked_and_how_to_get_it(places, monkeypatch):
    monkeypatch.setattr(fashion, "download_fashion_mnist", no_download)
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


def test_read_idx_plain_and_gzipped(tmp_path):
    header = bytes([0, 0, 8, 2]) + (2).to_bytes(4, "big") + (3).to_bytes(4, "big")
    (tmp_path / "a").write_bytes(header + bytes(range(6)))
    (tmp_path / "a.gz").write_bytes(gzip.compress(header + bytes(range(6))))
    for name in ("a", "a.gz"):
        assert torch.equal(read_idx(tmp_path / name), torch.arange(6, dtype=torch.uint8).reshape(2, 3))


def test_truncated_file_is_an_error(tmp_path):
    labels = read_idx(fashion._file_in(find_fashion_mnist(download=False), "t10k-labels-idx1-ubyte"))
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


def test_truncated_download_in_a_copy_is_caught_when_read(tmp_path):
    folder = real_copy(tmp_path / "copy")
    name = "t10k-images-idx3-ubyte.gz"
    data = (folder / name).read_bytes()
    (folder / name).unlink()
    (folder / name).write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=name):
        read_fashion_mnist(train=False, folder=folder)


def test_read_fashion_mnist_shapes_and_values():
    images, labels = read_fashion_mnist(train=True)
    assert images.shape == (60000, 28, 28) and images.dtype == torch.uint8
    assert labels.shape == (60000,) and labels.dtype == torch.int64
    assert torch.equal(torch.bincount(labels), torch.full((10,), 6000))
    test_images, test_labels = read_fashion_mnist(train=False)
    assert test_images.shape == (10000, 28, 28)
    assert torch.equal(torch.bincount(test_labels), torch.full((10,), 1000))


def test_fast_loader_matches_torchvision_path():
    fast_train, fast_test = load_data_fashion_mnist(100)
    slow_train, slow_test = load_data_fashion_mnist(100, fast=False)
    assert len(fast_test) == len(slow_test) == 100 and len(fast_train) == len(slow_train) == 600
    for (X, y), (X_ref, y_ref), _ in zip(fast_test, slow_test, range(5)):
        assert X.dtype == X_ref.dtype == torch.float32 and X.shape == X_ref.shape == (100, 1, 28, 28)
        assert torch.equal(X, X_ref) and torch.equal(y, y_ref)
    for i in (0, 1234, 59999):
        image, label = fast_train.dataset[i]
        ref_image, ref_label = slow_train.dataset[i]
        assert torch.equal(image, ref_image) and label == ref_label


def test_fast_loader_resize_matches_torchvision_within_one_grey_level():
    fast_train, _ = load_data_fashion_mnist(8, resize=40)
    slow_train, _ = load_data_fashion_mnist(8, resize=40, fast=False)
    X, _ = next(iter(fast_train))
    assert X.shape == (8, 1, 40, 40)
    for i in (0, 7, 30000):
        assert (fast_train.dataset[i][0] - slow_train.dataset[i][0]).abs().max() <= 1 / 255 + 1e-6


def test_fast_loader_shuffles_reproducibly_and_covers_every_example():
    train, test = load_data_fashion_mnist(256)
    set_seed(0)
    first = torch.cat([y for _, y in train])
    set_seed(0)
    again = torch.cat([y for _, y in train])
    third = torch.cat([y for _, y in train])
    assert torch.equal(first, again) and not torch.equal(first, third)
    assert torch.equal(torch.bincount(first), torch.full((10,), 6000))
    sizes = [len(y) for _, y in test]
    assert sizes == [256] * 39 + [16] and len(test) == 40


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, "256"])
def test_bad_batch_size(batch_size):
    with pytest.raises(ValueError, match="batch_size"):
        load_data_fashion_mnist(batch_size)


@pytest.mark.parametrize("resize", [0, -28, 2.0, "64"])
def test_bad_resize(resize):
    with pytest.raises(ValueError, match="resize"):
        load_data_fashion_mnist(32, resize=resize)


def test_batches_accept_three_or_four_dimensional_images():
    images = torch.arange(5 * 4, dtype=torch.uint8).reshape(5, 2, 2)
    batches = FashionMNISTBatches(images, torch.arange(5), batch_size=2, shuffle=False)
    X, y = next(iter(batches))
    assert X.shape == (2, 1, 2, 2) and torch.allclose(X.flatten(), torch.arange(8) / 255)
    assert len(batches) == 3 and len(batches.dataset) == 5


def test_workers_never_hang_a_notebook(monkeypatch):
    monkeypatch.setattr(fashion, "in_notebook", lambda: True)
    assert get_dataloader_workers() == 0
    monkeypatch.setattr(fashion, "in_notebook", lambda: False)
    monkeypatch.setattr(fashion.multiprocessing, "get_start_method", lambda allow_none: "spawn")
    assert get_dataloader_workers() == 0
    monkeypatch.setattr(fashion.multiprocessing, "get_start_method", lambda allow_none: "fork")
    for cpus, workers in [(1, 0), (2, 2), (3, 3), (64, 4)]:
        monkeypatch.setattr(fashion, "available_cpus", lambda cpus=cpus: cpus)
        assert get_dataloader_workers() == workers
