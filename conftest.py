"""Let `pytest --nbval` execute the book's chapters, the MyST Markdown notebooks of _toc.yml.

nbval collects .ipynb files only. Here every chapter (bookmodel.pages.is_notebook) is read as
the book build reads it (bookmodel.chapter.read) and handed to nbval, so no generated .ipynb
is committed. Each code cell becomes a test item named `book/<chapter>.md::Cell N`, run in
one kernel per chapter with the book's environment flags (bookmodel.kernels) and the book's
cell timeout (_config.yml's execute.timeout); a cell that raises fails with its traceback.
With pytest-xdist (`make test`: -n auto --dist loadfile --no-loadscope-reorder) the chapters
run side by side, one per worker, each kernel with one torch thread, in the order collected
here (longest first) rather than xdist's (files with the most tests first).
"""
import os
from collections import defaultdict

import pytest
from nbval.plugin import IPyNbCell, IPyNbFile, find_comment_markers, find_metadata_tags

from bookmodel import chapter, kernels
from bookmodel.cache import last_seconds, open_cache
from bookmodel.pages import ROOT, is_notebook
from bookmodel.settings import settings

NBVAL_DEFAULT_TIMEOUT = 2000  # nbval's own default for --nbval-cell-timeout


def pytest_configure(config):
    """Chapters get _config.yml's cell timeout (unless --nbval-cell-timeout chose another); a glyph
    missing from the Chinese font fails the tests' own figures too (bookmodel.kernels)."""
    if getattr(config.option, "nbval_cell_timeout", None) == NBVAL_DEFAULT_TIMEOUT:
        config.option.nbval_cell_timeout = settings(ROOT).timeout
    kernels.strict_fonts()


def pytest_collection_modifyitems(items):
    """Chapters first, the longest (by its last run in the execution cache) first: with pytest-xdist
    the long chapters start at once instead of ending the run alone. Cells keep their order."""
    cache = open_cache()
    last = last_seconds(cache) if cache is not None else {}

    def key(item) -> tuple:
        if isinstance(item.parent, MySTNotebook):
            return (0, -last.get(item.parent.path.resolve(), float("inf")))
        return (1, 0.0)

    items.sort(key=key)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config):
    """`-n auto`: as many workers as CPUs this process may use (its cgroup quota too), not the host's."""
    from d2lutil.cpus import available_cpus
    return available_cpus()


class MySTNotebook(IPyNbFile):
    """An nbval notebook: a chapter read by bookmodel, its kernel started with the book's flags."""

    def collect(self):
        """One nbval item per code cell, with nbval's per-cell options (tags and comments)."""
        self.nb = chapter.read(self.path)
        code = [cell for cell in self.nb.cells if cell.cell_type == "code"]
        for number, cell in enumerate(code):
            options = defaultdict(bool, find_metadata_tags(cell.metadata))
            options.update(find_comment_markers(cell.source))
            options.setdefault("check", self.compare_outputs)
            yield IPyNbCell.from_parent(self, name=f"Cell {number}", cell_num=number, cell=cell, options=options)

    def setup(self):
        """Start the chapter's kernel with the book's flags (one torch thread under pytest-xdist)."""
        with kernels.flags_set(one_thread="PYTEST_XDIST_WORKER" in os.environ), kernels.one_start_at_a_time():
            super().setup()  # starts the kernel and waits until it answers


# Tests of build products, run by their own targets after the build: `make test-site` (the
# HTML in a browser, and its accessibility), `make test-pdf` (the PDF) and `make test-notebooks` (the reader
# notebooks in JupyterLab). Plain pytest runs leave them out.
NAMED_ONLY = {str(ROOT / "tests" / name)
              for name in ("test_site.py", "test_a11y.py", "test_pdf.py", "test_notebooks.py")}


def pytest_ignore_collect(collection_path, config):
    """Leave the tests of build products to their make targets unless they are named explicitly."""
    if str(collection_path) not in NAMED_ONLY:
        return None
    named = any(os.path.abspath(arg.split("::")[0]) == str(collection_path) for arg in config.args)
    return None if named else True


def pytest_collect_file(file_path, parent):
    """Collect the chapters under book/ when --nbval or --nbval-lax is given."""
    opt = parent.config.option
    if (opt.nbval or opt.nbval_lax) and file_path.is_relative_to(ROOT / "book") and is_notebook(file_path):
        return MySTNotebook.from_parent(parent, path=file_path)
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After a chapter cell runs, its figures must draw what their alt text says (tests/figure_text.py)."""
    result = yield
    outputs = getattr(item, "test_outputs", None)
    alt = ((item.cell.metadata.get("mystnb") or {}).get("image") or {}).get("alt") if hasattr(item, "cell") else None
    svgs = [out["data"]["image/svg+xml"] for out in outputs or [] if "image/svg+xml" in out.get("data", {})]
    if alt and svgs:
        from figure_text import alt_text_problems, drawn_text
        figures = [drawn_text(svg if isinstance(svg, str) else "".join(svg)) for svg in svgs]
        dump = os.environ.get("D2L_FIGURE_TEXT_DUMP")
        if dump:
            import json
            with open(dump, "a", encoding="utf-8") as f:
                f.write(json.dumps({"cell": item.name, "chapter": str(item.path), "alt": alt,
                                    "figures": [vars(fig) for fig in figures]}, ensure_ascii=False) + "\n")
        problems = alt_text_problems(alt, figures)
        if problems and not dump:
            pytest.fail(f"{item.path.name}, {item.name}: the alt text does not match the figure:\n  "
                        + "\n  ".join(problems), pytrace=False)
    return result
