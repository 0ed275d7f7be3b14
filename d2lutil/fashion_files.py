"""The Fashion-MNIST files: where they are, reading and checking them, and the cache's copies.

`load_split(folder, split)` is the one way a split is read: images (uint8 [N, 28, 28]) and
labels (int64 [N]), every check passed, once per process. The loaders are d2lutil.fashion.

Where the data is looked for, in order (`find_fashion_mnist`):
1. the directory named by the environment variable D2LUTIL_FASHION_MNIST;
2. the project's data cache, <cache>/fashion-mnist (cache: $D2LUTIL_CACHE or ~/.cache/d2lutil);
3. the files of Debian's package dataset-fashion-mnist, /usr/share/datasets/fashion-mnist;
4. torchvision's download, into the cache.
A directory holds the data if it has the four IDX files, plain or gzipped, directly or in
torchvision's FashionMNIST/raw layout. Finding them reads nothing.

An IDX file of unsigned bytes is a 4-byte magic number (0, 0, 0x08, ndim), ndim big-endian
32-bit sizes, then exactly the values. A split passes when both files are such files, the
counts are 60,000 or 10,000 with 28x28 images, the label ids are 0..9, and each file's
uncompressed content has the SHA-256 of the published file (unless the reader set
D2LUTIL_ALLOW_UNKNOWN_DATA=1 to use other IDX data on purpose: a subset, MNIST).

Once a file has passed, its uncompressed content is kept in <cache>/torchvision/FashionMNIST/raw
with a stamp of its source (path, size, time, check mode) beside it: later processes map the
copy instead of reading and checking the source again, torchvision reads it (fast=False), and
a copy whose stamp is not its source's is replaced before it is used (`refresh_copy`).
"""
import functools
import gzip
import hashlib
import math
import os
import zlib
from pathlib import Path

import torch

ENV_DIR = "D2LUTIL_FASHION_MNIST"
ENV_CACHE = "D2LUTIL_CACHE"
ENV_UNCHECKED = "D2LUTIL_ALLOW_UNKNOWN_DATA"
SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")
NUM_CLASSES = 10
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
HOW_TO_GET = (
    "To get the data, do one of:\n"
    "  - on Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist\n"
    f"  - download the four *-ubyte.gz files from https://github.com/zalandoresearch/fashion-mnist "
    f"into a directory and set {ENV_DIR} to it\n"
    "  - call find_fashion_mnist(download=True) on a machine with internet access")
GET_AGAIN = "delete it and get the data again"


# --- finding the files -----------------------------------------------------------------------------

def cache_dir() -> Path:
    """The project's data cache: $D2LUTIL_CACHE, or ~/.cache/d2lutil."""
    return Path(os.environ.get(ENV_CACHE) or Path.home() / ".cache" / "d2lutil")


def file_in(folder: Path, name: str) -> Path | None:
    """`name` or `name`.gz in `folder`, whichever exists."""
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def has_fashion_mnist(folder: Path) -> Path | None:
    """The directory inside `folder` that holds all four files (itself or FashionMNIST/raw), or None."""
    for place in (Path(folder), Path(folder) / "FashionMNIST" / "raw"):
        if all(file_in(place, name) for name in FILE_NAMES):
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


def data_dir(folder: Path | None = None) -> Path:
    """The directory holding the four files: inside `folder` if given, else found by find_fashion_mnist."""
    if folder is None:
        return find_fashion_mnist()
    found = has_fashion_mnist(Path(folder))
    if found is None:
        raise FileNotFoundError(f"{folder} does not hold the four Fashion-MNIST files")
    return found


# --- reading and checking IDX files ------------------------------------------------------------------

def idx_layout(head: bytes, size: int, path: Path) -> tuple[int, list[int]]:
    """(header length, shape) of an IDX file of unsigned bytes of `size` bytes starting with `head`; ValueError if not one.

    `head` holds at least the file's first 16 bytes (or all of a shorter file).
    """
    if len(head) < 4 or head[0] != 0 or head[1] != 0 or head[2] != 0x08 or not 1 <= head[3] <= 3:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes (bad header {head[:4].hex()}); {GET_AGAIN}")
    header = 4 + 4 * head[3]
    if size < header or len(head) < header:
        raise ValueError(f"{path} is truncated inside its header; {GET_AGAIN}")
    shape = [int.from_bytes(head[4 + 4 * i: 8 + 4 * i], "big") for i in range(head[3])]
    expected = header + math.prod(shape)
    if size != expected:
        raise ValueError(f"{path} is truncated or corrupt: its header promises shape {shape} "
                         f"({expected} bytes) but it has {size} bytes; {GET_AGAIN}")
    return header, shape


def idx_bytes(path: Path) -> tuple[bytes, int, list[int]]:
    """The uncompressed content of an IDX file of unsigned bytes, its header length and shape, checked."""
    path = Path(path)
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(f"{path} is corrupt ({error}); {GET_AGAIN}") from error
    header, shape = idx_layout(raw[:16], len(raw), path)
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


# --- the cache's checked, uncompressed copies ----------------------------------------------------------

def copy_dir() -> Path:
    """Where the uncompressed, checked copies of the four files live (torchvision's layout)."""
    return cache_dir() / "torchvision" / "FashionMNIST" / "raw"


def stamp(path: Path) -> str:
    """What identifies a checked source file: its resolved path, size and time, and the check mode."""
    info = path.stat()
    return f"{path.resolve()} {info.st_size} {info.st_mtime_ns} {'checked' if checks_enabled() else 'unchecked'}"


