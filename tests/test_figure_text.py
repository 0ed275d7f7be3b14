"""tests/figure_text.py: the strings a matplotlib SVG draws, and alt texts checked against them."""
import io

import matplotlib
import pytest

matplotlib.use("Agg")
from matplotlib import pyplot as plt  # noqa: E402

from d2lutil.plot import ensure_fonts  # noqa: E402
from figure_text import DrawnText, alt_text_problems, drawn_text, plain  # noqa: E402


def svg_of(fig) -> str:
    """The figure as matplotlib writes it for the book (SVG, text drawn as paths)."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    plt.close(fig)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def training_plot() -> DrawnText:
    """A plot like train_ch3's: Chinese axis label and legend, a title, a mathtext legend entry."""
    ensure_fonts()
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [0.9, 0.5, 0.4], label="训练损失")
    ax.plot([1, 2, 3], [0.5, 0.7, 0.8], label="$w_1$")
    ax.set_xlabel("迭代周期")
    ax.set_title("η = 0.88（太大）")
    ax.text(2, 0.6, "a = -0.5")
    ax.legend()
    return drawn_text(svg_of(fig))


def test_the_svg_gives_each_string_with_its_role(training_plot):
    assert training_plot.axis_labels == ["迭代周期"]
    assert training_plot.legend == ["训练损失", "$w_1$"]
    assert sorted(training_plot.other) == ["a = -0.5", "η = 0.88（太大）"]
    assert "1.00" in training_plot.ticks and "0.9" in training_plot.ticks


def test_an_alt_text_that_names_what_is_drawn_passes(training_plot):
    alt = "折线图，横轴是“迭代周期”，标题“η = 0.88（太大）”，两条线是“训练损失”和 w₁，标注 a = −0.5。"
    assert alt_text_problems(alt, [training_plot]) == []


def test_english_labels_and_a_wrong_number_are_found(training_plot):
    """The faults of issue 19: English names the figure draws in Chinese, η = 0.8 where it draws 0.88."""
    alt = "折线图，横轴是迭代周期 epoch，标题 η = 0.8（太大），train loss 和 w1 两条线，a = −0.5。"
    problems = alt_text_problems(alt, [training_plot])
    assert "the figure draws '训练损失' but the alt text does not say it" in problems
    assert "the figure draws 'η = 0.88（太大）' but the alt text does not say it" in problems
    assert {p.split("'")[1] for p in problems if "names" in p} == {"epoch", "train", "loss"}


def test_a_computed_number_may_be_left_out_but_not_misquoted(training_plot):
    """A title that shows a result (精度 0.98) is named without its number, so the alt text stays true."""
    left_out = "折线图，横轴是“迭代周期”，标题“η =（太大）”，两条线是“训练损失”和 w₁，标注 a = −0.5。"
    assert alt_text_problems(left_out, [training_plot]) == []
    misquoted = left_out.replace("η =", "η = 0.9")
    assert alt_text_problems(misquoted, [training_plot]) == [
        "the figure draws 'η = 0.88（太大）' but the alt text does not say it"]


def test_a_claim_about_the_language_of_the_labels_is_checked():
    grid = DrawnText(other=["短靴", "T 恤", "套衫", "裤子"])
    assert alt_text_problems("四张图像，上方是中文类别名，第一张是“短靴”。", [grid]) == []
    problems = alt_text_problems("四张图像，上方是英文类别名，第一张是“短靴”。", [grid])
    assert problems == ["the alt text says 英文 labels, but the figure draws ['短靴', 'T 恤', '套衫', '裤子']"]
    assert alt_text_problems("四张图像，上方是类别名。", [grid]) == [
        "the figure's titles are ['短靴', 'T 恤', '套衫', '裤子']... but the alt text names none of them"]


def test_plain_drops_maths_and_width_differences():
    assert plain("$\\hat{y}_1$ − y，（a）") == "y1-y,(a)"
