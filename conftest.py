"""Let `pytest --nbval` execute the book's MyST Markdown chapters as notebooks.

nbval only collects .ipynb files. Here every .md file under book/ that carries
a kernelspec (a jupytext notebook) is read with jupytext and handed to nbval,
so no generated .ipynb is committed. Each code cell becomes a test item named
`book/<chapter>.md::Cell N`; a cell that raises fails with its traceback.
"""
import os

import jupytext
import nbformat
import pytest
from nbval.plugin import IPyNbFile

BOOK_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "book")


def pytest_configure(config):
    """Make kernels fail on missing glyphs, so Chinese drawn as empty boxes fails the chapter."""
    os.environ.setdefault("D2LUTIL_STRICT_FONTS", "1")


def is_chapter(path) -> bool:
    """True for a MyST Markdown notebook under book/."""
    if path.suffix != ".md" or not str(path).startswith(BOOK_DIR):
        return False
    with open(path, encoding="utf-8") as f:
        head = f.read(2000)
    return head.startswith("---") and "kernelspec:" in head


class MySTNotebook(IPyNbFile):
    """An nbval notebook read from MyST Markdown through jupytext."""

    def collect(self):
        notebook = jupytext.read(self.path)
        original_read = nbformat.read
        nbformat.read = lambda *args, **kwargs: notebook  # nbval.plugin calls nbformat.read
        try:
            yield from super().collect()
        finally:
            nbformat.read = original_read


# Tests of build products, run by their own targets after the build: `make test-site` (the
# HTML in a browser, and its accessibility), `make test-pdf` (the PDF) and `make test-notebooks` (the reader
# notebooks in JupyterLab). Plain pytest runs leave them out.
NAMED_ONLY = {os.path.join(os.path.dirname(os.path.abspath(__file__)), "tests", name)
              for name in ("test_site.py", "test_a11y.py", "test_pdf.py", "test_notebooks.py")}


def pytest_ignore_collect(collection_path, config):
    """Leave the tests of build products to their make targets unless they are named explicitly."""
    if str(collection_path) not in NAMED_ONLY:
        return None
    named = any(os.path.abspath(arg.split("::")[0]) == str(collection_path) for arg in config.args)
    return None if named else True


def pytest_collect_file(file_path, parent):
    """Collect chapters when --nbval or --nbval-lax is given."""
    opt = parent.config.option
    if (opt.nbval or opt.nbval_lax) and is_chapter(file_path):
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
        import sys
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tests"))
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
