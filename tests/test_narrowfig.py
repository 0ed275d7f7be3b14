"""d2lutil.narrowfig: multi-panel figures reflowed into a narrow layout for phones."""

import numpy as np
import pytest
from matplotlib import pyplot as plt

from d2lutil.narrowfig import NARROW_WIDTH, narrow_layout, panel_cells, split_layouts, with_narrow_layout
from d2lutil.plot import show_images


def cell_of(ax) -> tuple[int, int]:
    """(row, column) of the grid cell an axes is in."""
    spec = ax.get_subplotspec()
    return spec.rowspan.start, spec.colspan.start


def test_a_row_of_three_plots_is_stacked_in_one_column():
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.2), sharey=True)
    for ax, title in zip(axes, ("损失", "梯度", "似然")):
        ax.plot([0, 1], [0, 1])
        ax.set_title(title)
    fig.tight_layout()
    before = [tuple(ax.get_position().bounds) for ax in axes]
    figures = plt.get_fignums()

    narrow = narrow_layout(fig)

    assert [ax.get_title() for ax in narrow.axes] == ["损失", "梯度", "似然"]
    assert [cell_of(ax) for ax in narrow.axes] == [(0, 0), (1, 0), (2, 0)]
    width, height = narrow.get_size_inches()
    assert width == pytest.approx(NARROW_WIDTH)
    assert height == pytest.approx(3 * 3.2)  # each panel keeps its height
    # sharey hid the tick labels of the 2nd and 3rd panels beside the first; stacked, each shows them
    assert all(ax.yaxis.get_tick_params()["labelleft"] for ax in narrow.axes)
    # the original is untouched, and pyplot neither shows the copy nor makes it current
    assert tuple(fig.get_size_inches()) == (10, 3.2)
    assert [tuple(ax.get_position().bounds) for ax in axes] == before
    assert plt.get_fignums() == figures and plt.gcf() is fig


def test_an_image_grid_gets_fewer_columns_in_reading_order():
    images = [np.full((4, 4), i, dtype=float) for i in range(18)]
    axes = show_images(images, 2, 9, titles=[str(i) for i in range(18)])

    narrow = narrow_layout(axes[0].figure)

    assert [ax.get_title() for ax in narrow.axes] == [str(i) for i in range(18)]
    assert [cell_of(ax) for ax in narrow.axes[:4]] == [(0, 0), (0, 1), (0, 2), (1, 0)]
    assert cell_of(narrow.axes[-1]) == (5, 2)  # 18 images: 6 rows of 3
    assert narrow.get_size_inches() == pytest.approx((NARROW_WIDTH, 6 * 1.5))


@pytest.mark.parametrize("make", [
    lambda: plt.subplots(figsize=(7, 3)),                     # one panel: nothing to reflow
    lambda: plt.subplots(1, 2, figsize=(3, 2)),               # two narrow panels already fit
    lambda: plt.subplots(2, 1, figsize=(8, 6)),               # one column already
])
def test_figures_that_fit_or_have_one_column_get_no_narrow_layout(make):
    fig, _ = make()
    assert narrow_layout(fig) is None


def test_a_figure_with_a_colorbar_or_an_inset_keeps_its_one_layout():
    fig, axes = plt.subplots(1, 2, figsize=(8, 3))
    image = axes[0].imshow(np.eye(3))
    fig.colorbar(image, ax=axes[0])
    assert narrow_layout(fig) is None
    fig, axes = plt.subplots(1, 2, figsize=(8, 3))
    fig.add_axes((0.1, 0.1, 0.2, 0.2))
    assert panel_cells(fig) is None and narrow_layout(fig) is None


def test_a_figure_that_cannot_be_copied_keeps_its_one_layout():
    fig, axes = plt.subplots(1, 2, figsize=(8, 3))
    axes[0].xaxis.set_major_formatter(lambda x, pos: f"{x:.0f}")  # a lambda: not picklable
    assert narrow_layout(fig) is None


def test_the_narrow_layout_travels_inside_the_svg_and_splits_off_again():
    wide = "<?xml version='1.0'?>\n<svg><g id='wide'/></svg>\n"
    narrow = "<svg><text>损失 --></text></svg>\n"
    both = with_narrow_layout(wide, narrow)
    assert both.startswith(wide.rstrip()) and "损失" not in both  # base64 inside an XML comment
    assert split_layouts(both) == (wide, narrow)
    assert split_layouts(wide) == (wide, None)


def svg_of(outputs) -> str:
    """The one SVG among a cell's outputs."""
    (svg,) = [o["data"]["image/svg+xml"] for o in outputs if "image/svg+xml" in o.get("data", {})]
    return svg


def test_in_a_book_build_kernel_multi_panel_figures_carry_their_narrow_layout(kernel_cell):
    wide, narrow = split_layouts(svg_of(kernel_cell("build_panels").outputs))
    assert narrow is not None and narrow.count("<!-- d2lutil") == 0
    assert 'width="' in narrow and wide.count("<svg") == 1
    assert split_layouts(svg_of(kernel_cell("build_one_panel").outputs))[1] is None  # one panel: no narrow layout
    # the figure as drawn is byte for byte what matplotlib-inline draws; no figure left behind
    assert kernel_cell("build_drawn_as_inline").outputs[0]["text"].splitlines() == ["True", "[]"]


def test_readers_kernels_draw_one_layout_only_and_do_not_import_narrowfig(kernel_cell):
    outputs = kernel_cell("reader_panels").outputs
    assert split_layouts(svg_of(outputs))[1] is None
    assert outputs[0]["text"] == "narrowfig imported: False\n"
