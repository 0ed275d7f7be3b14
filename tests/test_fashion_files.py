"""Where Fashion-MNIST is found: search order, environment variable, download (d2lutil.fashion_files)."""
from pathlib import Path

import pytest

from d2lutil import fashion_files
from d2lutil.fashion_files import FILE_NAMES, find_fashion_mnist

FILES = [f"{name}.gz" for name in FILE_NAMES]


@pytest.fixture
def places(tmp_path, monkeypatch):
    """Empty env dir, cache and system dir under tmp_path, with the env variables cleared."""
    monkeypatch.delenv(fashion_files.ENV_DIR, raising=False)
    monkeypatch.setenv(fashion_files.ENV_CACHE, str(tmp_path / "cache"))
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
    monkeypatch.setenv(fashion_files.ENV_DIR, str(env))
    assert find_fashion_mnist(download=False) == env


def test_env_var_pointing_nowhere_is_an_error(places, monkeypatch):
    fake_copy(places / "system")
    monkeypatch.setenv(fashion_files.ENV_DIR, str(places / "typo"))
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
    monkeypatch.setenv(fashion_files.ENV_DIR, spelling)
    assert find_fashion_mnist(download=False) == folder


def test_env_dir_that_does_not_exist_says_so(places, monkeypatch):
    monkeypatch.setenv(fashion_files.ENV_DIR, str(places / "nowhere"))
    with pytest.raises(ValueError, match="nowhere\\) does not exist"):
        find_fashion_mnist(download=False)
