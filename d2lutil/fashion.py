"""Fashion-MNIST for the chapters (8 onward): the class names and the loaders.

`read_fashion_mnist` gives a whole split, read and checked once per process by
d2lutil.fashion_files (which owns the files: finding, checking, the cache's copies);
`load_data_fashion_mnist` serves it through the fast in-memory loader
(`FashionMNISTBatches`) or, with fast=False, through torchvision's datasets and DataLoader,
the path of the d2l book.
"""
import math
import multiprocessing
import numbers
import sys
from pathlib import Path

import torch
from torch.utils import data

from .cpus import available_cpus
from .fashion_files import SPLITS, data_dir, load_split, torchvision_root
from .fashion_files import find_fashion_mnist  # noqa: F401 (public: the chapters import it from here)
from .validate import positive_int

TEXT_LABELS = ["t-shirt", "trouser", "pullover", "dress", "coat",
               "sandal", "shirt", "sneaker", "bag", "ankle boot"]
# torchvision's class names, which its FashionMNIST dataset exposes as .classes
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def get_fashion_mnist_labels(labels) -> list[str]:
    """The text labels of Fashion-MNIST class ids (a list or an integer tensor)."""
    if isinstance(labels, torch.Tensor):
        if labels.is_floating_point() or labels.is_complex():
            raise ValueError(f"labels must be integer class ids, got a tensor of dtype {labels.dtype}; "
                             "use y.long() or pass y_hat.argmax(dim=1)")
        if labels.dim() > 2 or labels.dim() == 2 and labels.shape[1] != 1:
            raise ValueError(f"labels must be a 1-D tensor of class ids (or a column [N, 1]), got shape "
                             f"{tuple(labels.shape)}; for scores pass y_hat.argmax(dim=1)")
        labels = labels.reshape(-1).tolist()
    names = []
    for i in labels:
        if isinstance(i, bool) or not float(i).is_integer() or not 0 <= int(i) < len(TEXT_LABELS):
            raise ValueError(f"label ids must be whole numbers in 0..{len(TEXT_LABELS) - 1}, got {i!r}")
        names.append(TEXT_LABELS[int(i)])
    return names


def read_fashion_mnist(train: bool = True, folder: Path | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """All images (uint8 [N, 28, 28]) and labels (int64 [N]) of a split, read once per process."""
    return load_split(str(data_dir(folder).resolve()), "train" if train else "test")


def check_resize(resize) -> int | None:
    """Return `resize` if it is None or a positive image side, else raise ValueError."""
    if resize is None:
        return None
    if isinstance(resize, bool) or not isinstance(resize, numbers.Integral) or resize < 1:
        raise ValueError(f"resize must be None (keep 28x28) or a positive side length such as 64, "
                         f"got {resize!r}")
    return int(resize)


RESIZE_CHUNK = 16  # images resized at a time (16 at 224x224: 3.2 MB of float intermediates)


def resize_images(images: torch.Tensor, size: int) -> torch.Tensor:
    """Resize uint8 images [B, 1, H, W] (or [B, H, W]) to uint8 [B, 1, size, size] as torchvision's Resize."""
    from torchvision.transforms import functional
    if images.dim() == 3:
        images = images.unsqueeze(1)
    return functional.resize(images, [size, size], antialias=True)


def to_float(images: torch.Tensor, resize: int | None = None) -> torch.Tensor:
    """uint8 images [B, 1, H, W], resized if asked, as a new tensor of the default dtype in [0, 1].

    Resizing goes RESIZE_CHUNK images at a time into the batch's one output tensor, so the
    interpolation's float and uint8 intermediates stay small: whole batches of 128 at 224x224
    make two more 25 MB blocks each, and the C allocator keeps some of them after they are freed.
    """
    dtype = torch.get_default_dtype()
    if not resize:
        return images.to(dtype).div_(255)  # ToTensor's own two steps, so the same values
    out = torch.empty(len(images), images.shape[1], resize, resize, dtype=dtype)
    for chunk, part in zip(images.split(RESIZE_CHUNK), out.split(RESIZE_CHUNK)):
        part.copy_(resize_images(chunk, resize)).div_(255)
    return out


class InMemoryFashionMNIST(data.Dataset):
    """A Fashion-MNIST split held in memory; items are (image [1, H, W] in [0, 1], int label).

    Like torchvision's FashionMNIST it has `classes`, `data` (uint8 [N, 28, 28]) and
    `targets` (int64 [N]); `data` and `targets` are copies, so editing them cannot
    change the loader or the data other loaders of this process share.
    """

    classes = CLASSES

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, resize: int | None = None):
        self.images, self.labels, self.resize = images, labels, resize

    @property
    def data(self) -> torch.Tensor:
        """The images as uint8 [N, 28, 28] (a copy)."""
        return self.images.reshape(len(self.images), *self.images.shape[-2:]).clone()

    @property
    def targets(self) -> torch.Tensor:
        """The labels as int64 [N] (a copy)."""
        return self.labels.clone()

    @property
    def class_to_idx(self) -> dict[str, int]:
        """{class name: id}, as torchvision gives it."""
        return {name: i for i, name in enumerate(self.classes)}

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        return to_float(self.images[i].unsqueeze(0), self.resize)[0], int(self.labels[i])


