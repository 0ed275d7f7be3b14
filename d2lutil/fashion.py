"""Fashion-MNIST: found offline, read with checks, and served fast (chapter 7 onward).

Where the data is looked for, in order (`find_fashion_mnist`):
1. the directory named by the environment variable D2LUTIL_FASHION_MNIST;
2. the project's data cache, <cache>/fashion-mnist (cache: $D2LUTIL_CACHE or ~/.cache/d2lutil);
3. the files of Debian's package dataset-fashion-mnist, /usr/share/datasets/fashion-mnist;
4. torchvision's download, into the cache.
A directory holds the data if it has the four IDX files, plain or gzipped, directly or
in torchvision's FashionMNIST/raw layout.
"""
import functools
import gzip
import math
import multiprocessing
import numbers
import os
import sys
import zlib
from pathlib import Path

import torch
from torch.utils import data

from .validate import positive_int

TEXT_LABELS = ["t-shirt", "trouser", "pullover", "dress", "coat",
               "sandal", "shirt", "sneaker", "bag", "ankle boot"]
ENV_DIR = "D2LUTIL_FASHION_MNIST"
ENV_CACHE = "D2LUTIL_CACHE"
SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")
# split -> (images file, labels file, number of examples)
SPLITS = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 60000),
          "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 10000)}
FILE_NAMES = [name for images, labels, _ in SPLITS.values() for name in (images, labels)]
HOW_TO_GET = (
    "To get the data, do one of:\n"
    "  - on Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist\n"
    f"  - download the four *-ubyte.gz files from https://github.com/zalandoresearch/fashion-mnist "
    f"into a directory and set {ENV_DIR} to it\n"
    "  - call find_fashion_mnist(download=True) on a machine with internet access")


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


def cache_dir() -> Path:
    """The project's data cache: $D2LUTIL_CACHE, or ~/.cache/d2lutil."""
    return Path(os.environ.get(ENV_CACHE) or Path.home() / ".cache" / "d2lutil")


def _file_in(folder: Path, name: str) -> Path | None:
    """`name` or `name`.gz in `folder`, whichever exists."""
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def has_fashion_mnist(folder: Path) -> Path | None:
    """The directory inside `folder` that holds all four files (itself or FashionMNIST/raw), or None."""
    for place in (Path(folder), Path(folder) / "FashionMNIST" / "raw"):
        if all(_file_in(place, name) for name in FILE_NAMES):
            return place
    return None


def search_path() -> list[tuple[str, Path]]:
    """The places searched when $D2LUTIL_FASHION_MNIST is not set, in order, each with its reason."""
    return [("the project's data cache", cache_dir() / "fashion-mnist"),
            ("Debian's dataset-fashion-mnist package", SYSTEM_DIR)]


def download_fashion_mnist(root: Path) -> Path:
    """Download the four files into root/FashionMNIST/raw with torchvision; return that directory."""
    import torchvision
    for train in (True, False):
        torchvision.datasets.FashionMNIST(root=str(root), train=train, download=True)
    return Path(root) / "FashionMNIST" / "raw"


def find_fashion_mnist(download: bool = True) -> Path:
    """The directory that holds Fashion-MNIST, searched offline first (see the module docstring)."""
    env = os.environ.get(ENV_DIR)
    if env:
        found = has_fashion_mnist(Path(env))
        if found is None:
            raise ValueError(f"{ENV_DIR}={env} does not hold the four Fashion-MNIST files "
                             f"({', '.join(FILE_NAMES)}, plain or .gz); "
                             f"fix the path or unset {ENV_DIR}")
        return found
    for _, place in search_path():
        found = has_fashion_mnist(place)
        if found is not None:
            return found
    looked = "\n".join(f"  - {place} ({why})" for why, place in search_path())
    if download:
        try:
            return download_fashion_mnist(cache_dir() / "fashion-mnist")
        except Exception as error:  # no network, a proxy, a full disk: all end the same way
            raise FileNotFoundError(f"Fashion-MNIST is not on this machine and the download failed "
                                    f"({error}).\nLooked in:\n{looked}\n{HOW_TO_GET}") from error
    raise FileNotFoundError(f"Fashion-MNIST is not on this machine.\nLooked in:\n{looked}\n{HOW_TO_GET}")


