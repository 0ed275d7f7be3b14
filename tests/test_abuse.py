"""Issue 13: d2lutil used carelessly. Every call here gave a silent wrong result, a runaway cost
or an error from deep inside torch; each now gives the d2l behaviour or a sentence that says
what was wrong and how to fix it. The item numbers are those of issue 13.
"""
import functools
import warnings

import numpy as np
import pytest
import torch
from matplotlib import pyplot as plt
from torch import nn
from torch.nn import functional as F

from d2lutil import torch as d2l
from d2lutil.seed import set_seed


def blobs(n: int = 64, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """n examples of 10 classes in 784 dimensions (image-sized, so chapter-3 nets take them)."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 10, (n,), generator=g)
    return torch.randn(n, 784, generator=g) + 3 * F.one_hot(y, 784).float(), y


def concise_net() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 10))


def epoch_with(loss, batch_size: int = 64) -> tuple[float, torch.Tensor]:
    """One epoch over 128 examples with torch's SGD; (reported loss, weights after)."""
    X, y = blobs(128)
    net = concise_net()
    set_seed(1)
    l, _ = d2l.train_epoch_ch3(net, d2l.load_array((X, y), batch_size), loss,
                               torch.optim.SGD(net.parameters(), lr=0.1))
    return l, net[1].weight.detach().clone()


# --- item 4: a summed loss that does not say so ---------------------------------------------------

def test_a_sum_without_a_reduction_attribute_is_an_error_not_64x():
    with pytest.raises(ValueError, match="mean or their sum.*reduction='none'"):
        epoch_with(lambda a, b: F.cross_entropy(a, b, reduction="sum"))
    with pytest.raises(ValueError, match="mean or their sum"):
        epoch_with(F.cross_entropy)  # a mean, but it does not say so either


@pytest.mark.parametrize("loss", [
    nn.CrossEntropyLoss(reduction="sum"), nn.CrossEntropyLoss(),
    functools.partial(F.cross_entropy, reduction="sum"), functools.partial(F.cross_entropy, reduction="mean"),
    lambda a, b: F.cross_entropy(a, b, reduction="none")],
    ids=["nn-sum", "nn-mean", "partial-sum", "partial-mean", "per-example"])
def test_every_loss_that_says_its_reduction_trains_the_same(loss):
    ref_loss, ref_w = epoch_with(nn.CrossEntropyLoss(reduction="none"))
    l, w = epoch_with(loss)
    assert l == pytest.approx(ref_loss, rel=1e-5) and torch.allclose(w, ref_w, atol=1e-6)


def test_a_loss_with_the_wrong_number_of_values_is_an_error():
    with pytest.raises(ValueError, match="returned 2 values .* batch of 64"):
        epoch_with(lambda a, b: F.cross_entropy(a, b, reduction="none")[:2])


def test_a_loss_returning_a_python_float_is_an_error():
    """Item 16."""
    with pytest.raises(ValueError, match="returned a float .* not a tensor"):
        epoch_with(lambda a, b: float(F.cross_entropy(a, b).detach()))


# --- test gap: the mean over examples, not over batches --------------------------------------------

class FixedLoss:
    """Per-example losses read from a table: examples 0-2 have loss 1, example 3 has loss 5."""

    def __call__(self, y_hat, y):
        return y_hat.sum(dim=1) * 0 + torch.tensor([1.0, 1.0, 1.0, 5.0])[y]


def test_train_epoch_reports_the_mean_over_examples_not_over_batches():
    """Batches of 3 and 1 examples with losses 1, 1, 1 | 5: 8 / 4 = 2.0, not (1 + 5) / 2 = 3.0."""
    w = torch.zeros(2, 4, requires_grad=True)
    batches = [(torch.ones(3, 2), torch.tensor([0, 1, 2])), (torch.ones(1, 2), torch.tensor([3]))]
    l, acc = d2l.train_epoch_ch3(lambda X: X @ w, batches, FixedLoss(), lambda n: d2l.sgd([w], 0.1, n))
    assert l == 2.0 and acc == 0.25  # all scores tie at 0, so argmax is class 0: one example right


# --- item 5: the default dtype ------------------------------------------------------------------------

def test_synthetic_data_and_training_follow_float64():
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        set_seed(0)
        X, y = d2l.synthetic_data(torch.tensor([2, -3.4]), 4.2, 100)
        w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
        b = torch.zeros(1, requires_grad=True)
        for X_batch, y_batch in d2l.load_array((X, y), 10):
            d2l.squared_loss(d2l.linreg(X_batch, w, b), y_batch).sum().backward()
            d2l.sgd([w, b], 0.03, 10)
    finally:
        torch.set_default_dtype(previous)
    assert X.dtype == y.dtype == w.dtype == torch.float64


def test_synthetic_data_casts_float32_weights_to_the_default():
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        X, y = d2l.synthetic_data(torch.tensor([2, -3.4], dtype=torch.float32), 4.2, 10)
    finally:
        torch.set_default_dtype(previous)
    assert X.dtype == y.dtype == torch.float64


# --- item 10: predict_ch3 with flat images --------------------------------------------------------------

def test_predict_ch3_shows_flat_images_as_28x28():
    X, y = blobs(8)
    torch.manual_seed(0)
    d2l.predict_ch3(nn.Linear(784, 10), [(X, y)], n=3)
    axes = [ax for ax in plt.gcf().axes if ax.images]
    assert len(axes) == 3 and axes[0].images[0].get_array().shape == (28, 28)
    assert np.allclose(axes[1].images[0].get_array(), X[1].reshape(28, 28).numpy())


def test_predict_ch3_rejects_non_square_flat_input():
    with pytest.raises(ValueError, match=r"shape \(4, 10\)"):
        d2l.predict_ch3(nn.Linear(10, 10), [(torch.zeros(4, 10), torch.zeros(4, dtype=torch.long))])


def test_predict_ch3_with_no_batches_is_an_error():
    """Item 16: a bare StopIteration."""
    with pytest.raises(ValueError, match="test_iter yielded no batches"):
        d2l.predict_ch3(nn.Linear(784, 10), [])


# --- item 11: uint8 labels ---------------------------------------------------------------------------------

def test_uint8_labels_work_like_int64_labels():
    y_hat = d2l.softmax(torch.randn(5, 10, generator=torch.Generator().manual_seed(0)))
    y = torch.tensor([0, 3, 9, 3, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert torch.equal(d2l.cross_entropy(y_hat, y.to(torch.uint8)), d2l.cross_entropy(y_hat, y))
        assert d2l.accuracy(y_hat, y.to(torch.uint8)) == d2l.accuracy(y_hat, y)


# --- item 12: sgd checks every parameter before stepping any ------------------------------------------------

def test_sgd_leaves_every_parameter_alone_when_one_has_no_gradient():
    w = torch.ones(3, requires_grad=True)
    (2 * w).sum().backward()
    b = torch.zeros(1, requires_grad=True)
    with pytest.raises(ValueError, match=r"params\[1\] \(shape \(1,\)\) has no gradient"):
        d2l.sgd([w, b], 0.1, 1)
    assert torch.equal(w.detach(), torch.ones(3)) and torch.equal(w.grad, torch.full((3,), 2.0))


def test_sgd_takes_a_generator_of_parameters():
    net = nn.Linear(2, 1)
    net(torch.ones(1, 2)).sum().backward()
    before = net.weight.detach().clone()
    d2l.sgd(net.parameters(), 0.5, 1)
    assert torch.allclose(net.weight.detach(), before - 0.5)


def test_sgd_rejects_a_lone_tensor():
    """Item 16."""
    w = torch.ones(3, requires_grad=True)
    (2 * w).sum().backward()
    with pytest.raises(ValueError, match=r"params must be a list .*\[w, b\]"):
        d2l.sgd(w, 0.1, 1)


# --- item 13: figures in scripts ----------------------------------------------------------------------------

def test_many_trainings_in_a_script_keep_one_figure_open(run_script):
    done = run_script(
        "import warnings; warnings.simplefilter('error')\n"
        "import torch\nfrom torch import nn\nfrom matplotlib import pyplot as plt\n"
        "from d2lutil import torch as d2l\n"
        "X, y = torch.randn(20, 1, 28, 28), torch.randint(0, 10, (20,))\n"
        "net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))\n"
        "for i in range(22):\n"
        "    d2l.train_ch3(net, [(X, y)], [(X, y)], nn.CrossEntropyLoss(), 1, torch.optim.SGD(net.parameters(), 0.01))\n"
        "    d2l.predict_ch3(net, [(X, y)])\n"
        "print('OPEN', len(plt.get_fignums()))\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["OPEN", "2"]


def test_one_epoch_has_a_valid_x_range():
    X, y = blobs(16)
    net = concise_net()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d2l.train_ch3(net, [(X, y)], [(X, y)], nn.CrossEntropyLoss(), 1, torch.optim.SGD(net.parameters(), 0.1))
    assert plt.gcf().axes[0].get_xlim() == (0.5, 1.5)


# --- item 14: no Chinese font ------------------------------------------------------------------------------

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


# --- item 16: errors from deep inside torch -----------------------------------------------------------------

@pytest.mark.parametrize("arrays, match", [
    ((np.zeros((10, 2)), np.zeros(10)), r"data_arrays\[0\] is a ndarray.*torch.tensor"),
    ((t for t in (torch.zeros(3), torch.zeros(3))), "non-empty tuple of tensors.*generator"),
    ((), "non-empty tuple"),
], ids=["numpy", "generator", "empty"])
def test_load_array_says_what_it_takes(arrays, match):
    with pytest.raises(ValueError, match=match):
        d2l.load_array(arrays, 5)


def updaters():
    """(id, updater factory taking the net, message) for updaters that cannot work."""
    return [
        ("bound-step", lambda net: torch.optim.SGD(net.parameters(), 0.1).step, "trainer, not trainer.step"),
        ("optimizer-class", lambda net: torch.optim.SGD, r"class SGD.*SGD\(net.parameters\(\), lr=0.1\)"),
        ("sgd-itself", lambda net: d2l.sgd, "lambda batch_size: d2l.sgd"),
    ]


@pytest.mark.parametrize("make, match", [u[1:] for u in updaters()], ids=[u[0] for u in updaters()])
def test_wrong_updaters_are_refused_before_any_backward(make, match):
    X, y = blobs(8)
    net = concise_net()
    for train in (lambda u: d2l.train_epoch_ch3(net, [(X, y)], nn.CrossEntropyLoss(), u),
                  lambda u: d2l.train_ch3(net, [(X, y)], [(X, y)], nn.CrossEntropyLoss(), 2, u)):
        with pytest.raises(ValueError, match=match):
            train(make(net))
        assert all(p.grad is None for p in net.parameters())


@pytest.mark.parametrize("i", [-1, "0", 1.0, True])
def test_try_gpu_rejects_a_bad_index(i):
    with pytest.raises(ValueError, match="GPU number"):
        d2l.try_gpu(i)


def test_try_gpu_of_a_missing_gpu_is_the_cpu():
    assert d2l.try_gpu(torch.cuda.device_count()) == torch.device("cpu")


def test_softmax_of_no_classes_is_an_error():
    with pytest.raises(ValueError, match=r"at least one class score per row, got shape \(4, 0\)"):
        d2l.softmax(torch.zeros(4, 0))


def test_linreg_with_mixed_dtypes_says_which():
    with pytest.raises(ValueError, match="X is torch.float64 but w is torch.float32"):
        d2l.linreg(torch.zeros(3, 2, dtype=torch.float64), torch.zeros(2, 1), torch.zeros(1))


def test_net_and_batches_on_different_devices_say_which_to_move():
    """A net on another device (the meta device stands in for CUDA) fed CPU batches."""
    X, y = blobs(8)
    net = concise_net().to("meta")
    for call in (lambda: d2l.evaluate_accuracy(net, [(X, y)]),
                 lambda: d2l.train_epoch_ch3(net, [(X, y)], nn.CrossEntropyLoss(),
                                             torch.optim.SGD(net.parameters(), 0.1)),
                 lambda: d2l.predict_ch3(net, [(X, y)])):
        with pytest.raises(ValueError, match=r"parameters are on meta but the batch X is on cpu.*X.to\('meta'\)"):
            call()


# --- item 17: silent wrong results -------------------------------------------------------------------------

def test_accuracy_rejects_labels_outside_the_classes():
    y_hat = torch.rand(4, 10)
    with pytest.raises(ValueError, match=r"class ids must lie in 0..9, got values 10..13"):
        d2l.accuracy(y_hat, torch.tensor([10, 11, 12, 13]))


def test_accuracy_rejects_nan_scores():
    y_hat = torch.full((3, 10), float("nan"))
    with pytest.raises(ValueError, match="y_hat holds nan"):
        d2l.accuracy(y_hat, torch.tensor([0, 0, 0]))
    with pytest.raises(ValueError, match="y_hat holds nan"):
        d2l.evaluate_accuracy(lambda X: y_hat, [(torch.zeros(3, 2), torch.tensor([0, 0, 0]))])


def test_train_epoch_raises_on_a_nan_learning_rate():
    X, y = blobs(64)
    net = concise_net()
    with pytest.raises(FloatingPointError, match="loss became nan"):
        d2l.train_epoch_ch3(net, d2l.load_array((X, y), 16), nn.CrossEntropyLoss(),
                            torch.optim.SGD(net.parameters(), lr=float("nan")))
