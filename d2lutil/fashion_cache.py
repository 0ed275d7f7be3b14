"""The cache's checked, uncompressed copies of the four Fashion-MNIST files.

Once a file has passed its checks (d2lutil.fashion reads and checks each split), its
uncompressed content is kept in <cache>/torchvision/FashionMNIST/raw with a stamp of its
source (path, size, time, check mode) beside it. Later processes map the copy instead of
reading and checking the source again, torchvision reads it with fast=False, and a copy
whose stamp no longer matches its source is never used: it is replaced.
"""
import math
import os
from pathlib import Path

import torch

from .fashion_files import ENV_CACHE, FILE_NAMES, cache_dir, file_in
from .idx import checks_enabled, header_shape, idx_bytes


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


def map_copy(name: str) -> torch.Tensor | None:
    """The cached uncompressed copy of `name`, mapped copy-on-write (no read, no copy); None if unusable."""
    import numpy as np
    path = copy_dir() / name
    with open(path, "rb") as f:
        head = f.read(16)
    if len(head) < 4 or head[3] not in (1, 3):
        return None
    header, shape = 4 + 4 * head[3], header_shape(head)
    if path.stat().st_size != header + math.prod(shape):
        return None
    return torch.from_numpy(np.memmap(path, dtype=np.uint8, mode="c", offset=header, shape=tuple(shape)))


def torchvision_root(folder: Path) -> Path:
    """A root for torchvision.datasets.FashionMNIST: uncompressed files in <root>/FashionMNIST/raw.

    Call it once the files in `folder` have passed their checks (d2lutil.fashion does).
    A folder already in that layout is used as it is; otherwise the root is the cache,
    whose copy of each file is replaced whenever its source changes (another folder,
    size or time), so a stale copy is never used.
    """
    folder = Path(folder)
    if folder.name == "raw" and folder.parent.name == "FashionMNIST" and all(
            (folder / name).is_file() for name in FILE_NAMES):
        return folder.parent.parent
    try:
        for name in FILE_NAMES:
            source = file_in(folder, name)
            source_stamp = stamp(source)
            if not copy_is_current(name, source_stamp):
                save_copy(name, idx_bytes(source)[0], source_stamp)
    except OSError as error:
        raise OSError(error.errno, f"cannot write torchvision's uncompressed copy of Fashion-MNIST into "
                                   f"{copy_dir()} ({error.strerror or error}); set {ENV_CACHE} to a writable "
                                   "directory, or use the default fast=True, which needs no copy") from error
    return copy_dir().parent.parent
