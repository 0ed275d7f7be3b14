"""A chapter executed twice gives the same glued figures: the seeds it sets make it reproducible.

The chapter is read with jupytext and executed twice, in two fresh kernels (side by side,
to save time), with book/ as working directory like the book build. Every value it glues
with myst_nb.glue (the numbers the prose quotes) must be identical between the two runs.
"""
import asyncio
import re
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "book" / "linear-regression-scratch.md"
GLUE_PREFIX = "application/papermill.record/"  # myst_nb.glue(..., display=False) prefixes mime types
# Glue keys that measure the machine rather than the maths: timings, and the kernel's peak
# memory that d2lutil.execstats glues in every chapter's check cell (it differs by 0.1 MB).
NOT_DETERMINISTIC = re.compile(r"time|seconds|speed|^d2l_peak_rss_mb$")


def execute_twice(path: Path) -> tuple:
    """Execute the chapter in two kernels at once; return both executed notebooks."""
    notebooks = (jupytext.read(path), jupytext.read(path))

    async def run_all():
        clients = [NotebookClient(nb, timeout=120, kernel_name="python3",
                                  resources={"metadata": {"path": str(path.parent)}}) for nb in notebooks]
        await asyncio.gather(*(client.async_execute() for client in clients))

    asyncio.run(run_all())
    return notebooks


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
    return [glued_values(nb) for nb in execute_twice(CHAPTER)]


def test_glued_values_are_identical(runs):
    first, second = runs
    assert first, f"{CHAPTER.name} glues no values: nothing to compare"
    assert first.keys() == second.keys()
    for key in sorted(first):
        assert GLUE_PREFIX not in "".join(first[key]), "mime prefix not stripped"
        if NOT_DETERMINISTIC.search(key):
            continue
        assert first[key] == second[key], f"glued {key!r} differs between two runs: {first[key]} vs {second[key]}"


def test_glued_values_are_plain_numbers(runs):
    """Each glued value shows as a plain number (a float or int, not a tensor repr)."""
    for key, bundle in runs[0].items():
        text = bundle.get("text/plain", "")
        assert "tensor" not in text and "array" not in text, f"{key} is glued as {text!r}: glue float(x)"


def test_prose_pastes_only_glued_keys(runs):
    missing = glue_references(CHAPTER) - runs[0].keys()
    assert not missing, f"the prose pastes keys the code never glues: {sorted(missing)}"
