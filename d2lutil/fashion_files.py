"""Where the Fashion-MNIST files are on this machine, found offline first.

Where the data is looked for, in order (`find_fashion_mnist`):
1. the directory named by the environment variable D2LUTIL_FASHION_MNIST;
2. the project's data cache, <cache>/fashion-mnist (cache: $D2LUTIL_CACHE or ~/.cache/d2lutil);
3. the files of Debian's package dataset-fashion-mnist, /usr/share/datasets/fashion-mnist;
4. torchvision's download, into the cache.
A directory holds the data if it has the four IDX files, plain or gzipped, directly or
in torchvision's FashionMNIST/raw layout. Finding them reads nothing: the files are
checked when a split is read (d2lutil.fashion).
"""
import os
from pathlib import Path

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
