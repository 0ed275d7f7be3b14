"""d2l 1.0's FashionMNIST DataModule on d2lutil's offline data and fast loader."""
import pytest
import torch

from d2lutil import torch as d2l
from d2lutil.fashion import read_fashion_mnist


@pytest.fixture(scope="module")
def data():
    return d2l.FashionMNIST(batch_size=256)


def test_signature_defaults_and_splits(data):
    assert (d2l.FashionMNIST.__init__.__defaults__) == (64, (28, 28))
    assert (data.batch_size, data.resize, data.root) == (256, (28, 28), "../data")
    assert (len(data.train), len(data.val)) == (60000, 10000)
    assert data.train.classes[0] == "T-shirt/top" and len(data.val.classes) == 10


def test_items_and_batches_have_torchvisions_values(data):
    images, labels = read_fashion_mnist(train=False)
    X0, y0 = data.val[0]
    assert X0.shape == (1, 28, 28) and isinstance(y0, int) and y0 == int(labels[0])
    assert torch.equal(X0[0], images[0].float() / 255)
    X, y = next(iter(data.val_dataloader()))
    assert X.shape == (256, 1, 28, 28) and X.dtype == torch.float32 and y.dtype == torch.int64
    assert torch.equal(y, labels[:256])
    assert len(data.train_dataloader()) == 235 and len(data.val_dataloader()) == 40


def test_a_changed_batch_size_is_used_by_the_next_loader(data):
    data.batch_size = 1000
    try:
        assert len(data.val_dataloader()) == 10
    finally:
        data.batch_size = 256


def test_square_resize_resizes_items_and_batches():
    data = d2l.FashionMNIST(batch_size=8, resize=(32, 32))
    assert data.train[0][0].shape == (1, 32, 32)
    assert next(iter(data.train_dataloader()))[0].shape == (8, 1, 32, 32)


def test_non_square_resize_goes_through_torchvision():
    data = d2l.FashionMNIST(batch_size=4, resize=(20, 30))
    X, y = next(iter(data.val_dataloader()))
    assert X.shape == (4, 1, 20, 30) and isinstance(data.val_dataloader(), torch.utils.data.DataLoader)


def test_replaced_splits_are_served_by_a_dataloader(data):
    subset = torch.utils.data.Subset(data.val, range(10))
    saved = data.val
    data.val = subset
    try:
        loader = data.val_dataloader()
        assert isinstance(loader, torch.utils.data.DataLoader) and len(loader) == 1
    finally:
        data.val = saved


def test_text_labels_and_visualize(data):
    assert data.text_labels(torch.tensor([0, 9])) == ["t-shirt", "ankle boot"]
    batch = next(iter(data.val_dataloader()))
    data.visualize(batch)
    from matplotlib import pyplot as plt
    titles = [ax.get_title() for ax in plt.gcf().axes if ax.get_title()]
    assert titles == data.text_labels(batch[1][:8])


@pytest.mark.parametrize("resize", [0, (28,), "28", (28, 0)])
def test_bad_resize(resize):
    with pytest.raises(ValueError, match="resize must be a size"):
        d2l.FashionMNIST(resize=resize)


def test_bad_batch_size():
    with pytest.raises(ValueError, match="batch_size"):
        d2l.FashionMNIST(batch_size=0)


def test_missing_data_without_network_says_how_to_get_it(monkeypatch, tmp_path):
    import d2lutil.fashion_data as fd

    def offline(download=False):
        raise FileNotFoundError("not here")

    def no_network(root):
        raise OSError("no network")

    monkeypatch.setattr(fd, "find_fashion_mnist", offline)
    monkeypatch.setattr(fd, "download_fashion_mnist", no_network)
    with pytest.raises(FileNotFoundError, match=r"(?s)nor in root=.*no network.*apt-get install dataset-fashion-mnist"):
        fd.locate(tmp_path)