class FashionMNISTBatches:
    """Minibatches of an in-memory split: [B, 1, H, W] in [0, 1] (the default dtype) and int64 [B].

    The images stay one uint8 tensor of 28x28 images. Each epoch draws one shuffled order
    (and gathers the labels in it at once); each batch then gathers its images with one
    index_select, is resized if asked (so memory stays that of the 28x28 data) and becomes
    floats divided by 255, the same values as torchvision's ToTensor. Gathering per batch
    rather than the whole epoch at once keeps each batch in the CPU cache: it reads an
    epoch about 3x faster (`make bench`, figure 5). Every batch is a new tensor: editing
    X or y in place never changes the data. Shuffling draws from torch's global
    generator (seeded by d2lutil.seed.set_seed), like a DataLoader with shuffle=True.
    Like a DataLoader it has `batch_size`, `num_workers` (0), `drop_last` (False) and `dataset`.
    """

    num_workers = 0
    drop_last = False

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, batch_size: int, shuffle: bool,
                 resize: int | None = None):
        self.images = images if images.dim() == 4 else images.unsqueeze(1)
        self.labels = labels
        self.batch_size = positive_int("batch_size", batch_size)
        self.shuffle = shuffle
        self.resize = check_resize(resize)
        self.dataset = InMemoryFashionMNIST(self.images, self.labels, self.resize)

    def __len__(self) -> int:
        return math.ceil(len(self.labels) / self.batch_size)

    def __iter__(self):
        if self.shuffle:
            order = torch.randperm(len(self.labels))
            labels = self.labels.index_select(0, order)
            images = (self.images.index_select(0, idx) for idx in order.split(self.batch_size))
        else:
            labels, images = self.labels.clone(), self.images.split(self.batch_size)
        for X, y in zip(images, labels.split(self.batch_size)):
            yield to_float(X, self.resize), y


def fashion_mnist_datasets(resize: int | None = None, folder: Path | None = None):
    """torchvision's FashionMNIST train and test datasets (ToTensor, optional Resize), from local files.

    The files are checked first as the fast loader checks them (sizes, counts, label ids,
    SHA-256), so both paths accept and refuse the same data.
    """
    import torchvision
    from torchvision import transforms
    resize = check_resize(resize)
    folder = data_dir(folder)
    for split in SPLITS:
        load_split(str(folder.resolve()), split)  # checks the files, and copies them if it can
    root = torchvision_root(folder)
    steps = [transforms.ToTensor()]
    if resize:
        steps.insert(0, transforms.Resize(resize))
    if torch.get_default_dtype() != torch.float32:
        steps.append(transforms.ConvertImageDtype(torch.get_default_dtype()))
    trans = transforms.Compose(steps)
    return tuple(torchvision.datasets.FashionMNIST(root=str(root), train=train, transform=trans,
                                                   download=False) for train in (True, False))


def in_notebook() -> bool:
    """True inside a Jupyter/IPython kernel."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def get_dataloader_workers() -> int:
    """DataLoader worker processes that help and cannot hang.

    0 in a notebook, without fork, or with a single usable CPU (a worker would only
    compete with the main process); else one per usable CPU (affinity and cgroup quota,
    see d2lutil.cpus.available_cpus), at most 4.
    """
    if in_notebook() or multiprocessing.get_start_method(allow_none=True) not in (None, "fork"):
        return 0
    if "fork" not in multiprocessing.get_all_start_methods() or sys.platform in ("win32", "darwin"):
        return 0
    cpus = available_cpus()
    return 0 if cpus < 2 else min(4, cpus)


def load_data_fashion_mnist(batch_size: int, resize: int | None = None, fast: bool = True):
    """Train and test minibatch iterators of Fashion-MNIST (fast in-memory loader by default).

    With fast=False it returns torchvision DataLoaders over FashionMNIST with ToTensor,
    the path the d2l book uses; both give the same values, in the default dtype, and check
    the files the same way. With `resize`, the fast loader resizes each batch as it is
    read, so memory stays that of the 28x28 images whatever the size.
    """
    batch_size = positive_int("batch_size", batch_size)
    resize = check_resize(resize)
    if not fast:
        train, test = fashion_mnist_datasets(resize)
        workers = get_dataloader_workers()
        return (data.DataLoader(train, batch_size, shuffle=True, num_workers=workers),
                data.DataLoader(test, batch_size, shuffle=False, num_workers=workers))
    return tuple(FashionMNISTBatches(*read_fashion_mnist(train), batch_size, shuffle=train, resize=resize)
                 for train in (True, False))
