"""Checking a chapter's figures against the bounds in book/expected.toml, the book's contract."""
import os
import tomllib
from pathlib import Path

from d2lutil.execstats import record_peak_memory

ENV_EXPECTED = "D2LUTIL_EXPECTED"
# The bounds are the book's: they live with the chapters, next to this package in the repository.
EXPECTED_FILE = Path(__file__).resolve().parent.parent / "book" / "expected.toml"


class ExpectationError(AssertionError):
    """A chapter fell short of a figure it must reach."""


def find_expected_file() -> Path:
    """The chapters' bounds: $D2LUTIL_EXPECTED if set, else the book's book/expected.toml (never the working directory)."""
    path = Path(os.environ.get(ENV_EXPECTED) or EXPECTED_FILE)
    if not path.is_file():
        raise FileNotFoundError(f"no bounds file {path}: the chapters' bounds are book/expected.toml in the "
                                f"repository d2lutil comes from; set {ENV_EXPECTED} to the file to use another")
    return path


def load_expected(path: Path | None = None) -> dict:
    """The bounds of every chapter, as {chapter: {figure: {"min": .., "max": ..}}}."""
    with open(path or find_expected_file(), "rb") as f:
        return tomllib.load(f)


def check(chapter: str, path: Path | None = None, **figures: float) -> dict:
    """Raise ExpectationError unless every figure of `chapter` is within its bounds; in a kernel, record its peak memory."""
    path = path or find_expected_file()
    table = load_expected(path)
    if chapter not in table:
        raise ExpectationError(f"no section [{chapter}] in {path}")
    bounds = table[chapter]
    missing, extra = set(bounds) - set(figures), set(figures) - set(bounds)
    if missing or extra:
        raise ExpectationError(f"chapter {chapter}: figures not given {sorted(missing)}, "
                               f"given but not listed in {path} {sorted(extra)}")
    failures = []
    for name, bound in bounds.items():
        value = float(figures[name])
        if "min" in bound and not value >= bound["min"]:
            failures.append(f"{name} = {value:.6g} is below its bound min = {bound['min']}")
        if "max" in bound and not value <= bound["max"]:
            failures.append(f"{name} = {value:.6g} is above its bound max = {bound['max']}")
    if failures:
        raise ExpectationError(f"chapter {chapter} falls short: " + "; ".join(failures))
    record_peak_memory()  # the chapter's last cell: the kernel's peak, for the book's status page
    return {name: float(value) for name, value in figures.items()}
