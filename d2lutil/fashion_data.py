"""FashionMNIST: d2l 1.0's Fashion-MNIST DataModule, found offline and read by the fast in-memory loader.

Differences from d2l 1.0.3's FashionMNIST:

- The data is found as load_data_fashion_mnist finds it ($D2LUTIL_FASHION_MNIST, the
  project's cache, Debian's dataset-fashion-mnist), then in `root` (d2l's '../data'); only
  when it is nowhere is it downloaded, into `root`, as d2l does.
- `.train` and `.val` hold the checked images in memory (uint8) and behave as torchvision's
  datasets: len, indexing gives (image [1, H, W] in [0, 1], int label), .classes, .data,
  .targets. A square `resize` is applied per item and per batch by the fast loader; a
  non-square one goes through torchvision's datasets and transforms, as in d2l.
- get_dataloader serves the in-memory splits through the fast loader (same values as
  ToTensor, shuffled by torch's global generator); if `.train`/`.val` were replaced, it
  builds d2l's DataLoader over them.
- num_workers comes from the usable CPUs (DataModule's default), not d2l's fixed 4; the
  fast loader needs none.
"""
import numbers
from pathlib import Path

import torch

from .datamodule import DataModule
from .fashion import FashionMNISTBatches, fashion_mnist_datasets, get_fashion_mnist_labels, read_fashion_mnist
from .fashion_files import HOW_TO_GET, download_fashion_mnist, find_fashion_mnist, has_fashion_mnist
from .plot import show_images


def square_side(resize) -> int | None:
    """The side of a square resize, None for 28x28, 0 for a non-square (h, w); ValueError if not a size."""
    sizes = (resize, resize) if isinstance(resize, numbers.Integral) else resize
    try:
        h, w = sizes
        ok = all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1 for v in (h, w))
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"resize must be a size (height, width) such as (32, 32), or one side, got {resize!r}")
    if (h, w) == (28, 28):
        return None
    return int(h) if h == w else 0


def locate(root) -> Path:
    """The folder holding Fashion-MNIST: found offline first, then in `root`, else downloaded into `root`."""
    try:
        return find_fashion_mnist(download=False)
    except FileNotFoundError:
        found = has_fashion_mnist(Path(root))
        if found is not None:
            return found
    try:
        return download_fashion_mnist(Path(root))
    except Exception as error:  # no network, a proxy, a full disk: all end the same way
        raise FileNotFoundError(f"Fashion-MNIST is not on this machine nor in root={str(root)!r}, and its download "
                                f"into {root} failed ({error}).\n{HOW_TO_GET}") from error


class FashionMNIST(DataModule):
    """The Fashion-MNIST dataset: .train (60000 images), .val (the 10000 test images), minibatches of batch_size."""

    def __init__(self, batch_size=64, resize=(28, 28)):
        super().__init__()
        self.save_hyperparameters()
        folder = locate(self.root)
        side = square_side(resize)
        if side == 0:
            from torchvision import transforms
            self.train, self.val = fashion_mnist_datasets(None, folder)
            for split in (self.train, self.val):
                split.transform = transforms.Compose([transforms.Resize(tuple(resize)), transforms.ToTensor()])
        else:
            self.train, self.val = (FashionMNISTBatches(*read_fashion_mnist(train, folder), batch_size,
                                                        shuffle=train, resize=side).dataset
                                    for train in (True, False))
        self.in_memory = () if side == 0 else (self.train, self.val)

    def text_labels(self, indices):
        """The text labels of class ids."""
        return get_fashion_mnist_labels(indices)

    def get_dataloader(self, train):
        """Minibatches of .train (shuffled) or .val: the fast loader for the in-memory splits."""
        data = self.train if train else self.val
        if any(data is split for split in self.in_memory):
            return FashionMNISTBatches(data.images, data.labels, self.batch_size, shuffle=train,
                                       resize=data.resize)
        return torch.utils.data.DataLoader(data, self.batch_size, shuffle=train, num_workers=self.num_workers)

    def visualize(self, batch, nrows=1, ncols=8, labels=[]):  # noqa: B006 (d2l's signature)
        """Show the first nrows * ncols images of a batch with their labels (or `labels`)."""
        X, y = batch
        if not labels:
            labels = self.text_labels(y)
        show_images(X.squeeze(1), nrows, ncols, titles=labels)
