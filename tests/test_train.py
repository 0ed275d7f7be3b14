"""d2lutil.train: train_epoch_ch3, train_ch3 and predict_ch3 on small synthetic data."""
import functools
import re
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib import pyplot as plt
from torch import nn
from torch.nn import functional as F

from d2lutil.data import load_array
from d2lutil.losses import cross_entropy
from d2lutil.metrics import evaluate_accuracy
from d2lutil.models import softmax
from d2lutil.optim import sgd
from d2lutil.seed import set_seed
from d2lutil.train import predict_ch3, train_ch3, train_epoch_ch3

NUM_INPUTS, NUM_CLASSES, LR = 4, 3, 0.1


@pytest.fixture
def data(blobs):
    """100 training and 50 test examples of 3 well-separated classes in 4 dimensions."""
    X, y = blobs(100, 0, classes=NUM_CLASSES, dims=NUM_INPUTS)
    X_test, y_test = blobs(50, 1, classes=NUM_CLASSES, dims=NUM_INPUTS)
    return X, y, X_test, y_test


@pytest.fixture
def net(linear_net):
    """The concise softmax regression model of the 4-dimensional data, with fixed initial weights."""
    return linear_net(NUM_INPUTS, NUM_CLASSES)


def epoch_with(loss, data, linear_net, batch_size: int = 16) -> tuple[float, torch.Tensor]:
    """One shuffled, seeded epoch of the concise model with torch's SGD; (reported loss, weights after)."""
    X, y, _, _ = data
    net = linear_net(NUM_INPUTS, NUM_CLASSES)
    set_seed(1)
    l, _ = train_epoch_ch3(net, load_array((X, y), batch_size), loss, torch.optim.SGD(net.parameters(), lr=LR))
    return l, net[1].weight.detach().clone()


def cross_entropy_logits(y_hat, y):
    """A hand-written loss: one cross-entropy value per example, from logits."""
    return nn.functional.cross_entropy(y_hat, y, reduction="none")


def test_the_scratch_model_trains_exactly_like_the_concise_one(data, linear_net):
    X, y, _, _ = data
    net = linear_net(NUM_INPUTS, NUM_CLASSES)
    set_seed(1)
    train_epoch_ch3(net, load_array((X, y), 16), nn.CrossEntropyLoss(reduction="none"),
                    torch.optim.SGD(net.parameters(), lr=LR))
    concise_w = torch.cat([p.detach().reshape(-1) for p in net.parameters()])
    layer = linear_net(NUM_INPUTS, NUM_CLASSES)[1]
    W = layer.weight.detach().T.clone().requires_grad_(True)
    b = layer.bias.detach().clone().requires_grad_(True)
    set_seed(1)
    train_iter = load_array((X, y), 16)
    train_epoch_ch3(lambda X: softmax(X.reshape(-1, NUM_INPUTS) @ W + b), train_iter, cross_entropy,
                    lambda n: sgd([W, b], LR, n))
    assert torch.allclose(torch.cat([W.T.reshape(-1), b]), concise_w, atol=1e-5)


def test_train_epoch_reports_the_mean_loss_and_accuracy_before_each_step(data, net):
    X, y, _, _ = data
    with torch.no_grad():
        y_hat = net(X)
        expected_loss = float(nn.functional.cross_entropy(y_hat, y))
        expected_acc = float((y_hat.argmax(dim=1) == y).float().mean())
    l, acc = train_epoch_ch3(net, [(X, y)], nn.CrossEntropyLoss(), torch.optim.SGD(net.parameters(), LR))
    assert l == pytest.approx(expected_loss, rel=1e-6) and acc == pytest.approx(expected_acc)
    assert net.training


def test_train_epoch_rejects_a_bad_updater_and_an_empty_iterator(data, net):
    with pytest.raises(ValueError, match="torch optimizer or a function"):
        train_epoch_ch3(net, [data[:2]], nn.CrossEntropyLoss(), "sgd")
    with pytest.raises(ValueError, match="no examples"):
        train_epoch_ch3(net, [], nn.CrossEntropyLoss(), torch.optim.SGD(net.parameters(), LR))


def test_train_ch3_returns_floats_learns_and_plots_each_epoch(data, net):
    X, y, X_test, y_test = data
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


def test_train_ch3_matches_train_epoch_ch3_run_by_hand(data, linear_net):
    X, y, X_test, y_test = data
    results = []
    for by_hand in (False, True):
        net = linear_net(NUM_INPUTS, NUM_CLASSES)
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
def test_train_ch3_rejects_bad_epoch_counts(num_epochs, match, data, net):
    with pytest.raises(ValueError, match=rf"^num_epochs must .*{match}"):
        train_ch3(net, [data[:2]], [data[2:]], nn.CrossEntropyLoss(), num_epochs,
                  torch.optim.SGD(net.parameters(), LR))


def test_train_ch3_stops_on_a_nan_loss(data, net):
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


