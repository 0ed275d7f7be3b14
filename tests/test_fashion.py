"""d2lutil.fashion: the class names, the fast loader against torchvision's path, both paths' checks.

The files themselves (finding, the IDX reader, the cache's copies, load_split) are tested in
test_fashion_files.py.
"""
from pathlib import Path

import pytest
import torch

from d2lutil import fashion
from d2lutil.fashion import (FashionMNISTBatches, get_dataloader_workers, get_fashion_mnist_labels,
                             load_data_fashion_mnist, read_fashion_mnist)
from d2lutil.fashion_files import ENV_CACHE, ENV_DIR, ENV_UNCHECKED, FILE_NAMES, SPLITS, file_in, find_fashion_mnist
from d2lutil.seed import set_seed

FILES = [f"{name}.gz" for name in FILE_NAMES]
BOTH_PATHS = pytest.mark.parametrize("fast", [True, False], ids=["fast", "torchvision"])


def real_copy(folder: Path) -> Path:
    """Link the real files into `folder`, so that one of them can be replaced."""
    folder.mkdir(parents=True, exist_ok=True)
    source = find_fashion_mnist(download=False)
    for name in FILES:
        (folder / name).symlink_to(file_in(source, name[:-3]))
    return folder


def test_text_labels():
    assert get_fashion_mnist_labels([0, 9, 5]) == ["t-shirt", "ankle boot", "sandal"]
    assert get_fashion_mnist_labels(torch.tensor([[1], [2]])) == ["trouser", "pullover"]


@pytest.mark.parametrize("bad, match", [
    ([10], r"^label ids must be whole numbers in 0\.\.9, got 10"), ([-1], "got -1"), ([1.5], "got 1.5"),
    (torch.tensor([0.0, 1.0]), r"^labels must be integer class ids, .*argmax"),
    (torch.rand(4, 10), r"^labels must be integer class ids"),  # the scores y_hat, not y_hat.argmax(dim=1)
    (torch.tensor([[1, 2], [3, 4]]), r"^labels must be a 1-D tensor"),
], ids=["above-9", "negative", "fraction", "float-ids", "scores", "matrix"])
def test_text_labels_reject_bad_ids(bad, match):
    with pytest.raises(ValueError, match=match):
        get_fashion_mnist_labels(bad)


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


@pytest.mark.parametrize("size", [40, 14], ids=["enlarge", "shrink"])
def test_fast_loader_resize_matches_torchvision_within_one_grey_level(size):
    """Shrinking needs antialiasing to match torchvision's Resize (which antialiases), enlarging does not."""
    fast_train, _ = load_data_fashion_mnist(8, resize=size)
    slow_train, _ = load_data_fashion_mnist(8, resize=size, fast=False)
    X, _ = next(iter(fast_train))
    assert X.shape == (8, 1, size, size)
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



def test_torchvision_training_loader_shuffles_and_its_test_loader_does_not():
    train, test = load_data_fashion_mnist(256, fast=False)
    set_seed(0)
    _, y = next(iter(train))
    assert not torch.equal(y, train.dataset.targets[:256])
    assert torch.equal(next(iter(test))[1], test.dataset.targets[:256])


@BOTH_PATHS
@pytest.mark.parametrize("batch_size", [0, -1, 2.5, 256.0, "256"])
def test_bad_batch_size(batch_size, fast):
    with pytest.raises(ValueError, match=r"^batch_size must"):
        load_data_fashion_mnist(batch_size, fast=fast)


@BOTH_PATHS
@pytest.mark.parametrize("resize", [0, -28, 2.0, "64"])
def test_bad_resize(resize, fast):
    with pytest.raises(ValueError, match=r"^resize must"):
        load_data_fashion_mnist(32, resize=resize, fast=fast)


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


# --- issue 13: memory, stale copies, the same checks on both paths, dtype, aliasing -------------

