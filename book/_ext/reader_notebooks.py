"""After an HTML build: every page's reader notebook (bookmodel.readernb) where its .ipynb download points.

The notebooks take their outputs and glued numbers from the build's execution cache; the
header's .ipynb link (launch.py) leads to them, at _sources/book/<page>.ipynb.
"""
from pathlib import Path

from bookmodel.readernb.notebook import build
from bookmodel.settings import settings


def write_notebooks(app, exception) -> None:
    """Write the reader notebooks into the built site, unless the build failed or is not HTML."""
    if exception is not None or app.builder.format != "html":
        return
    root = Path(app.confdir)
    build(Path(app.outdir) / "_sources" / "book", cache_dir=settings(root).cache, root=root, sign=False, figures=False)


def setup(app):
    app.connect("build-finished", write_notebooks)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