# --- what the loss may return: one value per example, or a mean or sum that says so -----------------------

LOSSES = {
    "none": lambda: nn.CrossEntropyLoss(reduction="none"),
    "mean": lambda: nn.CrossEntropyLoss(reduction="mean"),
    "sum": lambda: nn.CrossEntropyLoss(reduction="sum"),
    "partial-sum": lambda: functools.partial(F.cross_entropy, reduction="sum"),
    "partial-mean": lambda: functools.partial(F.cross_entropy, reduction="mean"),
    "per-example": lambda: (lambda y_hat, y: F.cross_entropy(y_hat, y, reduction="none")),
}


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(reduction=st.sampled_from(sorted(LOSSES)), sizes=st.lists(st.integers(1, 9), min_size=1, max_size=4),
       handwritten=st.booleans(), seed=st.integers(0, 2**16))
def test_any_loss_reduction_and_updater_give_the_same_training(reduction, sizes, handwritten, seed):
    """Whatever reduction the loss says it uses, and either updater: the same weights, reported loss and accuracy."""
    g = torch.Generator().manual_seed(seed)
    batches = [(torch.randn(n, 5, generator=g), torch.randint(0, 3, (n,), generator=g)) for n in sizes]
    results = []
    for name, by_hand in (("none", False), (reduction, handwritten)):
        torch.manual_seed(seed)
        net = nn.Linear(5, 3)
        start = torch.cat([p.detach().reshape(-1) for p in net.parameters()])
        updater = (lambda n, net=net: sgd(net.parameters(), 0.1, n)) if by_hand \
            else torch.optim.SGD(net.parameters(), lr=0.1)
        loss, acc = train_epoch_ch3(net, batches, LOSSES[name](), updater)
        results.append((loss, acc, torch.cat([p.detach().reshape(-1) for p in net.parameters()])))
    (ref_loss, ref_acc, ref_w), (loss, acc, w) = results
    assert loss == pytest.approx(ref_loss, rel=1e-5, abs=1e-6) and acc == ref_acc
    torch.testing.assert_close(w, ref_w, rtol=1e-5, atol=1e-6)
    assert not torch.equal(w, start)


def test_a_single_number_that_does_not_say_mean_or_sum_is_an_error_not_a_guess(data, linear_net):
    with pytest.raises(ValueError, match="mean or their sum.*reduction='none'"):
        epoch_with(lambda a, b: F.cross_entropy(a, b, reduction="sum"), data, linear_net)
    with pytest.raises(ValueError, match="mean or their sum"):
        epoch_with(F.cross_entropy, data, linear_net)  # a mean, but it does not say so either


def test_a_loss_with_the_wrong_number_of_values_is_an_error(data, linear_net):
    with pytest.raises(ValueError, match="returned 2 values .* batch of 16"):
        epoch_with(lambda a, b: F.cross_entropy(a, b, reduction="none")[:2], data, linear_net)


def test_a_loss_returning_a_python_float_is_an_error(data, linear_net):
    with pytest.raises(ValueError, match="returned a float .* not a tensor"):
        epoch_with(lambda a, b: float(F.cross_entropy(a, b).detach()), data, linear_net)


class FixedLoss:
    """Per-example losses read from a table: examples 0-2 have loss 1, example 3 has loss 5."""

    def __call__(self, y_hat, y):
        return y_hat.sum(dim=1) * 0 + torch.tensor([1.0, 1.0, 1.0, 5.0])[y]


def test_train_epoch_reports_the_mean_over_examples_not_over_batches():
    """Batches of 3 and 1 examples with losses 1, 1, 1 | 5: 8 / 4 = 2.0, not (1 + 5) / 2 = 3.0."""
    w = torch.zeros(2, 4, requires_grad=True)
    batches = [(torch.ones(3, 2), torch.tensor([0, 1, 2])), (torch.ones(1, 2), torch.tensor([3]))]
    l, acc = train_epoch_ch3(lambda X: X @ w, batches, FixedLoss(), lambda n: sgd([w], 0.1, n))
    assert l == 2.0 and acc == 0.25  # all scores tie at 0, so argmax is class 0: one example right


def updaters():
    """(id, updater factory taking the net, message) for updaters that cannot work."""
    return [
        ("bound-step", lambda net: torch.optim.SGD(net.parameters(), 0.1).step, "trainer, not trainer.step"),
        ("optimizer-class", lambda net: torch.optim.SGD, r"class SGD.*SGD\(net.parameters\(\), lr=0.1\)"),
        ("sgd-itself", lambda net: sgd, "lambda batch_size: d2l.sgd"),
    ]


