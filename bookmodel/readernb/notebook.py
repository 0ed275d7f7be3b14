"""Assemble and write the reader notebooks."""
import copy
import platform
import shutil
from pathlib import Path

import nbformat
from nbformat.sign import NotebookNotary
from nbformat.v4 import new_markdown_cell, new_notebook

from d2lutil.narrowfig import split_layouts

from .. import chapter
from ..cache import current_run, open_cache
from ..glue import MIME_PREFIX as GLUE_MIME_PREFIX
from ..glue import glued_text
from ..pages import ROOT, Page, pages
from . import cite, markdown
from .labels import Labels, scan

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def language_info() -> dict:
    """What ipykernel reports on start, so that JupyterLab finds nothing to update (and to save)."""
    return {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
            "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
            "pygments_lexer": "ipython3", "version": platform.python_version()}


def executed_run(page: Page, source, cache, execute: bool, root: Path) -> tuple[list, dict] | None:
    """A chapter's run (source: the chapter as bookmodel.chapter reads it): code cells with outputs, glue.

    From the book's execution cache when it holds a current run of the chapter (after
    `make book`), or else, with execute=True, by running the chapter; None if neither.
    """
    nb = current_run(cache, source)
    if nb is None and execute:
        result = chapter.run(source, page.path.parent, root=root)
        if not result.ok:
            raise RuntimeError(f"{page.path.name} failed: {result.error}")
        nb = result.nb
    if nb is None:
        return None
    cells = [c for c in nb.cells if c.cell_type == "code"]
    return cells, glued_text(cells)


def reader_outputs(outputs: list) -> list:
    """A cell's outputs without the glue records that myst-nb reads (JupyterLab has no renderer),
    and their figures without the narrow layout that the book serves to phones (d2lutil.narrowfig)."""
    kept = [copy.deepcopy(o) for o in outputs
            if not any(k.startswith(GLUE_MIME_PREFIX) for k in o.get("data", {}))]
    for output in kept:
        svg = output.get("data", {}).get("image/svg+xml")
        if isinstance(svg, str):
            output["data"]["image/svg+xml"] = split_layouts(svg)[0]
    return kept


def code_cell(cell, run) -> list:
    """A chapter's code cell as readers get it (none for `remove-cell`), with the run's outputs."""
    tags = set(cell.metadata.get("tags", []))
    if "remove-cell" in tags:
        return []
    if run is not None:
        cell.outputs = [] if "remove-output" in tags else reader_outputs(run.get("outputs", []))
        cell.execution_count = run.get("execution_count")
    hidden = {}
    if tags & {"hide-input", "remove-input", "hide-cell"}:
        hidden["source_hidden"] = True
    if tags & {"hide-output", "hide-cell"}:
        hidden["outputs_hidden"] = True
    if hidden:
        cell.metadata["jupyter"] = hidden
    return [cell]


def figure_caption(cell, ctx: markdown.Context) -> list:
    """A Markdown cell with the number and caption of a code cell's figure, if it has one."""
    figure = cell.metadata.get("mystnb", {}).get("figure", {})
    if not figure.get("caption"):
        return []
    caption = markdown.convert(ctx, figure["caption"])
    if "name" in figure:
        target = ctx.labels.get(figure["name"], "figure")
        return [new_markdown_cell(f'<a id="{target.anchor}"></a>*图 {target.text}：{caption}*')]
    return [new_markdown_cell(f"*{caption}*")]


def markdown_cells(text: str) -> list:
    """The Markdown cells of one converted cell, none if it is empty (a solution's end).

    A solution with code cells starts with a heading: it gets a cell of its own, collapsed,
    so that JupyterLab hides the solution's cells below it until the reader opens it. Its end
    closes a cell, so that what follows (the next exercise's heading) is not hidden with it.
    """
    cells, chunk = [], []

    def flush() -> None:
        if "\n".join(chunk).strip():
            cells.append(new_markdown_cell("\n".join(chunk).strip("\n")))
        chunk.clear()

    for line in text.split("\n"):
        if markdown.is_solution_heading(line):
            flush()
            cells.append(new_markdown_cell(line, metadata={"jp-MarkdownHeadingCollapsed": True}))
        elif line.strip() == markdown.SOLUTION_END:
            flush()
        else:
            chunk.append(line)
    flush()
    return cells


def read_page(page: Page, root: Path = ROOT):
    """A page as a notebook: a chapter as myst-nb reads it, a page without code as one Markdown cell."""
    if page.is_notebook:
        return chapter.read(page.path, root)
    return new_notebook(cells=[new_markdown_cell(page.path.read_text(encoding="utf-8"))])


def reader_notebook(page: Page, source, labels: Labels, refs: dict, run: tuple[list, dict] | None):
    """The reader notebook of one page of the book (source: the page as read_page reads it)."""
    runs, glue = run if run is not None else (None, {})
    code = [c.source.strip() for c in source.cells if c.cell_type == "code"]
    if runs is not None and [r.source.strip() for r in runs] != code:
        raise ValueError(f"{page.path.name}: the run's code differs from the chapter's: rebuild the book (make book)")
    ctx = markdown.Context(page.stem, labels, glue, refs, source_dir=page.path.parent)
    cells, k = [], 0
    for cell in source.cells:
        if cell.cell_type == "markdown":
            cells += markdown_cells(markdown.convert(ctx, cell.source))
        elif cell.cell_type == "code":
            cells += code_cell(cell, runs[k] if runs is not None else None)
            cells += figure_caption(cell, ctx) if "remove-cell" not in cell.metadata.get("tags", []) else []
            k += 1
    if ctx.cited and page.stem != "bibliography":
        cells.append(new_markdown_cell(markdown.references(ctx)))
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": KERNELSPEC,
        "language_info": language_info(),
    })
    for i, cell in enumerate(nb.cells):
        cell.id = f"{page.stem[:50]}-{i:03d}"  # stable ids: the same chapter gives the same file
    return nb


def build(out_dir: Path, cache_dir: Path | None = None, execute: bool = False,
          root: Path = ROOT, sign: bool = True, figures: bool = True) -> list[Path]:
    """Write a reader notebook for every page of the book into out_dir; return their paths.

    Outputs and glued numbers come from the book's execution cache (cache_dir, filled by
    `make book`), or, with execute=True, from running each chapter; with neither, notebooks
    have no outputs and a chapter that glues numbers into its prose is an error.
    """
    book_pages = pages(root)
    labels = scan(book_pages)
    refs = cite.load(root / "book" / "references.bib")
    out_dir.mkdir(parents=True, exist_ok=True)
    if figures and (root / "book" / "figures").is_dir():
        shutil.copytree(root / "book" / "figures", out_dir / "figures", dirs_exist_ok=True)
    notary = NotebookNotary() if sign else None
    cache = open_cache(cache_dir) if cache_dir is not None else None
    written = []
    for page in book_pages:
        source = read_page(page, root)
        run = executed_run(page, source, cache, execute, root) if page.is_notebook else None
        nb = reader_notebook(page, source, labels, refs, run)
        nbformat.validate(nb)
        path = out_dir / f"{page.stem}.ipynb"
        nbformat.write(nb, path)
        if notary is not None:
            notary.sign(nb)  # trusted: the SVG figures of the run show without "Trust Notebook"
        written.append(path)
    return written