@pytest.fixture
def subset_copy(write_idx):
    """subset_copy(folder, n_train, n_test, label_shift=0): the first examples of the real data, as plain IDX files."""
    def copy(folder: Path, n_train: int, n_test: int, label_shift: int = 0) -> Path:
        for train, n in ((True, n_train), (False, n_test)):
            images, labels = read_fashion_mnist(train=train)
            names = SPLITS["train" if train else "test"]
            write_idx(folder / names[0], images[:n])
            write_idx(folder / names[1], (labels[:n] + label_shift) % 10)
        return folder
    return copy


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A fresh, empty d2lutil cache (so fast=False writes its uncompressed copy under tmp_path)."""
    monkeypatch.setenv(ENV_CACHE, str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_resize_keeps_the_28x28_uint8_images_in_memory():
    """Issue 13 item 1: resize=224 resized all 60,000 images at once in float (21.8 GB)."""
    train, test = load_data_fashion_mnist(16, resize=224)
    assert train.images.dtype == torch.uint8 and train.images.shape == (60000, 1, 28, 28)
    X, y = next(iter(test))
    assert X.shape == (16, 1, 224, 224) and X.dtype == torch.float32 and y.shape == (16,)
    assert 0 <= float(X.min()) and float(X.max()) <= 1


def test_resize_goes_a_few_images_at_a_time_with_the_same_values(monkeypatch):
    """Issue 13 item 1: a whole batch resized at once made 25 MB intermediates per batch at 224."""
    images = torch.randint(0, 256, (40, 1, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    whole = fashion.resize_images(images, 50).to(torch.float32).div_(255)  # Resize, then ToTensor
    sizes = []
    resize_images = fashion.resize_images
    monkeypatch.setattr(fashion, "resize_images", lambda chunk, size: sizes.append(len(chunk)) or
                        resize_images(chunk, size))
    X = fashion.to_float(images, 50)
    assert sizes == [16, 16, 8] and max(sizes) <= fashion.RESIZE_CHUNK
    assert X.shape == (40, 1, 50, 50) and X.dtype == torch.float32
    assert torch.equal(X, whole)


def test_resize_peak_memory_stays_near_the_unresized_data(run_script):
    """Issue 13 item 1: resize=64 peaked at 2.9 GB; now it adds little over the 28x28 data."""
    done = run_script(
        "import resource\n"
        "from d2lutil.fashion import load_data_fashion_mnist, read_fashion_mnist\n"
        "read_fashion_mnist(True); read_fashion_mnist(False)\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "train, test = load_data_fashion_mnist(256, resize=64)\n"
        "for i, (X, y) in zip(range(20), train): pass\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print('GROWTH_MB', (after - before) / 1024)\n")
    assert done.returncode == 0, done.stderr
    growth = float(done.stdout.split("GROWTH_MB")[1])
    assert growth < 150, f"resize=64 added {growth:.0f} MB over the 28x28 data"


def test_stale_torchvision_copy_is_replaced(cache, tmp_path, monkeypatch, subset_copy):
    """Issue 13 item 2: after a run on a 6,000/1,000 copy, fast=False kept serving it."""
    real = real_copy(tmp_path / "real")
    monkeypatch.setenv(ENV_UNCHECKED, "1")  # the subset is not the published data
    monkeypatch.setenv(ENV_DIR, str(subset_copy(tmp_path / "small", 600, 100)))
    train, test = load_data_fashion_mnist(100, fast=False)
    assert (len(train.dataset), len(test.dataset)) == (600, 100)
    monkeypatch.setenv(ENV_DIR, str(real))
    train, test = load_data_fashion_mnist(100, fast=False)
    assert (len(train.dataset), len(test.dataset)) == (60000, 10000)
    assert torch.equal(test.dataset.targets, read_fashion_mnist(train=False)[1])


def test_going_back_to_a_folder_serves_its_data_again(cache, tmp_path, monkeypatch, subset_copy):
    """A -> B -> A in one process: the third fast=False loader serves A's data, not B's copy."""
    monkeypatch.setenv(ENV_UNCHECKED, "1")
    folders = {"A": subset_copy(tmp_path / "a", 60, 20), "B": subset_copy(tmp_path / "b", 60, 20, label_shift=1)}
    for name in ("A", "B", "A"):
        monkeypatch.setenv(ENV_DIR, str(folders[name]))
        _, test = load_data_fashion_mnist(10, fast=False)
        assert torch.equal(test.dataset.targets, read_fashion_mnist(train=False, folder=folders[name])[1]), name


@BOTH_PATHS
def test_other_counts_are_refused_on_both_paths(cache, tmp_path, monkeypatch, fast, subset_copy):
    """Issue 13 item 3: MNIST-shaped files with other counts passed with fast=False."""
    monkeypatch.setenv(ENV_DIR, str(subset_copy(tmp_path / "small", 600, 100)))
    with pytest.raises(ValueError, match=r"train split .* has images \(600, 28, 28\).*expected \(60000"):
        load_data_fashion_mnist(100, fast=fast)


@BOTH_PATHS
def test_swapped_train_and_test_files_are_refused_on_both_paths(cache, tmp_path, monkeypatch, fast):
    folder = real_copy(tmp_path / "swapped")
    for train_name, test_name in ((FILES[0], FILES[2]), (FILES[1], FILES[3])):
        (folder / train_name).rename(folder / "tmp")
        (folder / test_name).rename(folder / train_name)
        (folder / "tmp").rename(folder / test_name)
    monkeypatch.setenv(ENV_DIR, str(folder))
    with pytest.raises(ValueError, match="swapped"):
        load_data_fashion_mnist(100, fast=fast)


@BOTH_PATHS
def test_a_label_id_above_9_is_refused_on_both_paths(cache, tmp_path, monkeypatch, fast, write_idx):
    """Issue 13 test gap and item 3: a labels file with an id of 200 (or 10)."""
    folder = real_copy(tmp_path / "bad-label")
    labels = read_fashion_mnist(train=False)[1].clone()
    labels[5] = 200 if fast else 10
    (folder / FILES[3]).unlink()
    write_idx(folder / FILES[3], labels)
    monkeypatch.setenv(ENV_DIR, str(folder))
    with pytest.raises(ValueError, match=rf"t10k-labels-idx1-ubyte.gz holds label ids above 9 \(up to "
                                         rf"{labels[5]}\)"):
        load_data_fashion_mnist(100, fast=fast)


@BOTH_PATHS
def test_random_bytes_of_the_right_size_fail_the_checksum(cache, tmp_path, monkeypatch, fast, write_idx):
    """Issue 13 item 3: random bytes with a valid header and size; refused unless overridden."""
    folder = real_copy(tmp_path / "random")
    (folder / FILES[2]).unlink()
    noise = torch.randint(0, 256, (10000, 28, 28), generator=torch.Generator().manual_seed(0))
    write_idx(folder / FILES[2], noise)
    monkeypatch.setenv(ENV_DIR, str(folder))
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz is not the published.*SHA-256.*"
                                         + ENV_UNCHECKED):
        load_data_fashion_mnist(100, fast=fast)
    monkeypatch.setenv(ENV_UNCHECKED, "1")
    _, test = load_data_fashion_mnist(100, fast=fast)
    X, _ = next(iter(test))
    assert torch.equal(X[:, 0], noise[:100].float() / 255)


def test_unwritable_cache_says_how_to_fix_it(tmp_path, monkeypatch):
    """Issue 13 item 8: a read-only cache or HOME gave a bare OSError with fast=False."""
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv(ENV_CACHE, str(tmp_path / "file" / "cache"))
    with pytest.raises(OSError, match=f"cannot write torchvision's uncompressed copy.*{ENV_CACHE}"):
        load_data_fashion_mnist(100, fast=False)


def test_truncated_file_in_a_torchvision_folder_is_named(cache, tmp_path, monkeypatch, write_idx):
    """Issue 13 item 9: a truncated file in FashionMNIST/raw gave torchvision's reshape error."""
    raw = tmp_path / "tv" / "FashionMNIST" / "raw"
    for train in (True, False):
        images, labels = read_fashion_mnist(train=train)
        names = SPLITS["train" if train else "test"]
        write_idx(raw / names[0], images)
        write_idx(raw / names[1], labels)
    content = (raw / "t10k-images-idx3-ubyte").read_bytes()
    (raw / "t10k-images-idx3-ubyte").write_bytes(content[:-784])
    monkeypatch.setenv(ENV_DIR, str(raw.parent.parent))
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte is truncated"):
        load_data_fashion_mnist(100, fast=False)