@pytest.mark.parametrize("make, match", [u[1:] for u in updaters()], ids=[u[0] for u in updaters()])
def test_wrong_updaters_are_refused_before_any_backward(make, match, data, net):
    X, y, _, _ = data
    for train in (lambda u: train_epoch_ch3(net, [(X, y)], nn.CrossEntropyLoss(), u),
                  lambda u: train_ch3(net, [(X, y)], [(X, y)], nn.CrossEntropyLoss(), 2, u)):
        with pytest.raises(ValueError, match=match):
            train(make(net))
        assert all(p.grad is None for p in net.parameters())


def test_train_epoch_raises_on_a_nan_learning_rate(data, net):
    X, y, _, _ = data
    with pytest.raises(FloatingPointError, match="loss became nan"):
        train_epoch_ch3(net, load_array((X, y), 16), nn.CrossEntropyLoss(),
                        torch.optim.SGD(net.parameters(), lr=float("nan")))


def test_net_and_batches_on_different_devices_say_which_to_move(data, net):
    """A net on another device (the meta device stands in for CUDA) fed CPU batches."""
    X, y, _, _ = data
    net = net.to("meta")
    for call in (lambda: train_epoch_ch3(net, [(X, y)], nn.CrossEntropyLoss(), torch.optim.SGD(net.parameters(), 0.1)),
                 lambda: predict_ch3(net, [(X, y)])):
        with pytest.raises(ValueError, match=r"parameters are on meta but the batch X is on cpu.*X.to\('meta'\)"):
            call()


class ModeRecorder(nn.Module):
    """A linear layer that records, at each forward pass, whether it was in training mode."""

    def __init__(self):
        super().__init__()
        self.linear, self.modes = nn.Linear(NUM_INPUTS, NUM_CLASSES), []

    def forward(self, X):
        self.modes.append(self.training)
        return self.linear(X)


def test_every_epoch_trains_in_training_mode_after_evaluating_in_eval_mode(data):
    """train_ch3 evaluates (eval mode) after each epoch: the next epoch must switch back to training mode."""
    X, y, X_test, y_test = data
    net = ModeRecorder()
    train_ch3(net, [(X, y)], [(X_test, y_test)], nn.CrossEntropyLoss(), 3, torch.optim.SGD(net.parameters(), LR))
    assert net.modes == [True, False] * 3


# --- the figure train_ch3 draws -------------------------------------------------------------------------

def test_many_trainings_keep_one_figure_of_each_kind_open(data, net):
    """Scripts that train in a loop: each train_ch3 and predict_ch3 replaces its previous figure."""
    X, y, _, _ = data
    images = torch.rand(len(y), 1, 28, 28)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns when more than 20 figures are open
        for _ in range(22):
            train_ch3(net, [(X, y)], [(X, y)], nn.CrossEntropyLoss(), 1, torch.optim.SGD(net.parameters(), 0.01))
            predict_ch3(lambda batch: torch.zeros(len(batch), 10), [(images, y)])
    assert len(plt.get_fignums()) == 2


def test_one_epoch_has_a_valid_x_range(data, net):
    X, y, _, _ = data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        train_ch3(net, [(X, y)], [(X, y)], nn.CrossEntropyLoss(), 1, torch.optim.SGD(net.parameters(), 0.1))
    assert plt.gcf().axes[0].get_xlim() == (0.5, 1.5)


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


def test_predict_ch3_shows_flat_images_as_28x28(blobs):
    X, y = blobs(8)
    torch.manual_seed(0)
    predict_ch3(nn.Linear(784, 10), [(X, y)], n=3)
    axes = [ax for ax in plt.gcf().axes if ax.images]
    assert len(axes) == 3 and axes[0].images[0].get_array().shape == (28, 28)
    assert np.allclose(axes[1].images[0].get_array(), X[1].reshape(28, 28).numpy())


def test_predict_ch3_rejects_non_square_flat_input():
    with pytest.raises(ValueError, match=r"shape \(4, 10\)"):
        predict_ch3(nn.Linear(10, 10), [(torch.zeros(4, 10), torch.zeros(4, dtype=torch.long))])


def test_predict_ch3_with_no_batches_is_an_error():
    with pytest.raises(ValueError, match="test_iter yielded no batches"):
        predict_ch3(nn.Linear(784, 10), [])


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
result = d2l.train_ch3(net, train_iter, test_iter, loss, 1, trainer)
assert sys.modules['IPython'] is None
print('RESULT', *result)
"""


@pytest.mark.slow
def test_plain_script_trains_fashion_mnist_without_ipython(run_script):
    """Issue 2 acceptance: d2l.train_ch3 runs as `python script.py`, with no IPython, and learns in one epoch."""
    done = run_script(FASHION_SCRIPT, timeout=300)
    assert done.returncode == 0, done.stderr
    match = re.search(r"^RESULT (\S+) (\S+) (\S+)$", done.stdout, re.M)
    assert match, done.stdout + done.stderr
    train_loss, train_acc, test_acc = map(float, match.groups())
    assert test_acc > 0.7 and train_acc > 0.7 and train_loss < 1.0  # one epoch (0.77, 0.75, 0.79); chance: 0.1, 2.3
