"""Checking a chapter's figures against the bounds in tests/expected.toml."""
import os
import tomllib
from pathlib import Path

from d2lutil.execstats import record_peak_memory

EXPECTED_FILE = Path("tests") / "expected.toml"


class ExpectationError(AssertionError):
    """A chapter fell short of a figure it must reach."""


def find_expected_file() -> Path:
    """tests/expected.toml: from $D2LUTIL_EXPECTED, else above the working directory or this package."""
    if os.environ.get("D2LUTIL_EXPECTED"):
        return Path(os.environ["D2LUTIL_EXPECTED"])
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for folder in (start, *start.parents):
            if (folder / EXPECTED_FILE).is_file():
                return folder / EXPECTED_FILE
    raise FileNotFoundError(f"cannot find {EXPECTED_FILE} above {Path.cwd()}; "
                            "run from the repository or set D2LUTIL_EXPECTED")


def load_expected(path: Path | None = None) -> dict:
    """The bounds of every chapter, as {chapter: {figure: {"min": .., "max": ..}}}."""
    with open(path or find_expected_file(), "rb") as f:
        return tomllib.load(f)


def check(chapter: str, path: Path | None = None, **figures: float) -> dict:
    """Raise ExpectationError unless every figure of `chapter` is within its bounds; in a kernel, record its peak memory."""
    table = load_expected(path)
    if chapter not in table:
        raise ExpectationError(f"no section [{chapter}] in {EXPECTED_FILE}")
    bounds = table[chapter]
    missing, extra = set(bounds) - set(figures), set(figures) - set(bounds)
    if missing or extra:
        raise ExpectationError(f"chapter {chapter}: figures not given {sorted(missing)}, "
                               f"given but not listed in {EXPECTED_FILE} {sorted(extra)}")
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