def idx_bytes(path: Path) -> tuple[bytes, int, list[int]]:
    """The uncompressed content of an IDX file of unsigned bytes, its header length and shape, checked."""
    path = Path(path)
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(f"{path} is corrupt ({error}); delete it and get the data again") from error
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08 or not 1 <= raw[3] <= 3:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes (bad header {raw[:4].hex()}); "
                         "delete it and get the data again")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path} is truncated inside its header; delete it and get the data again")
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    expected = header + math.prod(shape)
    if len(raw) != expected:
        raise ValueError(f"{path} is truncated or corrupt: its header promises shape {shape} "
                         f"({expected} bytes) but it has {len(raw)} bytes; delete it and get the data again")
    return raw, header, shape


def read_idx(path: Path) -> torch.Tensor:
    """Read an IDX file of unsigned bytes (plain or gzipped); ValueError if truncated or corrupt."""
    raw, header, shape = idx_bytes(path)
    return torch.frombuffer(bytearray(raw), dtype=torch.uint8, offset=header).reshape(shape)


@functools.lru_cache(maxsize=4)
def _read_split(folder: str, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Images and labels of one split in `folder`, checked; cached, so do not modify them."""
    images_name, labels_name, count = SPLITS[split]
    images = read_idx(_file_in(Path(folder), images_name))
    labels = read_idx(_file_in(Path(folder), labels_name)).long()
    if tuple(images.shape) != (count, 28, 28) or tuple(labels.shape) != (count,):
        raise ValueError(f"Fashion-MNIST {split} split in {folder} has images {tuple(images.shape)} and "
                         f"labels {tuple(labels.shape)}, expected ({count}, 28, 28) and ({count},)")
    if labels.max() >= len(TEXT_LABELS):
        raise ValueError(f"Fashion-MNIST {split} labels in {folder} hold ids above 9: the file is corrupt")
    return images, labels


def data_dir(folder: Path | None = None) -> Path:
    """The directory holding the four files: inside `folder` if given, else found by find_fashion_mnist."""
    if folder is None:
        return find_fashion_mnist()
    found = has_fashion_mnist(Path(folder))
    if found is None:
        raise FileNotFoundError(f"{folder} does not hold the four Fashion-MNIST files")
    return found


def read_fashion_mnist(train: bool = True, folder: Path | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """All images (uint8 [N, 28, 28]) and labels (int64 [N]) of a split, read once per process."""
    return _read_split(str(data_dir(folder).resolve()), "train" if train else "test")


def check_resize(resize) -> int | None:
    """Return `resize` if it is None or a positive image side, else raise ValueError."""
    if resize is None:
        return None
    if isinstance(resize, bool) or not isinstance(resize, numbers.Integral) or resize < 1:
        raise ValueError(f"resize must be None (keep 28x28) or a positive side length such as 64, "
                         f"got {resize!r}")
    return int(resize)


class InMemoryFashionMNIST(data.Dataset):
    """A Fashion-MNIST split held in memory; items are (float32 [1, H, W] in [0, 1], int label)."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor):
        self.images, self.labels = images, labels

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        return self.images[i].float() / 255, int(self.labels[i])


class FashionMNISTBatches:
    """Minibatches of an in-memory split: float32 [B, 1, H, W] in [0, 1] and int64 [B].

    The images stay one uint8 tensor; each batch is gathered and divided by 255, which gives
    the same values as torchvision's ToTensor. Shuffling draws from torch's global generator
    (seeded by d2lutil.seed.set_seed), like a DataLoader with shuffle=True.
    """

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, batch_size: int, shuffle: bool):
        self.images = images if images.dim() == 4 else images.unsqueeze(1)
        self.labels = labels
        self.batch_size = positive_int("batch_size", batch_size)
        self.shuffle = shuffle
        self.dataset = InMemoryFashionMNIST(self.images, self.labels)

    def __len__(self) -> int:
        return math.ceil(len(self.labels) / self.batch_size)

    def __iter__(self):
        n = len(self.labels)
        order = torch.randperm(n) if self.shuffle else None
        for start in range(0, n, self.batch_size):
            if order is None:
                part = slice(start, start + self.batch_size)
            else:
                part = order[start:start + self.batch_size]
            yield self.images[part].float().div_(255), self.labels[part]


