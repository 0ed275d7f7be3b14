"""Fashion-MNIST: found offline, read with checks, and served fast (chapter 7 onward).

Where the data is looked for, in order (`find_fashion_mnist`):
1. the directory named by the environment variable D2LUTIL_FASHION_MNIST;
2. the project's data cache, <cache>/fashion-mnist (cache: $D2LUTIL_CACHE or ~/.cache/d2lutil);
3. the files of Debian's package dataset-fashion-mnist, /usr/share/datasets/fashion-mnist;
4. torchvision's download, into the cache.
A directory holds the data if it has the four IDX files, plain or gzipped, directly or
in torchvision's FashionMNIST/raw layout. Each file is checked (structure, counts, label
ids, SHA-256) once per version: the checked, uncompressed content is kept in
<cache>/torchvision/FashionMNIST/raw, which torchvision reads and the fast loader maps.
"""
import functools
import gzip
import hashlib
import math
import multiprocessing
import numbers
import os
import sys
import zlib
from pathlib import Path

import torch
from torch.utils import data

from .cpus import available_cpus
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
# SHA-256 of each file's uncompressed content: the same whether it is stored plain or gzipped.
SHA256 = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}
ENV_UNCHECKED = "D2LUTIL_ALLOW_UNKNOWN_DATA"
# torchvision's class names, which its FashionMNIST dataset exposes as .classes
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
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
        folder = Path(os.path.expandvars(env)).expanduser()
        found = has_fashion_mnist(folder)
        if found is None:
            problem = "does not exist" if not folder.exists() else (
                f"does not hold the four Fashion-MNIST files ({', '.join(FILE_NAMES)}, plain or .gz)")
            raise ValueError(f"{ENV_DIR}={env} (the folder {folder}) {problem}; "
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


def checks_enabled() -> bool:
    """False when the reader set D2LUTIL_ALLOW_UNKNOWN_DATA=1 to use other IDX data (a subset, MNIST)."""
    return os.environ.get(ENV_UNCHECKED) != "1"


def check_checksum(path: Path, name: str, raw: bytes) -> None:
    """Raise ValueError unless `raw` (the uncompressed `name` read from `path`) is the published file."""
    if checks_enabled() and hashlib.sha256(raw).hexdigest() != SHA256[name]:
        raise ValueError(f"{path} is not the published Fashion-MNIST file {name}: its SHA-256 differs "
                         f"(corrupt, or other data). Delete it and get the data again; to train on "
                         f"other IDX data on purpose (a subset, MNIST), set {ENV_UNCHECKED}=1")


def copy_dir() -> Path:
    """Where the uncompressed, checked copies of the four files live (torchvision's layout)."""
    return cache_dir() / "torchvision" / "FashionMNIST" / "raw"


def _stamp(path: Path) -> str:
    """What identifies a checked source file: its resolved path, size and time, and the check mode."""
    info = path.stat()
    return f"{path.resolve()} {info.st_size} {info.st_mtime_ns} {'checked' if checks_enabled() else 'unchecked'}"


def _copy_is_current(name: str, stamp: str) -> bool:
    """True if the cache holds an uncompressed copy of `name` made from the source with this stamp."""
    try:
        return (copy_dir() / name).is_file() and (copy_dir() / f"{name}.source").read_text() == stamp
    except OSError:
        return False


def save_copy(name: str, content: bytes, stamp: str) -> None:
    """Write the uncompressed `content` of a checked file into the cache, with the stamp of its source."""
    raw = copy_dir()
    raw.mkdir(parents=True, exist_ok=True)
    partial = raw / f"{name}.{os.getpid()}.part"
    partial.write_bytes(content)
    os.replace(partial, raw / name)
    (raw / f"{name}.source").write_text(stamp)


def map_copy(name: str) -> torch.Tensor | None:
    """The cached uncompressed copy of `name`, mapped copy-on-write (no read, no copy); None if unusable."""
    import numpy as np
    path = copy_dir() / name
    with open(path, "rb") as f:
        head = f.read(16)
    ndim = head[3] if len(head) >= 4 else 0
    shape = [int.from_bytes(head[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    if ndim not in (1, 3) or path.stat().st_size != 4 + 4 * ndim + math.prod(shape):
        return None
    return torch.from_numpy(np.memmap(path, dtype=np.uint8, mode="c", offset=4 + 4 * ndim, shape=tuple(shape)))


@functools.lru_cache(maxsize=4)
def _read_split(folder: str, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Images and labels of one split in `folder`, checked; cached, so never hand them out to modify.

    A split is read and checked once per version of its files: the checked, uncompressed
    content is kept in the cache (copy_dir) and mapped from there by later processes.
    """
    images_name, labels_name, count = SPLITS[split]
    paths = {name: _file_in(Path(folder), name) for name in (images_name, labels_name)}
    stamps = {name: _stamp(path) for name, path in paths.items()}
    if Path(folder) != copy_dir() and all(_copy_is_current(name, stamps[name]) for name in paths):
        images, labels = map_copy(images_name), map_copy(labels_name)
        if images is not None and labels is not None:
            return images, labels.long()
    contents = {name: idx_bytes(path) for name, path in paths.items()}
    (raw_images, images_header, images_shape) = contents[images_name]
    (raw_labels, labels_header, labels_shape) = contents[labels_name]
    shapes_ok = len(images_shape) == 3 and images_shape[1:] == [28, 28] and len(labels_shape) == 1 \
        and images_shape[0] == labels_shape[0]
    if not shapes_ok or checks_enabled() and labels_shape[0] != count:
        raise ValueError(f"Fashion-MNIST {split} split in {folder} has images {tuple(images_shape)} "
                         f"({paths[images_name].name}) and labels {tuple(labels_shape)} "
                         f"({paths[labels_name].name}), expected ({count}, 28, 28) and ({count},); "
                         "are the train and test files swapped, or from another data set?")
    labels = torch.frombuffer(bytearray(raw_labels), dtype=torch.uint8, offset=labels_header)
    if labels.numel() and int(labels.max()) >= len(TEXT_LABELS):
        raise ValueError(f"{paths[labels_name]} holds label ids above {len(TEXT_LABELS) - 1} "
                         f"(up to {int(labels.max())}): the file is corrupt; delete it and get the data again")
    for name, path in paths.items():
        check_checksum(path, name, contents[name][0])
    if Path(folder) != copy_dir():
        try:
            for name in paths:
                save_copy(name, contents[name][0], stamps[name])
        except OSError:
            pass  # a read-only cache: read (and check) the files again next time
    images = torch.frombuffer(bytearray(raw_images), dtype=torch.uint8, offset=images_header)
    return images.reshape(images_shape), labels.long()


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


def resize_images(images: torch.Tensor, size: int) -> torch.Tensor:
    """Resize uint8 images [B, 1, H, W] (or [B, H, W]) to uint8 [B, 1, size, size] as torchvision's Resize."""
    from torchvision.transforms import functional
    if images.dim() == 3:
        images = images.unsqueeze(1)
    return functional.resize(images, [size, size], antialias=True)


def to_float(images: torch.Tensor, resize: int | None = None) -> torch.Tensor:
    """uint8 images [B, 1, H, W], resized if asked, as a new tensor of the default dtype in [0, 1]."""
    if resize:
        images = resize_images(images, resize)
    return images.to(torch.get_default_dtype()).div_(255)  # ToTensor's own two steps, so the same values


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
            labels, indices = self.labels.index_select(0, order), order.split(self.batch_size)
        else:
            labels, indices = self.labels.clone(), None
        for i, y in enumerate(labels.split(self.batch_size)):
            if indices is None:
                X = self.images[i * self.batch_size: i * self.batch_size + len(y)]
            else:
                X = self.images.index_select(0, indices[i])
            yield to_float(X, self.resize), y


def torchvision_root(folder: Path) -> Path:
    """A root for torchvision.datasets.FashionMNIST: checked, uncompressed files in <root>/FashionMNIST/raw.

    A folder already in that layout is used as it is; otherwise the root is the cache,
    where _read_split keeps a checked copy of each file, replaced whenever its source
    changes (another folder, size or time), so a stale copy is never used.
    """
    folder = Path(folder)
    for split in SPLITS:
        _read_split(str(folder.resolve()), split)  # checks the files, and copies them if it can
    if folder.name == "raw" and folder.parent.name == "FashionMNIST" and all(
            (folder / name).is_file() for name in FILE_NAMES):
        return folder.parent.parent
    try:
        for name in FILE_NAMES:
            source = _file_in(folder, name)
            stamp = _stamp(source)
            if not _copy_is_current(name, stamp):
                save_copy(name, idx_bytes(source)[0], stamp)
    except OSError as error:
        raise OSError(error.errno, f"cannot write torchvision's uncompressed copy of Fashion-MNIST into "
                                   f"{copy_dir()} ({error.strerror or error}); set {ENV_CACHE} to a writable "
                                   "directory, or use the default fast=True, which needs no copy") from error
    return copy_dir().parent.parent


def fashion_mnist_datasets(resize: int | None = None, folder: Path | None = None):
    """torchvision's FashionMNIST train and test datasets (ToTensor, optional Resize), from local files.

    The files are checked first as the fast loader checks them (sizes, counts, label ids,
    SHA-256), so both paths accept and refuse the same data.
    """
    import torchvision
    from torchvision import transforms
    resize = check_resize(resize)
    root = torchvision_root(data_dir(folder))
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
