"""IDX files (the format of MNIST and Fashion-MNIST): read, structurally checked, and checksummed.

An IDX file of unsigned bytes is a 4-byte magic number (0, 0, 0x08, ndim), ndim big-endian
32-bit sizes, then the values. `idx_bytes` reads one (plain or gzipped) and checks that its
size matches its header; `check_checksum` compares its uncompressed content with the
published Fashion-MNIST file of that name, unless the reader set D2LUTIL_ALLOW_UNKNOWN_DATA=1
to use other IDX data on purpose (a subset, MNIST).
"""
import gzip
import hashlib
import math
import os
import zlib
from pathlib import Path

import torch

ENV_UNCHECKED = "D2LUTIL_ALLOW_UNKNOWN_DATA"
# SHA-256 of each file's uncompressed content: the same whether it is stored plain or gzipped.
SHA256 = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}


def header_shape(head: bytes) -> list[int]:
    """The shape an IDX header promises: its ndim sizes after the magic number (head[3] is ndim)."""
    return [int.from_bytes(head[4 + 4 * i: 8 + 4 * i], "big") for i in range(head[3])]


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
    header = 4 + 4 * raw[3]
    if len(raw) < header:
        raise ValueError(f"{path} is truncated inside its header; delete it and get the data again")
    shape = header_shape(raw)
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