def resize_images(images: torch.Tensor, size: int) -> torch.Tensor:
    """Resize uint8 [N, 28, 28] images to [N, 1, size, size] once, as torchvision's Resize does."""
    from torchvision.transforms import functional
    return functional.resize(images.unsqueeze(1), [size, size], antialias=True)


def torchvision_root(folder: Path) -> Path:
    """A root for torchvision.datasets.FashionMNIST: uncompressed files in <root>/FashionMNIST/raw."""
    folder = Path(folder)
    if folder.name == "raw" and folder.parent.name == "FashionMNIST" and all(
            (folder / name).is_file() for name in FILE_NAMES):
        return folder.parent.parent
    root = cache_dir() / "torchvision"
    raw = root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for name in FILE_NAMES:
        target = raw / name
        if not target.is_file():
            content, _, _ = idx_bytes(_file_in(folder, name))  # checked: a corrupt file is not copied
            partial = raw / f"{name}.{os.getpid()}.part"
            partial.write_bytes(content)
            os.replace(partial, target)
    return root


def fashion_mnist_datasets(resize: int | None = None, folder: Path | None = None):
    """torchvision's FashionMNIST train and test datasets (ToTensor, optional Resize), from local files."""
    import torchvision
    from torchvision import transforms
    resize = check_resize(resize)
    root = torchvision_root(data_dir(folder))
    steps = [transforms.ToTensor()]
    if resize:
        steps.insert(0, transforms.Resize(resize))
    trans = transforms.Compose(steps)
    return tuple(torchvision.datasets.FashionMNIST(root=str(root), train=train, transform=trans,
                                                   download=False) for train in (True, False))


def in_notebook() -> bool:
    """True inside a Jupyter/IPython kernel."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def get_dataloader_workers() -> int:
    """DataLoader worker processes that cannot hang: 0 in a notebook or without fork, else up to 4."""
    if in_notebook() or multiprocessing.get_start_method(allow_none=True) not in (None, "fork"):
        return 0
    if "fork" not in multiprocessing.get_all_start_methods() or sys.platform in ("win32", "darwin"):
        return 0
    return min(4, os.cpu_count() or 1)


def load_data_fashion_mnist(batch_size: int, resize: int | None = None, fast: bool = True):
    """Train and test minibatch iterators of Fashion-MNIST (fast in-memory loader by default).

    With fast=False it returns torchvision DataLoaders over FashionMNIST with ToTensor,
    the path the d2l book uses; both give the same values.
    """
    batch_size = positive_int("batch_size", batch_size)
    resize = check_resize(resize)
    if not fast:
        train, test = fashion_mnist_datasets(resize)
        workers = get_dataloader_workers()
        return (data.DataLoader(train, batch_size, shuffle=True, num_workers=workers),
                data.DataLoader(test, batch_size, shuffle=False, num_workers=workers))
    iterators = []
    for train in (True, False):
        images, labels = read_fashion_mnist(train)
        if resize:
            images = resize_images(images, resize)
        iterators.append(FashionMNISTBatches(images, labels, batch_size, shuffle=train))
    return tuple(iterators)
