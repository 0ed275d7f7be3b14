"""Figures: Chinese-capable fonts, SVG output in notebooks, and d2l's plotting helpers."""
import logging
import os
import re
import warnings

import matplotlib
import numpy as np
import torch
from matplotlib import pyplot as plt
from matplotlib import font_manager

# Latin text and maths keep DejaVu Sans; Chinese falls back to the first CJK font found.
CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC",
             "SimHei", "Microsoft YaHei", "PingFang SC")
GLYPH_WARNING = r"Glyph \d+ .* missing from font"
# Mathtext draws a whole label containing $...$ with one font and no CJK fallback; it logs this.
MATHTEXT_GLYPH_LOG = re.compile(
    r"Font '(?P<font>.*)' does not have a glyph for .* \[U\+(?P<code>[0-9a-fA-F]+)\]")


def find_cjk_font() -> str | None:
    """Name of the first installed font that can draw Chinese, or None."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


NO_FONT_WARNING = ("no Chinese font found, so Chinese labels will show as boxes; install one, "
                   "e.g. `apt-get install fonts-wqy-microhei` on Debian/Ubuntu (then delete "
                   "matplotlib's font cache, ~/.cache/matplotlib, and restart Python)")
_font_checked = False


def use_chinese_fonts(warn: bool = True) -> str | None:
    """Let matplotlib draw Chinese labels; return the CJK font used, or None (with a hint if `warn`)."""
    font = find_cjk_font()
    if font is None:
        if warn:
            warnings.warn(NO_FONT_WARNING, stacklevel=2)
        return None
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", font]  # per-glyph fallback
    matplotlib.rcParams["axes.unicode_minus"] = False
    return font


def ensure_fonts() -> None:
    """At the first figure d2lutil draws: warn once if no Chinese font is installed."""
    global _font_checked
    if not _font_checked:
        _font_checked = True
        if use_chinese_fonts(warn=False) is None:
            warnings.warn(NO_FONT_WARNING, stacklevel=3)


_tracked: dict = {}


def track_figure(kind: str, fig) -> None:
    """Keep `fig` as the figure of `kind` (e.g. train_ch3) and close the previous one, so scripts do not pile up."""
    old = _tracked.get(kind)
    if old is not None and old is not fig and plt.fignum_exists(old.number):
        plt.close(old)
    _tracked[kind] = fig


class MathtextGlyphFilter(logging.Filter):
    """Re-issue mathtext's log 'Font ... does not have a glyph' as a 'Glyph ... missing' UserWarning."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Warn (and drop the record) for a missing mathtext glyph; pass other records on."""
        match = MATHTEXT_GLYPH_LOG.match(record.getMessage())
        if match is None:
            return True
        code = int(match["code"], 16)
        warnings.warn(f"Glyph {code} ({chr(code)!r}) missing from font {match['font']!r} of mathtext: "
                      "a label with $...$ is drawn by mathtext, which has no font fallback (e.g. for "
                      "Chinese); put Chinese and $...$ maths in separate labels, or write the maths "
                      "without $", UserWarning, stacklevel=2)
        return False


def strict_glyphs() -> None:
    """Make a missing glyph an error, in plain text and in $...$ mathtext alike (used by tests)."""
    warnings.filterwarnings("error", message=GLYPH_WARNING, category=UserWarning)
    logger = logging.getLogger("matplotlib.mathtext")
    if not any(isinstance(f, MathtextGlyphFilter) for f in logger.filters):
        logger.addFilter(MathtextGlyphFilter())


NARROW_FIGURES_ENV = "D2LUTIL_NARROW_FIGURES"  # "1" in the book build's kernels only (d2lutil.narrowfig)


def use_svg_display() -> None:
    """Show notebook figures as SVG through matplotlib-inline; do nothing outside IPython (scripts).

    When the book is built, multi-panel figures also carry a narrow layout for phones (narrowfig).
    """
    try:
        from IPython import get_ipython
    except ImportError:  # IPython missing or blocked: a plain script, nothing to configure
        return
    if get_ipython() is None:
        return
    from matplotlib_inline import backend_inline
    backend_inline.set_matplotlib_formats("svg")
    if os.environ.get(NARROW_FIGURES_ENV) == "1":
        # Site-build code that must run in the kernel: only the kernel holds the live figure to redraw
        # narrow. Readers' kernels never import it.
        from .narrowfig import add_narrow_layouts
        add_narrow_layouts(get_ipython())


def set_figsize(figsize=(3.5, 2.5)) -> None:
    """Set the default figure size, in inches."""
    ensure_fonts()
    use_svg_display()
    plt.rcParams["figure.figsize"] = figsize


