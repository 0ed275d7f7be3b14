"""d2lutil.train: train_epoch_ch3, train_ch3 and predict_ch3 on small synthetic data."""
import itertools
import re

import pytest
import torch
from matplotlib import pyplot as plt
from torch import nn

from d2lutil.data import load_array
from d2lutil.losses import cross_entropy
from d2lutil.metrics import evaluate_accuracy
from d2lutil.models import softmax
from d2lutil.optim import sgd
from d2lutil.seed import set_seed
from d2lutil.train import predict_ch3, train_ch3, train_epoch_ch3

NUM_INPUTS, NUM_CLASSES, LR = 4, 3, 0.1


def blobs(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """n examples of 3 well-separated Gaussian classes in 4 dimensions."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, NUM_CLASSES, (n,), generator=g)
    centers = 3 * torch.eye(NUM_CLASSES, NUM_INPUTS)
    return centers[y] + torch.randn(n, NUM_INPUTS, generator=g), y


@pytest.fixture
def data():
    X, y = blobs(100, 0)
    X_test, y_test = blobs(50, 1)
    return X, y, X_test, y_test


def linear_net() -> nn.Module:
    """The concise softmax regression model, with the same initial weights every time."""
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(NUM_INPUTS, NUM_CLASSES))


def make_updater(kind: str, params: list):
    """torch.optim.SGD, or d2l's hand-written sgd as a function of the batch size."""
    if kind == "torch":
        return torch.optim.SGD(params, lr=LR)
    return lambda batch_size: sgd(params, LR, batch_size)


def one_epoch(reduction: str, updater_kind: str, data):
    """One epoch (shuffled, seeded) of the concise model; return (loss, acc, weights)."""
    X, y, _, _ = data
    net = linear_net()
    set_seed(1)
    train_iter = load_array((X, y), 16)  # last batch smaller: 100 = 6 * 16 + 4
    loss = nn.CrossEntropyLoss(reduction=reduction)
    l, acc = train_epoch_ch3(net, train_iter, loss, make_updater(updater_kind, list(net.parameters())))
    return l, acc, torch.cat([p.detach().reshape(-1) for p in net.parameters()])


def cross_entropy_logits(y_hat, y):
    """A hand-written loss: one cross-entropy value per example, from logits."""
    return nn.functional.cross_entropy(y_hat, y, reduction="none")


COMBINATIONS = list(itertools.product(["none", "mean", "sum"], ["torch", "handwritten"]))


@pytest.mark.parametrize("reduction, updater_kind", COMBINATIONS)
def test_every_loss_reduction_and_updater_gives_the_same_training(reduction, updater_kind, data):
    ref_loss, ref_acc, ref_w = one_epoch("mean", "torch", data)
    l, acc, w = one_epoch(reduction, updater_kind, data)
    assert l == pytest.approx(ref_loss, rel=1e-5)
    assert acc == ref_acc
    assert torch.allclose(w, ref_w, atol=1e-6)
    assert not torch.allclose(w, torch.cat([p.reshape(-1) for p in linear_net().parameters()]))


def test_the_scratch_model_trains_exactly_like_the_concise_one(data):
    X, y, _, _ = data
    _, _, concise_w = one_epoch("none", "torch", data)
    layer = linear_net()[1]
    W = layer.weight.detach().T.clone().requires_grad_(True)
    b = layer.bias.detach().clone().requires_grad_(True)
    set_seed(1)
    train_iter = load_array((X, y), 16)
    train_epoch_ch3(lambda X: softmax(X.reshape(-1, NUM_INPUTS) @ W + b), train_iter, cross_entropy,
                    lambda n: sgd([W, b], LR, n))
    assert torch.allclose(torch.cat([W.T.reshape(-1), b]), concise_w, atol=1e-5)


def test_train_epoch_reports_the_mean_loss_and_accuracy_before_each_step(data):
    X, y, _, _ = data
    net = linear_net()
    with torch.no_grad():
        y_hat = net(X)
        expected_loss = float(nn.functional.cross_entropy(y_hat, y))
        expected_acc = float((y_hat.argmax(dim=1) == y).float().mean())
    l, acc = train_epoch_ch3(net, [(X, y)], nn.CrossEntropyLoss(), torch.optim.SGD(net.parameters(), LR))
    assert l == pytest.approx(expected_loss, rel=1e-6) and acc == pytest.approx(expected_acc)
    assert net.training


def test_train_epoch_rejects_a_bad_updater_and_an_empty_iterator(data):
    net = linear_net()
    with pytest.raises(ValueError, match="torch optimizer or a function"):
        train_epoch_ch3(net, [data[:2]], nn.CrossEntropyLoss(), "sgd")
    with pytest.raises(ValueError, match="no examples"):
        train_epoch_ch3(net, [], nn.CrossEntropyLoss(), torch.optim.SGD(net.parameters(), LR))


def test_train_ch3_returns_floats_learns_and_plots_each_epoch(data):
    X, y, X_test, y_test = data
    net = linear_net()
    set_seed(0)
    train_iter, test_iter = load_array((X, y), 10), load_array((X_test, y_test), 10, is_train=False)
    result = train_ch3(net, train_iter, test_iter, nn.CrossEntropyLoss(reduction="none"), 5,
                       torch.optim.SGD(net.parameters(), lr=LR))
    train_loss, train_acc, test_acc = result
    assert isinstance(result, tuple) and all(type(v) is float for v in result)
    assert train_loss < 0.5 and train_acc > 0.9 and test_acc > 0.9
    assert test_acc == evaluate_accuracy(net, test_iter)
    ax = plt.gcf().axes[0]
    assert [line.get_xdata().tolist() for line in ax.lines] == [[1, 2, 3, 4, 5]] * 3
    assert ax.lines[2].get_ydata()[-1] == test_acc
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train loss", "train acc", "test acc"]


def test_train_ch3_matches_train_epoch_ch3_run_by_hand(data):
    X, y, X_test, y_test = data
    results = []
    for by_hand in (False, True):
        net = linear_net()
        set_seed(0)
        train_iter = load_array((X, y), 10)
        test_iter = load_array((X_test, y_test), 10, is_train=False)
        updater = lambda n: sgd(net.parameters(), LR, n)  # noqa: E731
        if by_hand:
            for _ in range(3):  # evaluating each epoch, as train_ch3 does, draws the same seeds
                l, acc = train_epoch_ch3(net, train_iter, cross_entropy_logits, updater)
                test_acc = evaluate_accuracy(net, test_iter)
            results.append((l, acc, test_acc))
        else:
            results.append(train_ch3(net, train_iter, test_iter, cross_entropy_logits, 3, updater))
    assert results[0] == pytest.approx(results[1])


@pytest.mark.parametrize("num_epochs, match", [(0, ">= 1"), (-2, ">= 1"), (2.5, "whole number"),
                                               (3.0, "whole number")])
def test_train_ch3_rejects_bad_epoch_counts(num_epochs, match, data):
    net = linear_net()
    with pytest.raises(ValueError, match=match):
        train_ch3(net, [data[:2]], [data[2:]], nn.CrossEntropyLoss(), num_epochs,
                  torch.optim.SGD(net.parameters(), LR))


def test_train_ch3_stops_on_a_nan_loss(data):
    net = linear_net()
    nan_loss = lambda y_hat, y: cross_entropy_logits(y_hat, y) * float("nan")  # noqa: E731
    with pytest.raises(FloatingPointError, match="nan in epoch 1"):
        train_ch3(net, [data[:2]], [data[2:]], nan_loss, 3, torch.optim.SGD(net.parameters(), LR))


def test_train_ch3_stops_when_softmax_underflows_to_an_infinite_loss(data):
    W = torch.zeros(NUM_INPUTS, NUM_CLASSES, requires_grad=True)
    with torch.no_grad():
        W[0, 1] = 1e4  # class 1 gets all the probability: log(0) for every other class

    def net(X):
        return softmax(X @ W)
    with pytest.raises(FloatingPointError, match="inf in epoch 1.*logits"):
        train_ch3(net, [data[:2]], [data[2:]], cross_entropy, 2, lambda n: sgd([W], LR, n))


class ConstantNet(nn.Module):
    """Always predicts class 9 (ankle boot)."""

    def forward(self, X):
        return nn.functional.one_hot(torch.full((len(X),), 9), 10).float()


def test_predict_ch3_shows_true_and_predicted_labels():
    X, y = torch.rand(8, 1, 28, 28), torch.tensor([0, 1, 2, 3, 4, 5, 6, 7])
    predict_ch3(ConstantNet(), [(X, y)], n=4)
    axes = plt.gcf().axes
    assert len(axes) == 4
    assert [ax.get_title() for ax in axes] == [f"{t}\nankle boot" for t in
                                               ("t-shirt", "trouser", "pullover", "dress")]
    assert axes[0].images[0].get_array().shape == (28, 28)
    assert torch.allclose(torch.as_tensor(axes[3].images[0].get_array()), X[3, 0])


def test_predict_ch3_shows_at_most_one_batch():
    predict_ch3(ConstantNet(), [(torch.rand(3, 28, 28), torch.tensor([9, 9, 1]))])
    assert [ax.get_title() for ax in plt.gcf().axes if ax.images] == \
        ["ankle boot\nankle boot", "ankle boot\nankle boot", "trouser\nankle boot"]


@pytest.mark.parametrize("n", [0, 2.0])
def test_predict_ch3_rejects_a_bad_n(n):
    with pytest.raises(ValueError, match="n must"):
        predict_ch3(ConstantNet(), [(torch.rand(3, 28, 28), torch.tensor([9, 9, 1]))], n=n)


FASHION_SCRIPT = """
import sys
import torch
from torch import nn
from d2lutil import torch as d2l
from d2lutil.seed import set_seed

set_seed(0)
train_iter, test_iter = d2l.load_data_fashion_mnist(256)
net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
loss = nn.CrossEntropyLoss(reduction='none')
trainer = torch.optim.SGD(net.parameters(), lr=0.1)
result = d2l.train_ch3(net, train_iter, test_iter, loss, 10, trainer)
assert sys.modules['IPython'] is None
print('RESULT', *result)
"""


@pytest.mark.slow
def test_plain_script_trains_fashion_mnist_without_ipython(run_script):
    """Issue 2 acceptance: d2l.train_ch3 runs as `python script.py`, with no IPython, and learns."""
    done = run_script(FASHION_SCRIPT, timeout=300)
    assert done.returncode == 0, done.stderr
    match = re.search(r"^RESULT (\S+) (\S+) (\S+)$", done.stdout, re.M)
    assert match, done.stdout + done.stderr
    train_loss, train_acc, test_acc = map(float, match.groups())
    assert test_acc > 0.8 and train_acc > 0.8 and train_loss < 0.6
