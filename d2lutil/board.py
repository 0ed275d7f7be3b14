"""ProgressBoard: d2l 1.0's live plot of training progress, redrawn cheaply.

Differences from d2l 1.0.3's ProgressBoard, all deliberate:

- The figure is built once: later draws move the points of the existing lines
  (``set_data``) instead of plotting every series again, so no Line2D objects pile up.
- In a kernel the figure is shown once and updated in place (a display id); redraws are
  skipped while drawing would take more than 5% of the time since the board was made, and
  the final state is always drawn at the end of the cell. In a plain script nothing is
  printed (d2l 1.0.3 prints a ``<Figure ...>`` repr at every draw): the figure is kept up
  to date for ``plt.show()`` or ``savefig``, and an interactive backend repaints.
- An unset ``xlabel`` leaves the axis unlabelled (d2l 1.0.3 raises AttributeError 'x').
- Every series is drawn and in the legend: line styles and colours cycle (d2l 1.0.3 drops
  the series after the fourth).
- ``every_n`` must be a positive integer (ValueError); d2l 1.0.3 silently draws nothing
  for 0. Points are averaged by groups of ``every_n`` as in d2l.
- ``y`` may be a number, a 0-d array or a 0-d tensor; it is stored as a float.
- With ``fig`` given and no ``axes``, the board draws on that figure (d2l 1.0.3 uses the
  current axes, which may belong to another figure).
"""
import collections
import itertools
import numbers
import sys
import time

from matplotlib import pyplot as plt

from .animator import DRAW_GUESS, DRAW_SHARE, in_kernel, show_figure
from .hyperparams import HyperParameters
from .plot import ensure_fonts, figure_label, use_svg_display

Point = collections.namedtuple("Point", ["x", "y"])
_pending: list = []  # boards with points not yet shown, drawn at the end of the kernel's cell


def _flush_pending() -> None:
    """Show the final state of every board that has points not yet drawn (IPython post_execute hook)."""
    while _pending:
        board = _pending.pop()
        if board.dirty:
            board.render()


_hook = {"registered": False}


def _register_hook() -> None:
    """Register _flush_pending to run after each cell of this kernel (once)."""
    if _hook["registered"]:
        return
    from IPython import get_ipython
    get_ipython().events.register("post_execute", _flush_pending)
    _hook["registered"] = True


def running_in_kernel() -> bool:
    """True inside a Jupyter kernel; False at once when IPython was never imported (a plain script)."""
    return sys.modules.get("IPython") is not None and in_kernel()


def check_every_n(every_n) -> int:
    """every_n as an int if it is a positive whole number, else ValueError."""
    if isinstance(every_n, bool) or not isinstance(every_n, numbers.Integral) or every_n < 1:
        raise ValueError(f"every_n must be a positive whole number (average every n points), got {every_n!r}")
    return int(every_n)


def as_float(y) -> float:
    """A scalar (number, 0-d array or one-element tensor) as a float, detached from autograd."""
    if hasattr(y, "detach"):
        y = y.detach()
    try:
        return float(y)
    except (TypeError, ValueError, RuntimeError) as error:
        raise ValueError(f"draw takes one number for y, got {type(y).__name__} "
                         f"{getattr(y, 'shape', '')}; average it first, e.g. y.mean()") from error


class ProgressBoard(HyperParameters):
    """The board that plots data points in animation (d2l 1.0's API; see the module docstring)."""

    def __init__(self, xlabel=None, ylabel=None, xlim=None, ylim=None, xscale="linear", yscale="linear",
                 ls=["-", "--", "-.", ":"], colors=["C0", "C1", "C2", "C3"],  # noqa: B006 (d2l's defaults)
                 fig=None, axes=None, figsize=(3.5, 2.5), display=True):
        self.save_hyperparameters()
        self.lines, self.handle, self.dirty, self.applied = {}, None, False, None
        self.kernel = None
        self.started, self.drawing_s, self.draw_s = time.perf_counter(), 0.0, DRAW_GUESS

    def draw(self, x, y, label, every_n=1) -> None:
        """Add the point (x, y) to series `label`; every `every_n` points, plot their mean."""
        every_n = check_every_n(every_n)
        if not hasattr(self, "raw_points"):
            self.raw_points = collections.OrderedDict()
            self.data = collections.OrderedDict()
        if label not in self.raw_points:
            self.raw_points[label] = []
            self.data[label] = []
        points = self.raw_points[label]
        points.append(Point(x, as_float(y)))
        if len(points) < every_n:
            return
        self.data[label].append(Point(sum(p.x for p in points) / len(points),
                                      sum(p.y for p in points) / len(points)))
        points.clear()
        if not self.display:
            return
        self.dirty = True
        start = time.perf_counter()
        if self.kernel is None:
            self.kernel = running_in_kernel()
        if self.kernel:
            _register_hook()
            if self not in _pending:
                _pending.append(self)
        if self.drawing_s + self.draw_s > DRAW_SHARE * (start - self.started):
            self.update_lines()  # cheap: the figure is current whenever it is shown or saved
            return
        self.render()
        self.draw_s = time.perf_counter() - start
        self.drawing_s += self.draw_s

    def figure_axes(self):
        """The axes drawn on, made at the first draw (d2l's fig, axes and figsize are honoured)."""
        if self.axes is None:
            if self.fig is None:
                ensure_fonts()
                self.fig = plt.figure(figsize=self.figsize)
                if self.kernel:
                    use_svg_display()
                    plt.close(self.fig)  # shown by us, not again by the inline backend
            self.axes = self.fig.gca()
        elif self.fig is None:
            self.fig = self.axes.figure
        return self.axes

    def update_lines(self) -> None:
        """Give each line its points (new series get a line), and apply the board's settings."""
        if not hasattr(self, "data"):
            return
        axes = self.figure_axes()
        styles = zip(itertools.cycle(self.ls), itertools.cycle(self.colors))
        new = False
        for (label, points), (ls, color) in zip(self.data.items(), styles):
            xs, ys = [p.x for p in points], [p.y for p in points]
            if label not in self.lines:
                self.lines[label] = axes.plot(xs, ys, linestyle=ls, color=color, label=label)[0]
                new = True
            else:
                self.lines[label].set_data(xs, ys)
        settings = (self.xlim, self.ylim, self.xlabel, self.ylabel, self.xscale, self.yscale)
        if settings != self.applied:
            self.apply_settings(axes)
            self.applied = settings
        if new:
            axes.legend(list(self.lines.values()), [figure_label(k) for k in self.lines])
        if not self.xlim or not self.ylim:
            axes.relim()
            for axis, fixed in (("x", self.xlim), ("y", self.ylim)):
                if not fixed:
                    axes.autoscale(axis=axis)  # lazy: the limits are computed when the figure is drawn

    def apply_settings(self, axes) -> None:
        """Labels, scales and limits as the board's attributes say now (readers change them after creation)."""
        axes.set_xscale(self.xscale)
        axes.set_yscale(self.yscale)
        if self.xlim:
            axes.set_xlim(self.xlim)
        if self.ylim:
            axes.set_ylim(self.ylim)
        axes.set_xlabel(figure_label(self.xlabel) if self.xlabel else "")
        axes.set_ylabel(figure_label(self.ylabel) if self.ylabel else "")

    def render(self) -> None:
        """Update the lines and show the figure where it lives: the cell's output, or a script's window."""
        self.update_lines()
        self.dirty = False
        if self.fig is None:
            return
        self.handle = show_figure(self.fig, self.kernel, self.handle)
