"""The mistakes students make, fed to d2lutil end to end: each must fail with a clear ValueError.

"Clear" means: a ValueError (not a TypeError or RuntimeError from deep inside torch, and
not a silently wrong result) whose message names the argument that is wrong, so the
reader knows which part of the call to fix. Each case is called through the
d2l-compatible namespace, the way the chapters call it.
"""
import math

import pytest
import torch
from torch import nn

from d2lutil import torch as d2l


def names(argument: str) -> str:
    """A regex that finds `argument` as a whole word (so 'y' does not match inside 'y_hat')."""
    return rf"(?<![\w.]){argument}(?!\w)"


@pytest.fixture
def y_hat():
    """Predicted class probabilities for a batch of 4 examples and 10 classes."""
    torch.manual_seed(0)
    return d2l.softmax(torch.randn(4, 10))


@pytest.fixture
def param():
    """A parameter with a gradient, ready for an sgd step."""
    w = torch.zeros(3, requires_grad=True)
    (w * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    return w


# --- a batch size that is not a whole number --------------------------------------------

@pytest.mark.parametrize("batch_size", [256.0, "256", 0, -1, True])
def test_load_array_batch_size(batch_size):
    X, y = torch.zeros(10, 2), torch.zeros(10, 1)
    with pytest.raises(ValueError, match=names("batch_size")):
        d2l.load_array((X, y), batch_size)


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("batch_size", [256.0, 0])
def test_load_data_fashion_mnist_batch_size(batch_size, fast):
    with pytest.raises(ValueError, match=names("batch_size")):
        d2l.load_data_fashion_mnist(batch_size, fast=fast)


@pytest.mark.parametrize("batch_size", [10.0, 0])
def test_sgd_batch_size(param, batch_size):
    with pytest.raises(ValueError, match=names("batch_size")):
        d2l.sgd([param], 0.1, batch_size)


# --- a learning rate that cannot be stepped with -------------------------------------------

@pytest.mark.parametrize("lr", [math.nan, math.inf, 0.0, -0.1])
def test_sgd_learning_rate(param, lr):
    before = param.detach().clone()
    with pytest.raises(ValueError, match=names("lr")):
        d2l.sgd([param], lr, 10)
    assert torch.equal(param.detach(), before), "a rejected step must not touch the parameters"


# --- labels of the wrong dtype or shape ------------------------------------------------------

# Both take class scores y_hat and integer labels y, and must reject the same mistakes in y.
LABEL_TAKERS = [pytest.param(d2l.cross_entropy, id="cross_entropy"),
                pytest.param(d2l.accuracy, id="accuracy")]


@pytest.mark.parametrize("fn", LABEL_TAKERS)
def test_float_labels(fn, y_hat):
    """Float labels against class scores (accuracy used to compare argmax to floats silently)."""
    with pytest.raises(ValueError, match=names("y")):
        fn(y_hat, torch.tensor([1.0, 2.0, 3.0, 4.0]))


@pytest.mark.parametrize("fn", LABEL_TAKERS)
@pytest.mark.parametrize("y", [torch.tensor([[1], [2], [3], [4]]), torch.tensor([1, 2])],
                         ids=["column", "too-short"])
def test_label_shape(fn, y_hat, y):
    with pytest.raises(ValueError, match=names("y")):
        fn(y_hat, y)


def test_cross_entropy_label_out_of_range(y_hat):
    with pytest.raises(ValueError, match="class ids"):
        d2l.cross_entropy(y_hat, torch.tensor([0, 1, 2, 10]))


def test_cross_entropy_predictions_shape():
    with pytest.raises(ValueError, match=names("y_hat")):
        d2l.cross_entropy(torch.rand(4), torch.tensor([0, 1, 2, 3]))


def test_text_labels_float_tensor(y_hat):
    """The classic slip: passing the scores y_hat instead of y_hat.argmax(dim=1)."""
    with pytest.raises(ValueError, match=names("labels")):
        d2l.get_fashion_mnist_labels(y_hat)


def test_text_labels_float_ids():
    with pytest.raises(ValueError, match=names("labels")):
        d2l.get_fashion_mnist_labels(torch.tensor([1.0, 2.0]))


def test_text_labels_matrix():
    """A [N, 2] matrix of ids is not a list of labels (a column [N, 1] is accepted)."""
    with pytest.raises(ValueError, match=names("labels")):
        d2l.get_fashion_mnist_labels(torch.tensor([[1, 2], [3, 4]]))


@pytest.mark.parametrize("labels", [[10], [-1]])
def test_text_labels_out_of_range(labels):
    with pytest.raises(ValueError, match="label"):
        d2l.get_fashion_mnist_labels(labels)


# --- images that are not [H, W] ---------------------------------------------------------------

@pytest.mark.parametrize("imgs", [torch.zeros(2, 1, 28, 28), torch.zeros(2, 784), torch.zeros(2, 2, 3, 4, 5)],
                         ids=["channels-first", "flat", "5-d"])
def test_show_images_shape(imgs):
    with pytest.raises(ValueError, match=r"imgs|image"):
        d2l.show_images(imgs, 1, 2)


def test_show_images_grid():
    with pytest.raises(ValueError, match=names("num_rows")):
        d2l.show_images(torch.zeros(2, 28, 28), 0, 2)


# --- a resize that cannot be an image side -------------------------------------------------------

@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("resize", [0, -3, 28.0])
def test_load_data_fashion_mnist_resize(resize, fast):
    with pytest.raises(ValueError, match=names("resize")):
        d2l.load_data_fashion_mnist(256, resize=resize, fast=fast)


# --- zero epochs -------------------------------------------------------------------------------

@pytest.mark.parametrize("num_epochs", [0, 2.0])
def test_train_ch3_num_epochs(num_epochs):
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    batches = [(torch.zeros(2, 1, 28, 28), torch.tensor([0, 1]))]
    trainer = torch.optim.SGD(net.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=names("num_epochs")):
        d2l.train_ch3(net, batches, batches, nn.CrossEntropyLoss(reduction="none"), num_epochs, trainer)


# --- shapes that do not match ---------------------------------------------------------------------

def test_squared_loss_sizes():
    with pytest.raises(ValueError, match=names("y")):
        d2l.squared_loss(torch.zeros(10, 1), torch.zeros(5))


def test_squared_loss_row_vs_column_is_fixed_not_broadcast():
    """y as a row [n] against y_hat [n, 1] must not broadcast to [n, n] (d2l reshapes y)."""
    assert d2l.squared_loss(torch.zeros(10, 1), torch.ones(10)).shape == (10, 1)


def test_synthetic_data_weights_shape():
    with pytest.raises(ValueError, match=names("w")):
        d2l.synthetic_data(torch.zeros(2, 1), 4.2, 10)


def test_synthetic_data_bias_shape():
    with pytest.raises(ValueError, match=names("b")):
        d2l.synthetic_data(torch.tensor([2.0, -3.4]), torch.tensor([4.2, 1.0]), 10)


def test_synthetic_data_num_examples():
    with pytest.raises(ValueError, match=names("num_examples")):
        d2l.synthetic_data(torch.tensor([2.0, -3.4]), 4.2, 10.0)


def test_linreg_shapes():
    with pytest.raises(ValueError, match=names("w")):
        d2l.linreg(torch.zeros(10, 2), torch.zeros(3, 1), torch.zeros(1))


def test_load_array_lengths():
    with pytest.raises(ValueError, match="same first dimension"):
        d2l.load_array((torch.zeros(10, 2), torch.zeros(9, 1)), 5)