def copy_is_current(name: str, source_stamp: str) -> bool:
    """True if the cache holds an uncompressed copy of `name` made from the source with this stamp."""
    try:
        return (copy_dir() / name).is_file() and (copy_dir() / f"{name}.source").read_text() == source_stamp
    except OSError:
        return False


def save_copy(name: str, content: bytes, source_stamp: str) -> None:
    """Write the uncompressed `content` of a checked file into the cache, with the stamp of its source."""
    raw = copy_dir()
    raw.mkdir(parents=True, exist_ok=True)
    partial = raw / f"{name}.{os.getpid()}.part"
    partial.write_bytes(content)
    os.replace(partial, raw / name)
    (raw / f"{name}.source").write_text(source_stamp)


def refresh_copy(name: str, source: Path, content: bytes | None = None) -> None:
    """Make the cache's copy of `name` that of the checked file `source` (its uncompressed `content`, read if None).

    Nothing is written when the copy is current; OSError if the cache cannot be written.
    """
    source_stamp = stamp(source)
    if not copy_is_current(name, source_stamp):
        save_copy(name, idx_bytes(source)[0] if content is None else content, source_stamp)


def map_copy(name: str) -> torch.Tensor | None:
    """The cached uncompressed copy of `name`, mapped copy-on-write (no read, no copy); None if unusable."""
    import numpy as np
    path = copy_dir() / name
    try:
        with open(path, "rb") as f:
            head = f.read(16)
        header, shape = idx_layout(head, path.stat().st_size, path)
    except (OSError, ValueError):
        return None
    return torch.from_numpy(np.memmap(path, dtype=np.uint8, mode="c", offset=header, shape=tuple(shape)))


def torchvision_root(folder: Path) -> Path:
    """A root for torchvision.datasets.FashionMNIST: uncompressed files in <root>/FashionMNIST/raw.

    Call it once the files in `folder` have passed their checks (load_split does).
    A folder already in that layout is used as it is; otherwise the root is the cache,
    whose copy of each file is made that of `folder` first, so a stale copy is never used.
    """
    folder = Path(folder)
    if folder.name == "raw" and folder.parent.name == "FashionMNIST" and all(
            (folder / name).is_file() for name in FILE_NAMES):
        return folder.parent.parent
    try:
        for name in FILE_NAMES:
            refresh_copy(name, file_in(folder, name))
    except OSError as error:
        raise OSError(error.errno, f"cannot write torchvision's uncompressed copy of Fashion-MNIST into "
                                   f"{copy_dir()} ({error.strerror or error}); set {ENV_CACHE} to a writable "
                                   "directory, or use the default fast=True, which needs no copy") from error
    return copy_dir().parent.parent


# --- a split, read once ---------------------------------------------------------------------------------

@functools.lru_cache(maxsize=4)
def load_split(folder: str, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Images (uint8 [N, 28, 28]) and labels (int64 [N]) of `split` in `folder`, checked; cached, so never modify them.

    A split is read and checked once per version of its files: the mapped copy in the cache
    when it is current, else the files themselves, whose checked content then becomes the copy.
    """
    images_name, labels_name, _ = SPLITS[split]
    paths = {name: file_in(Path(folder), name) for name in (images_name, labels_name)}
    from_cache = Path(folder) == copy_dir()
    if not from_cache and all(copy_is_current(name, stamp(path)) for name, path in paths.items()):
        images, labels = map_copy(images_name), map_copy(labels_name)
        if images is not None and labels is not None:
            return images, labels.long()
    contents = {name: idx_bytes(path) for name, path in paths.items()}
    _check_split(split, folder, paths, contents)
    if not from_cache:
        try:
            for name, path in paths.items():
                refresh_copy(name, path, contents[name][0])
        except OSError:
            pass  # a read-only cache: read (and check) the files again next time
    (raw_images, images_header, images_shape), (raw_labels, labels_header, _) = \
        contents[images_name], contents[labels_name]
    images = torch.frombuffer(bytearray(raw_images), dtype=torch.uint8, offset=images_header)
    labels = torch.frombuffer(bytearray(raw_labels), dtype=torch.uint8, offset=labels_header)
    return images.reshape(images_shape), labels.long()


def _check_split(split: str, folder: str, paths: dict, contents: dict) -> None:
    """Raise ValueError unless the images and labels of a split (idx_bytes of each file) pass every check."""
    images_name, labels_name, count = SPLITS[split]
    images_shape = contents[images_name][2]
    raw_labels, labels_header, labels_shape = contents[labels_name]
    shapes_ok = len(images_shape) == 3 and images_shape[1:] == [28, 28] and len(labels_shape) == 1 \
        and images_shape[0] == labels_shape[0]
    if not shapes_ok or checks_enabled() and labels_shape[0] != count:
        raise ValueError(f"Fashion-MNIST {split} split in {folder} has images {tuple(images_shape)} "
                         f"({paths[images_name].name}) and labels {tuple(labels_shape)} "
                         f"({paths[labels_name].name}), expected ({count}, 28, 28) and ({count},); "
                         "are the train and test files swapped, or from another data set?")
    top = max(raw_labels[labels_header:], default=0)
    if top >= NUM_CLASSES:
        raise ValueError(f"{paths[labels_name]} holds label ids above {NUM_CLASSES - 1} "
                         f"(up to {top}): the file is corrupt; {GET_AGAIN}")
    for name, path in paths.items():
        check_checksum(path, name, contents[name][0])
