"""A chapter run twice gives the same glued figures: the seeds it sets make it reproducible.

The chapter runs once here, as the book build runs it (bookmodel.chapter.run, as
scripts/execute_chapters.py runs it: its own kernel, book/ as working directory, one torch
thread, the book's kernel flags), and every value it glues with myst_nb.glue (the numbers the
prose quotes) must be identical to those of the build's run in the execution cache. Where the
cache has no run of the chapter's current code (a fresh clone), the build's run is made first
and stored there, so `make book` reuses it.
"""
import re
from pathlib import Path

import pytest

from bookmodel import cache as book_cache
from bookmodel import chapter
from bookmodel.glue import MIME_PREFIX, glued, references
from d2lutil.execstats import GLUE_KEY as PEAK_MEMORY_KEY

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "book" / "linear-regression-scratch.md"
# Glue keys that measure the machine rather than the maths: times, and the kernel's peak memory,
# which varies by a fraction of a megabyte between two runs of the same code.
NOT_DETERMINISTIC = re.compile(rf"time|seconds|speed|^{PEAK_MEMORY_KEY}$")


def run_as_the_build(path: Path, nb):
    """Execute the chapter (as read by myst-nb) as scripts/execute_chapters.py does; the Run."""
    result = chapter.run(nb, path.parent, one_thread=True)
    assert result.ok, result.error
    return result


def build_and_fresh_runs(path: Path) -> tuple:
    """(the build's run from the execution cache, made and stored first if missing; a fresh run)."""
    cache = book_cache.open_cache(create=True)
    nb = chapter.read(path)
    cached = book_cache.current_run(cache, nb)
    if cached is None:
        result = run_as_the_build(path, nb)
        book_cache.store(cache, path, result.nb, result.seconds)
        cached = result.nb
    return cached, run_as_the_build(path, nb).nb


@pytest.fixture(scope="module")
def runs():
    if not CHAPTER.is_file():
        pytest.skip(f"{CHAPTER.name} is not written yet")
    return [glued(nb.cells) for nb in build_and_fresh_runs(CHAPTER)]


def test_glued_values_are_identical(runs):
    first, second = runs
    assert first, f"{CHAPTER.name} glues no values: nothing to compare"
    assert first.keys() == second.keys()
    for key in sorted(first):
        assert MIME_PREFIX not in "".join(first[key]), "mime prefix not stripped"
        if NOT_DETERMINISTIC.search(key):
            continue
        assert first[key] == second[key], f"glued {key!r} differs from the build's run: {first[key]} vs {second[key]}"


def test_glued_values_are_plain_numbers(runs):
    """Each glued value shows as a plain number (a float or int, not a tensor repr)."""
    for key, bundle in runs[0].items():
        text = bundle.get("text/plain", "")
        assert "tensor" not in text and "array" not in text, f"{key} is glued as {text!r}: glue float(x)"


def test_prose_pastes_only_glued_keys(runs):
    missing = references(CHAPTER) - runs[0].keys()
    assert not missing, f"the prose pastes keys the code never glues: {sorted(missing)}"
