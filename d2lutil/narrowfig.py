"""Phone layout of multi-panel figures: the panels reflowed into a narrow figure, for the book's site.

A figure with two or more columns of panels (`subplots(1, 3)`, `show_images(..., 2, 9)`) is
too wide for a phone: shrunk to the screen its labels are a few pixels tall. When the book is
built (the extension book/_ext/narrow_figures.py sets D2LUTIL_NARROW_FIGURES=1 for the kernels),
each such figure is also drawn in a narrow layout: the same panels, in reading order, in as
few columns as fit NARROW_WIDTH inches, each as tall as before, fonts unchanged. The narrow SVG travels inside the
figure's own SVG output, as a comment after its root element (`with_narrow_layout`), so the
notebook keeps one output per figure; the book splits it off again (`split_layouts`) and serves
it to narrow screens. Readers' kernels (no D2LUTIL_NARROW_FIGURES) draw one layout only and
never import this module (d2lutil.plot.use_svg_display imports it in the build's kernels only):
it is site-build code kept in d2lutil because it must run inside the kernel, where the live
figure is.
"""
import base64
import math
import pickle
import re
import warnings

from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec

from .plot import NARROW_FIGURES_ENV as ENV
NARROW_WIDTH = 3.0  # inches: 288 px, drawn at >= 0.9x in the 272 px text column of a 320 px phone
MIN_PANEL_SHRINK = 0.65  # a panel may shrink to 65 % of its width to fit one more column
MARK = "d2lutil-narrow-layout"
PAYLOAD = re.compile(r"\n?<!-- " + MARK + r" ([A-Za-z0-9+/=]+) -->\n?$")


def panel_cells(fig: Figure) -> tuple[int, int, list[list]] | None:
    """(rows, columns, axes of each grid cell in reading order), or None if the figure is no grid of panels."""
    cells: dict[tuple[int, int], list] = {}
    gridspec = None
    for ax in fig.axes:
        spec = ax.get_subplotspec()
        if spec is None or spec.rowspan.stop - spec.rowspan.start != 1 or spec.colspan.stop - spec.colspan.start != 1:
            return None  # an inset, a colorbar or a panel spanning cells: no reflow
        if gridspec is not None and spec.get_gridspec() is not gridspec:
            return None
        gridspec = spec.get_gridspec()
        cells.setdefault((spec.rowspan.start, spec.colspan.start), []).append(ax)
    if gridspec is None:
        return None
    return gridspec.nrows, gridspec.ncols, [cells[key] for key in sorted(cells)]


def narrow_columns(fig_width: float, ncols: int) -> int:
    """How many of `ncols` panel columns (of a `fig_width`-inch figure) fit NARROW_WIDTH inches."""
    panel_width = fig_width / ncols
    return max(1, min(ncols, math.floor(NARROW_WIDTH / (MIN_PANEL_SHRINK * panel_width))))


def _copy(fig: Figure) -> Figure:
    """An independent copy of `fig`, not registered with pyplot (so it is never shown or made current)."""
    manager = fig.canvas.manager
    fig.canvas.manager = None  # else unpickling adds the copy to pyplot's figures
    try:
        return pickle.loads(pickle.dumps(fig))
    finally:
        fig.canvas.manager = manager


def narrow_layout(fig: Figure) -> Figure | None:
    """A copy of `fig` with its panels in fewer columns, NARROW_WIDTH wide; None if it needs none."""
    grid = panel_cells(fig)
    if grid is None or grid[1] < 2:
        return None
    nrows, ncols, cells = grid
    width, height = fig.get_size_inches()
    cols = narrow_columns(width, ncols)
    if cols == ncols:
        return None
    try:
        copy = _copy(fig)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None  # e.g. a tick formatter that is a lambda: the figure keeps its one layout
    rows = math.ceil(len(cells) / cols)
    panel_height = height / nrows  # panels keep their height (room for titles), only narrow
    copied = panel_cells(copy)[2]
    gridspec = GridSpec(rows, cols, figure=copy)
    for i, cell in enumerate(copied):
        for ax in cell:
            ax.set_subplotspec(gridspec[i // cols, i % cols])
            _show_shared_tick_labels(ax)
    copy.set_size_inches(NARROW_WIDTH, rows * panel_height)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a layout that cannot be tightened is still drawn
        copy.tight_layout()
    return copy


def _show_shared_tick_labels(ax) -> None:
    """Tick labels on every panel of shared axes (subplots(sharey=True) hid them beside the first)."""
    if len(ax.get_shared_y_axes().get_siblings(ax)) > 1:
        ax.tick_params(axis="y", labelleft=True)
    if len(ax.get_shared_x_axes().get_siblings(ax)) > 1:
        ax.tick_params(axis="x", labelbottom=True)


def with_narrow_layout(svg: str, narrow: str) -> str:
    """The figure's SVG carrying its narrow layout's SVG (a comment after the root element)."""
    encoded = base64.b64encode(narrow.encode("utf-8")).decode("ascii")
    return f"{svg.rstrip()}\n<!-- {MARK} {encoded} -->\n"


def split_layouts(svg: str) -> tuple[str, str | None]:
    """(the figure's SVG, its narrow layout's SVG or None) from an SVG output."""
    match = PAYLOAD.search(svg)
    if match is None:
        return svg, None
    return svg[:match.start()] + "\n", base64.b64decode(match[1]).decode("utf-8")


def add_narrow_layouts(shell) -> None:
    """Make the shell's SVG output of a multi-panel figure carry its narrow layout (see module doc)."""
    formatter = shell.display_formatter.formatters["image/svg+xml"]
    draw = formatter.lookup_by_type(Figure)
    if getattr(draw, "narrow_layouts", False):
        return

    def draw_both(fig: Figure) -> str:
        """The figure's SVG, with its narrow layout when it has one."""
        svg = draw(fig)
        narrow = narrow_layout(fig)
        if narrow is None:
            return svg
        return with_narrow_layout(svg, draw(narrow))

    draw_both.narrow_layouts = True
    formatter.for_type(Figure, draw_both)
