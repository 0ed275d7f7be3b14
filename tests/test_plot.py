"""d2lutil.plot: Chinese fonts with strict glyph checks, SVG output, d2l's plotting helpers, Chinese labels."""
import io
import logging
import warnings

import matplotlib
import numpy as np
import pytest
import torch
from matplotlib import pyplot as plt
from PIL import Image

from d2lutil import plot as d2lplot
from d2lutil.animator import Animator
from d2lutil.fashion import TEXT_LABELS, get_fashion_mnist_labels
from d2lutil.plot import (MathtextGlyphFilter, find_cjk_font, plot, set_axes, set_figsize, show_images,
                          strict_glyphs, use_chinese_fonts, use_svg_display)

NO_FONT_HAS_IT = "\U00020000"  # a CJK Extension B ideograph: neither DejaVu Sans nor WenQuanYi draws it


def draw(*labels: str, math_label: str | None = None) -> None:
    """Draw a figure with the given title/xlabel/legend texts, under strict glyph checks."""
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label=labels[0])
    ax.set_title(labels[-1])
    ax.set_xlabel(labels[0])
    if math_label:
        ax.set_ylabel(math_label)
    ax.legend()
    fig.savefig(io.BytesIO(), format="svg")


@pytest.fixture
def strict():
    """Strict glyph mode, every other warning an error too; filters restored afterwards."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        strict_glyphs()
        yield


def test_find_cjk_font_finds_wenquanyi():
    assert find_cjk_font() == "WenQuanYi Micro Hei"


def test_chinese_font_is_a_fallback_after_dejavu():
    assert use_chinese_fonts() == "WenQuanYi Micro Hei"
    assert matplotlib.rcParams["font.family"] == ["DejaVu Sans", "WenQuanYi Micro Hei"]
    assert matplotlib.rcParams["axes.unicode_minus"] is False


def test_without_a_chinese_font_a_warning_says_how_to_install_one(monkeypatch):
    monkeypatch.setattr(d2lplot, "find_cjk_font", lambda: None)
    with matplotlib.rc_context(), pytest.warns(UserWarning, match="fonts-wqy-microhei"):
        assert use_chinese_fonts() is None


def test_chinese_labels_render_without_any_warning_in_strict_mode(strict):
    draw("训练损失", "测试精度 (test acc) −0.5")
    fig, ax = plt.subplots()
    ax.set_xticks([0, 1], ["第一轮", "第二轮"])
    fig.canvas.draw()


def test_maths_alone_and_chinese_in_another_label_render_in_strict_mode(strict):
    draw("平方损失", math_label=r"$\hat{y} = \mathbf{w}^\top \mathbf{x} + b$")


def test_a_glyph_no_font_has_is_an_error_in_strict_mode(strict):
    with pytest.raises(UserWarning, match=r"Glyph 131072 .* missing from font"):
        draw(f"罕见字 {NO_FONT_HAS_IT}")


def test_chinese_mixed_with_mathtext_is_an_error_in_strict_mode(strict):
    # mathtext draws the whole string with one font and no fallback: the Chinese would be boxes
    with pytest.raises(UserWarning, match=r"Glyph 25439 \('损'\) missing from font 'default' of mathtext"):
        draw("x", math_label=r"损失 $\ell(\theta)$")


def test_a_glyph_missing_inside_mathtext_is_an_error_in_strict_mode(strict):
    with pytest.raises(UserWarning, match="separate labels"):
        draw("x", math_label=rf"$x$ {NO_FONT_HAS_IT}")


def test_strict_glyphs_installs_its_mathtext_filter_once():
    with warnings.catch_warnings():
        strict_glyphs()
        strict_glyphs()
    filters = logging.getLogger("matplotlib.mathtext").filters
    assert sum(isinstance(f, MathtextGlyphFilter) for f in filters) == 1


def test_mathtext_filter_passes_other_records_on():
    record = logging.LogRecord("matplotlib.mathtext", logging.WARNING, __file__, 1,
                               "No TeX to Unicode mapping for %a.", ("\\foo",), None)
    assert MathtextGlyphFilter().filter(record) is True


def test_strict_mode_from_the_environment_fails_a_plain_script(run_script, monkeypatch):
    monkeypatch.setenv("D2LUTIL_STRICT_FONTS", "1")
    done = run_script("import d2lutil.plot\n"
                      "from matplotlib import pyplot as plt\n"
                      f"for label in ['损 $x$', {NO_FONT_HAS_IT!r}, '损失']:\n"
                      "    plt.title(label)\n"
                      "    try:\n"
                      "        plt.gcf().canvas.draw()\n"
                      "        print('drawn')\n"
                      "    except UserWarning as err:\n"
                      "        print(str(err).split(')')[0] + ')')\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["Glyph 25439 ('损')", r"Glyph 131072 (\N{CJK UNIFIED IDEOGRAPH-20000})",
                                        "drawn"]


NO_CJK_FONT = ("import matplotlib, warnings\nfrom matplotlib import font_manager\n"
               "font_manager.fontManager.ttflist = [f for f in font_manager.fontManager.ttflist "
               "if 'CJK' not in f.name and 'WenQuanYi' not in f.name]\n"
               "family = list(matplotlib.rcParams['font.family'])\n")


def test_no_chinese_font_does_not_break_import_and_warns_once_at_the_first_plot(run_script):
    done = run_script(NO_CJK_FONT + (
        "warnings.simplefilter('error')\n"
        "from d2lutil import torch as d2l\n"
        "assert list(matplotlib.rcParams['font.family']) == family, 'import changed rcParams'\n"
        "warnings.simplefilter('always')\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    d2l.plot([0, 1], [[0, 1]])\n"
        "    d2l.plot([0, 1], [[1, 0]])\n"
        "    d2l.Animator(legend=['a'])\n"
        "print('WARNINGS', len(caught), 'fonts-wqy-microhei' in str(caught[0].message))\n"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["WARNINGS", "1", "True"]


def test_plotting_helpers_work_in_a_plain_script_without_ipython(run_script):
    done = run_script("from d2lutil import plot as p\n"
                      "p.use_svg_display()\n"
                      "p.set_figsize((4, 3))\n"
                      "p.plot([0, 1, 2], [[0, 1, 4]], '轮次', 'y')\n"
                      "p.show_images([[[0, 1], [1, 0]]] * 2, 1, 2)\n"
                      "print('ok')")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_use_svg_display_does_not_create_an_ipython_shell_outside_ipython():
    from IPython.core.interactiveshell import InteractiveShell
    assert not InteractiveShell.initialized()
    use_svg_display()
    assert not InteractiveShell.initialized()


def test_use_svg_display_in_a_kernel_gives_svg_and_no_deprecation(executed_notebook):
    setup, plot_cell = executed_notebook.cells[:2]
    assert "deprecations []" in setup.outputs[0]["text"]
    images = [o for o in plot_cell.outputs if "data" in o]
    assert len(images) == 1
    assert "image/svg+xml" in images[0]["data"] and "image/png" not in images[0]["data"]
    assert images[0]["data"]["image/svg+xml"].lstrip().startswith("<?xml")


def test_set_figsize_sets_the_default_size():
    with matplotlib.rc_context():
        set_figsize((5, 2))
        assert tuple(plt.figure().get_size_inches()) == (5, 2)


def test_set_axes_sets_labels_limits_scales_legend_and_grid():
    _, ax = plt.subplots()
    ax.plot([1, 10], [1, 100])
    ax.plot([1, 10], [2, 50])
    set_axes(ax, "x", "y", [1, 10], [1, 100], "log", "log", ["a", "b"])
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x", "y")
    assert ax.get_xlim() == (1, 10) and ax.get_ylim() == (1, 100)
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    assert ax.xaxis.get_gridlines()[0].get_visible()


@pytest.mark.parametrize("xscale, yscale", [("log", "linear"), ("linear", "log")])
def test_set_axes_gives_each_axis_its_own_scale(xscale, yscale):
    _, ax = plt.subplots()
    set_axes(ax, None, None, None, None, xscale, yscale, [])
    assert (ax.get_xscale(), ax.get_yscale()) == (xscale, yscale)


def test_plot_draws_tensors_that_require_grad():
    x = torch.arange(0.0, 3.0, requires_grad=True)
    plot(x, [x * 2, x ** 2], "x", "f(x)", legend=["2x", "x^2"])
    ax = plt.gca()
    assert len(ax.lines) == 2
    assert ax.lines[0].get_xdata().tolist() == [0, 1, 2]
    assert ax.lines[1].get_ydata().tolist() == [0, 1, 4]
    assert ax.lines[1].get_linestyle() == "--" and ax.lines[1].get_color() == "m"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["2x", "x^2"]


def test_plot_with_only_y_uses_the_index_and_draws_into_given_axes():
    _, (left, right) = plt.subplots(1, 2)
    plot([3.0, 1.0, 2.0], axes=right, fmts=("r:",))
    assert not left.lines and len(right.lines) == 1
    assert right.lines[0].get_xdata().tolist() == [0, 1, 2]
    assert right.lines[0].get_ydata().tolist() == [3, 1, 2]
    plot(np.arange(2), np.arange(2), axes=right)  # redraws: the old curve goes
    assert len(right.lines) == 1


def test_show_images_draws_a_grid_with_titles():
    imgs = torch.rand(5, 8, 8)
    axes = show_images(imgs, 2, 3, titles=["a", "b", "c"])
    assert len(axes) == 6
    assert [ax.get_title() for ax in axes] == ["a", "b", "c", "", "", ""]
    assert np.allclose(axes[4].images[0].get_array(), imgs[4].numpy())
    assert not axes[5].images and not axes[5].axison  # the unused cell is blank
    assert tuple(plt.gcf().get_size_inches()) == (4.5, 3.0)


def test_show_images_takes_pil_and_color_images():
    pil = Image.fromarray(np.zeros((6, 6), dtype=np.uint8))
    axes = show_images([pil, np.ones((6, 6, 3))], 1, 2, scale=1)
    assert axes[0].images[0].get_array().shape == (6, 6)
    assert axes[1].images[0].get_array().shape == (6, 6, 3)


@pytest.mark.parametrize("imgs, match", [
    (torch.rand(2, 1, 28, 28), "channels first"),
    (torch.rand(2, 28), r"\[H, W\]"),
    (torch.rand(2, 2, 28, 28, 1), r"\[H, W\]"),
])
def test_show_images_rejects_wrong_shapes(imgs, match):
    with pytest.raises(ValueError, match=match):
        show_images(imgs, 1, 2)


@pytest.mark.parametrize("rows, cols", [(0, 2), (1, 0), (1.0, 2), (1, "2")])
def test_show_images_rejects_a_bad_grid(rows, cols):
    with pytest.raises(ValueError, match="num_"):
        show_images(torch.rand(2, 4, 4), rows, cols)


# --- Chinese labels: what train_ch3 and predict_ch3 draw, in Chinese when a chapter asks -------------------

@pytest.fixture
def chinese():
    """Chinese labels on for one test, then off again."""
    d2lplot.use_chinese_labels()
    yield
    d2lplot.use_chinese_labels(False)


def test_every_fashion_mnist_class_has_a_chinese_name():
    assert set(TEXT_LABELS) <= set(d2lplot.CHINESE_LABELS)


def test_labels_stay_english_unless_turned_on():
    assert d2lplot.figure_label("train loss") == "train loss"


def test_animator_draws_train_ch3_labels_in_chinese(chinese):
    animator = Animator(xlabel="epoch", xlim=[1, 3], legend=["train loss", "train acc", "test acc"])
    animator.add(1, (0.5, 0.8, 0.79))
    ax = animator.axes[0]
    assert ax.get_xlabel() == "迭代周期"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["训练损失", "训练精度", "测试精度"]


def test_show_images_translates_each_line_of_a_title_and_keeps_unknown_text(chinese):
    titles = [a + "\n" + b for a, b in zip(get_fashion_mnist_labels([9, 0]), ["bag", "my own"])]
    axes = d2lplot.show_images(torch.zeros(2, 28, 28), 1, 2, titles=titles)
    assert [ax.get_title() for ax in axes] == ["短靴\n包", "T 恤\nmy own"]
    assert get_fashion_mnist_labels([9]) == ["ankle boot"]  # the d2l API is unchanged
    plt.close("all")


def test_use_chinese_labels_rejects_a_non_boolean():
    with pytest.raises(TypeError, match="True or False"):
        d2lplot.use_chinese_labels("zh")