# Chinese names of the English labels d2l's helpers draw: train_ch3's axis and legend, and the
# Fashion-MNIST classes that predict_ch3 and show_images put in titles. The API stays English.
CHINESE_LABELS = {
    "epoch": "迭代周期", "train loss": "训练损失", "train acc": "训练精度", "test acc": "测试精度",
    "t-shirt": "T 恤", "trouser": "裤子", "pullover": "套衫", "dress": "连衣裙", "coat": "外套",
    "sandal": "凉鞋", "shirt": "衬衫", "sneaker": "运动鞋", "bag": "包", "ankle boot": "短靴",
}
_labels = {"chinese": False}


def use_chinese_labels(on: bool = True) -> None:
    """Draw the known English labels of figures (see CHINESE_LABELS) in Chinese, or in English again."""
    if not isinstance(on, bool):
        raise TypeError(f"use_chinese_labels takes True or False, got {on!r}")
    _labels["chinese"] = on


def figure_label(text):
    """The label as drawn: each line of a known English label in Chinese when that is on."""
    if not _labels["chinese"] or not isinstance(text, str):
        return text
    return "\n".join(CHINESE_LABELS.get(line, line) for line in text.split("\n"))


def set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend) -> None:
    """Set labels, limits, scales, legend and grid of a matplotlib axes."""
    axes.set_xlabel(figure_label(xlabel))
    axes.set_ylabel(figure_label(ylabel))
    axes.set_xscale(xscale)
    axes.set_yscale(yscale)
    axes.set_xlim(xlim)
    axes.set_ylim(ylim)
    if legend:
        axes.legend([figure_label(name) for name in legend])
    axes.grid()


def _has_one_axis(X) -> bool:
    """True if X is a flat list or a 1-D array/tensor."""
    return (hasattr(X, "ndim") and X.ndim == 1
            or isinstance(X, list) and not hasattr(X[0], "__len__"))


def _as_numpy(X):
    """Detach tensors so matplotlib can draw them."""
    return X.detach().cpu().numpy() if isinstance(X, torch.Tensor) else X


def plot(X, Y=None, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None,
         xscale="linear", yscale="linear", fmts=("-", "m--", "g-.", "r:"), figsize=(3.5, 2.5),
         axes=None):
    """Plot one or several curves; X and Y may be lists, arrays or tensors."""
    if legend is None:
        legend = []
    set_figsize(figsize)
    axes = axes if axes is not None else plt.gca()
    if _has_one_axis(X):
        X = [X]
    if Y is None:
        X, Y = [[]] * len(X), X
    elif _has_one_axis(Y):
        Y = [Y]
    if len(X) != len(Y):
        X = X * len(Y)
    axes.cla()
    for x, y, fmt in zip(X, Y, fmts):
        x, y = _as_numpy(x), _as_numpy(y)
        if len(x):
            axes.plot(x, y, fmt)
        else:
            axes.plot(y, fmt)
    set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend)


def _image_array(img) -> np.ndarray:
    """An image as a numpy array of shape [H, W] or [H, W, C]; ValueError for other shapes."""
    arr = _as_numpy(img)
    if hasattr(arr, "getbands"):  # a PIL image
        arr = np.asarray(arr)
    arr = np.asarray(arr)
    if arr.ndim == 2 or arr.ndim == 3 and arr.shape[-1] in (3, 4):
        return arr
    hint = (" (channels first: squeeze or reshape to [H, W], e.g. X.reshape(n, 28, 28))"
            if arr.ndim == 3 and arr.shape[0] in (1, 3) else "")
    raise ValueError(f"each image must have shape [H, W] or [H, W, 3|4], got {arr.shape}{hint}")


def show_images(imgs, num_rows: int, num_cols: int, titles=None, scale: float = 1.5):
    """Show a grid of images with optional titles; return the axes."""
    from .validate import positive_int
    num_rows, num_cols = positive_int("num_rows", num_rows), positive_int("num_cols", num_cols)
    ensure_fonts()
    arrays = [_image_array(img) for img in list(imgs)[:num_rows * num_cols]]
    figsize = (num_cols * scale, num_rows * scale)
    _, axes = plt.subplots(num_rows, num_cols, figsize=figsize, squeeze=False)
    axes = axes.flatten()
    for i, (ax, img) in enumerate(zip(axes, arrays)):
        ax.imshow(img, cmap="gray" if img.ndim == 2 else None)
        ax.axes.get_xaxis().set_visible(False)
        ax.axes.get_yaxis().set_visible(False)
        if titles is not None and i < len(titles):
            ax.set_title(figure_label(titles[i]))
    for ax in axes[len(arrays):]:
        ax.axis("off")
    return axes


use_chinese_fonts(warn=False)  # d2l.plt is pyplot itself: Chinese must draw from the start
if os.environ.get("D2LUTIL_STRICT_FONTS") == "1":
    strict_glyphs()
