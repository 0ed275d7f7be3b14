"""A chapter run twice gives the same glued figures: the seeds it sets make it reproducible.

The chapter runs once here, as the book build runs it (scripts/execute_chapters.py's runner:
its own kernel, book/ as working directory, one torch thread, phone layouts on), and every
value it glues with myst_nb.glue (the numbers the prose quotes) must be identical to those of
the build's run in the execution cache. Where the cache has no run of the chapter's current
code (a fresh clone), the build's run is made first and stored there, so `make book` reuses it.
"""
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

from d2lutil.execstats import GLUE_KEY as PEAK_MEMORY_KEY

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "book" / "linear-regression-scratch.md"
GLUE_PREFIX = "application/papermill.record/"  # myst_nb.glue(..., display=False) prefixes mime types
# Glue keys that measure the machine rather than the maths: times, and the kernel's peak memory,
# which varies by a fraction of a megabyte between two runs of the same code.
NOT_DETERMINISTIC = re.compile(rf"time|seconds|speed|^{PEAK_MEMORY_KEY}$")


def book_runner():
    """scripts/execute_chapters.py, the one runner of the book's chapters."""
    spec = importlib.util.spec_from_file_location("execute_chapters", ROOT / "scripts" / "execute_chapters.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_as_the_build(runner, path: Path, text: str, config: dict):
    """Execute the chapter (as read by myst-nb, JSON) as the build does; the executed notebook and its seconds."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("D2LUTIL_NARROW_FIGURES", "1")
        env.setenv("OMP_NUM_THREADS", "1")
        executed, seconds, error = runner.run_chapter(text, str(path.parent), config["timeout"], False)
    assert error is None, error
    return executed, seconds


def build_and_fresh_runs(path: Path) -> tuple:
    """(the build's run from the execution cache, made and stored first if missing; a fresh run)."""
    from jupyter_cache import get_cache

    runner = book_runner()
    config = runner.settings(ROOT)
    cache = get_cache(config["cache"])
    text = nbformat.writes(runner.read_chapter(path, config["extensions"]))
    try:
        cached = cache.get_cache_bundle(cache.match_cache_notebook(nbformat.reads(text, 4)).pk).nb
    except KeyError:
        executed, seconds = run_as_the_build(runner, path, text, config)
        runner.store(cache, path, executed, seconds)
        cached = nbformat.reads(executed, 4)
    return cached, nbformat.reads(run_as_the_build(runner, path, text, config)[0], 4)


def glued_values(nb) -> dict:
    """{glue key: its mime bundle} for every myst_nb.glue call in the executed notebook."""
    values = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            scrapbook = output.get("metadata", {}).get("scrapbook")
            if scrapbook is None:
                continue
            prefix = len(scrapbook.get("mime_prefix", ""))
            assert scrapbook["name"] not in values, f"glue key {scrapbook['name']!r} glued twice"
            values[scrapbook["name"]] = {mime[prefix:]: data for mime, data in output["data"].items()}
    return values


def glue_references(path: Path) -> set:
    """The glue keys the chapter's prose pastes, e.g. {glue:text}`ch2_w_error:.2e`."""
    text = path.read_text(encoding="utf-8")
    return {m[1] for m in re.finditer(r"\{glue(?::\w+)?\}`([^`:]+)", text)}


@pytest.fixture(scope="module")
def runs():
    if not CHAPTER.is_file():
        pytest.skip(f"{CHAPTER.name} is not written yet")
    return [glued_values(nb) for nb in build_and_fresh_runs(CHAPTER)]


def test_glued_values_are_identical(runs):
    first, second = runs
    assert first, f"{CHAPTER.name} glues no values: nothing to compare"
    assert first.keys() == second.keys()
    for key in sorted(first):
        assert GLUE_PREFIX not in "".join(first[key]), "mime prefix not stripped"
        if NOT_DETERMINISTIC.search(key):
            continue
        assert first[key] == second[key], f"glued {key!r} differs from the build's run: {first[key]} vs {second[key]}"


def test_glued_values_are_plain_numbers(runs):
    """Each glued value shows as a plain number (a float or int, not a tensor repr)."""
    for key, bundle in runs[0].items():
        text = bundle.get("text/plain", "")
        assert "tensor" not in text and "array" not in text, f"{key} is glued as {text!r}: glue float(x)"


def test_prose_pastes_only_glued_keys(runs):
    missing = glue_references(CHAPTER) - runs[0].keys()
    assert not missing, f"the prose pastes keys the code never glues: {sorted(missing)}"
