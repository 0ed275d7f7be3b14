"""The Chinese-labels setting of d2lutil.plot: what train_ch3 and predict_ch3 draw, in Chinese."""
import pytest
import torch
from matplotlib import pyplot as plt

from d2lutil import plot
from d2lutil.animator import Animator
from d2lutil.fashion import TEXT_LABELS, get_fashion_mnist_labels


@pytest.fixture
def chinese():
    """Chinese labels on for one test, then off again."""
    plot.use_chinese_labels()
    yield
    plot.use_chinese_labels(False)


def test_every_fashion_mnist_class_has_a_chinese_name():
    assert set(TEXT_LABELS) <= set(plot.CHINESE_LABELS)


def test_labels_stay_english_unless_turned_on():
    assert plot.figure_label("train loss") == "train loss"


def test_animator_draws_train_ch3_labels_in_chinese(chinese):
    animator = Animator(xlabel="epoch", xlim=[1, 3], legend=["train loss", "train acc", "test acc"])
    animator.add(1, (0.5, 0.8, 0.79))
    ax = animator.axes[0]
    assert ax.get_xlabel() == "迭代周期"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["训练损失", "训练精度", "测试精度"]


def test_show_images_translates_each_line_of_a_title_and_keeps_unknown_text(chinese):
    titles = [a + "\n" + b for a, b in zip(get_fashion_mnist_labels([9, 0]), ["bag", "my own"])]
    axes = plot.show_images(torch.zeros(2, 28, 28), 1, 2, titles=titles)
    assert [ax.get_title() for ax in axes] == ["短靴\n包", "T 恤\nmy own"]
    assert get_fashion_mnist_labels([9]) == ["ankle boot"]  # the d2l API is unchanged
    plt.close("all")


def test_use_chinese_labels_rejects_a_non_boolean():
    with pytest.raises(TypeError, match="True or False"):
        plot.use_chinese_labels("zh")