@BOTH_PATHS
def test_batches_follow_the_default_dtype(fast):
    """Issue 13 item 5: the fast loader always yielded float32."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        _, test = load_data_fashion_mnist(10, fast=fast)
        X, _ = next(iter(test))
    finally:
        torch.set_default_dtype(previous)
    assert X.dtype == torch.float64
    assert torch.equal(X.float(), next(iter(load_data_fashion_mnist(10)[1]))[0])


def test_editing_batches_in_place_never_changes_the_data():
    """Issue 13 item 6: y[y == 6] = 0 on a test batch corrupted the process-wide cached labels."""
    labels = read_fashion_mnist(train=False)[1].clone()
    train, test = load_data_fashion_mnist(256)
    for X, y in test:
        y[y == 6] = 0
        X.zero_()
    for X, y in train:
        y.zero_()
        break
    assert torch.equal(read_fashion_mnist(train=False)[1], labels)
    assert torch.equal(torch.cat([y for _, y in test]), labels)
    assert float(next(iter(test))[0].max()) == 1.0
    _, fresh = load_data_fashion_mnist(256)
    assert torch.equal(torch.cat([y for _, y in fresh]), labels)
    test.dataset.targets.zero_()
    test.dataset.data.zero_()
    assert torch.equal(torch.cat([y for _, y in test]), labels)


@BOTH_PATHS
def test_loaders_have_the_dataloader_attributes(fast):
    """Issue 13: num_workers, drop_last, batch_size and .dataset.classes/targets/data, as torchvision's."""
    train, test = load_data_fashion_mnist(64, fast=fast)
    assert train.batch_size == test.batch_size == 64
    assert test.drop_last is False and isinstance(test.num_workers, int)
    assert test.dataset.classes == ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    images, labels = read_fashion_mnist(train=False)
    assert torch.equal(test.dataset.targets, labels)
    assert test.dataset.data.dtype == torch.uint8 and torch.equal(test.dataset.data, images)
    assert len(train.dataset.targets) == len(train.dataset) == 60000
