"""Animator: curves that grow during training, drawn in Jupyter, in executed notebooks and in scripts."""
import time

import matplotlib
import numpy as np
from matplotlib import pyplot as plt

from .plot import ensure_fonts, set_axes, use_svg_display

DRAW_SHARE = 0.05  # with add(..., last=False), redraw only while drawing takes at most this share of the time
DRAW_GUESS = 0.1  # seconds one redraw is assumed to take before one has been timed (an SVG in a kernel)
NON_INTERACTIVE = ("agg", "pdf", "svg", "ps", "cairo", "template")  # backends without a window to redraw


def in_kernel() -> bool:
    """True when running inside an IPython kernel (Jupyter, nbclient), not a terminal or script."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def show_figure(fig, kernel: bool, handle=None):
    """Show fig where it lives and return its display handle: in a kernel, one output updated in
    place (display_id); in a script, a window's redraw (nothing for a non-interactive backend)."""
    if kernel:
        from IPython.display import display
        if handle is None:
            return display(fig, display_id=True)
        handle.update(fig)
    elif matplotlib.get_backend().lower() not in NON_INTERACTIVE:
        plt.pause(0.001)
    return handle


class Animator:
    """Plot data incrementally.

    In a kernel the figure is shown once and then updated in place through its
    display id, so a live notebook redraws one plot and an executed notebook
    (the HTML book) keeps one final figure. In a plain script it only draws
    (interactive backends repaint; `savefig` works at any time).
    """

    def __init__(self, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None,
                 xscale="linear", yscale="linear", fmts=("-", "m--", "g-.", "r:"),
                 nrows=1, ncols=1, figsize=(3.5, 2.5)):
        if legend is None:
            legend = []
        ensure_fonts()
        self.kernel = in_kernel()
        if self.kernel:
            use_svg_display()
        self.fig, self.axes = plt.subplots(nrows, ncols, figsize=figsize)
        if nrows * ncols == 1:
            self.axes = [self.axes]
        if self.kernel:
            plt.close(self.fig)  # we display it ourselves; stop the inline backend showing it twice
        self.config_axes = lambda: set_axes(self.axes[0], xlabel, ylabel, xlim, ylim,
                                            xscale, yscale, legend)
        self.autoscale = (xlim is None, ylim is None)
        self.X, self.Y, self.fmts = None, None, fmts
        self.lines = None
        self.handle = None
        self.started, self.drawing_s, self.draw_s = time.perf_counter(), 0.0, DRAW_GUESS

    def add(self, x, y, last: bool | None = None) -> None:
        """Append one point to each curve and redraw.

        `last` (not in d2l) lets a caller that knows its loop skip redraws: with last=False
        the figure is redrawn only if drawing, this redraw included, stays within 5% of the
        time since the Animator was created; with last=True (or None, d2l's behaviour) it
        always is. So short epochs are not slowed down by drawing, and long ones show progress.
        """
        if not hasattr(y, "__len__"):
            y = [y]
        n = len(y)
        if not hasattr(x, "__len__"):
            x = [x] * n
        if not self.X:
            self.X = [[] for _ in range(n)]
        if not self.Y:
            self.Y = [[] for _ in range(n)]
        for i, (a, b) in enumerate(zip(x, y)):
            if a is not None and b is not None:
                self.X[i].append(a)
                self.Y[i].append(b)
        start = time.perf_counter()
        if last is False and self.drawing_s + self.draw_s > DRAW_SHARE * (start - self.started):
            return
        self.draw()
        self.draw_s = time.perf_counter() - start
        self.drawing_s += self.draw_s

    def draw(self) -> None:
        """Draw every point added so far and show the figure.

        The first draw makes the curves, labels and legend; later ones only give the curves
        their new points (and rescale an axis without limits), which costs far less than
        clearing and rebuilding the axes at every epoch.
        """
        ax = self.axes[0]
        if self.lines is None:
            self.lines = [ax.plot(x_, y_, fmt)[0] for x_, y_, fmt in zip(self.X, self.Y, self.fmts)]
            self.config_axes()
            ax.set_autoscalex_on(self.autoscale[0])
            ax.set_autoscaley_on(self.autoscale[1])
        else:
            for line, x_, y_ in zip(self.lines, self.X, self.Y):
                line.set_data(np.asarray(x_), np.asarray(y_))
            if any(self.autoscale):
                ax.relim()
                ax.autoscale_view()
        self.show()

    def show(self) -> None:
        """Redraw the figure where it lives: the notebook output, or a script's window."""
        self.handle = show_figure(self.fig, self.kernel, self.handle)
