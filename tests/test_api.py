"""d2lutil.torch: a drop-in for the chapter-3 API of the d2l 0.17 package (`from d2lutil import torch as d2l`)."""
import inspect

import matplotlib.pyplot
import numpy as np
import pytest
import torch

from d2lutil import torch as d2l

LINESTYLES = ("-", "m--", "g-.", "r:")
_ = inspect.Parameter.empty
# d2l 0.17's parameters (name, default) of every function the chapters call through `d2l.`
SIGNATURES = {
    "synthetic_data": [("w", _), ("b", _), ("num_examples", _)],
    "linreg": [("X", _), ("w", _), ("b", _)],
    "squared_loss": [("y_hat", _), ("y", _)],
    "sgd": [("params", _), ("lr", _), ("batch_size", _)],
    "load_array": [("data_arrays", _), ("batch_size", _), ("is_train", True)],
    "get_fashion_mnist_labels": [("labels", _)],
    "show_images": [("imgs", _), ("num_rows", _), ("num_cols", _), ("titles", None), ("scale", 1.5)],
    "get_dataloader_workers": [],
    "load_data_fashion_mnist": [("batch_size", _), ("resize", None)],
    "accuracy": [("y_hat", _), ("y", _)],
    "evaluate_accuracy": [("net", _), ("data_iter", _)],
    "Accumulator": [("n", _)],
    "train_epoch_ch3": [("net", _), ("train_iter", _), ("loss", _), ("updater", _)],
    "train_ch3": [("net", _), ("train_iter", _), ("test_iter", _), ("loss", _), ("num_epochs", _),
                  ("updater", _)],
    "predict_ch3": [("net", _), ("test_iter", _), ("n", 6)],
    "Animator": [("xlabel", None), ("ylabel", None), ("legend", None), ("xlim", None), ("ylim", None),
                 ("xscale", "linear"), ("yscale", "linear"), ("fmts", LINESTYLES), ("nrows", 1),
                 ("ncols", 1), ("figsize", (3.5, 2.5))],
    "Timer": [],
    "set_figsize": [("figsize", (3.5, 2.5))],
    "set_axes": [("axes", _), ("xlabel", _), ("ylabel", _), ("xlim", _), ("ylim", _), ("xscale", _),
                 ("yscale", _), ("legend", _)],
    "use_svg_display": [],
    "plot": [("X", _), ("Y", None), ("xlabel", None), ("ylabel", None), ("legend", None), ("xlim", None),
             ("ylim", None), ("xscale", "linear"), ("yscale", "linear"), ("fmts", LINESTYLES),
             ("figsize", (3.5, 2.5)), ("axes", None)],
    "try_gpu": [("i", 0)],
}
ALIASES = ["tensor", "ones", "zeros", "arange", "normal", "matmul", "exp", "log", "reshape", "argmax",
           "astype", "size", "reduce_sum", "reduce_mean", "numpy", "float32", "int32"]


@pytest.mark.parametrize("name", [*SIGNATURES, *ALIASES, "plt"])
def test_every_name_of_the_chapter_3_api_exists(name):
    assert hasattr(d2l, name), f"d2l.{name} is missing"
    assert name in d2l.__all__


@pytest.mark.parametrize("name", SIGNATURES)
def test_arguments_are_those_of_d2l(name):
    params = list(inspect.signature(getattr(d2l, name)).parameters.values())
    expected = SIGNATURES[name]
    assert [(p.name, p.default) for p in params[:len(expected)]] == expected
    extra = params[len(expected):]
    assert all(p.default is not _ for p in extra), f"extra arguments need defaults: {extra}"


def test_all_lists_only_existing_names():
    assert [name for name in d2l.__all__ if not hasattr(d2l, name)] == []


def test_modules_are_the_real_ones():
    assert d2l.plt is matplotlib.pyplot and d2l.torch is torch and d2l.np is np
    assert d2l.nn is torch.nn and d2l.data is torch.utils.data


def test_constructor_aliases_are_torch_functions():
    assert d2l.float32 is torch.float32 and d2l.int32 is torch.int32
    assert torch.equal(d2l.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0]))
    assert torch.equal(d2l.ones(2, 3), torch.ones(2, 3)) and torch.equal(d2l.zeros((2,)), torch.zeros(2))
    assert torch.equal(d2l.arange(4), torch.arange(4))
    assert d2l.normal(0, 1, (3, 2)).shape == (3, 2)
    A = torch.arange(6.0).reshape(2, 3)
    assert torch.equal(d2l.matmul(A, A.T), A @ A.T)
    assert torch.allclose(d2l.log(d2l.exp(A)), A)


def test_method_aliases_behave_like_d2l():
    A = torch.arange(6.0).reshape(2, 3)
    assert torch.equal(d2l.reshape(A, (3, 2)), A.reshape(3, 2))
    assert torch.equal(d2l.reshape(A, (-1,)), torch.arange(6.0))
    assert torch.equal(d2l.argmax(A, axis=1), torch.tensor([2, 2]))  # the book writes axis=1
    assert int(d2l.argmax(A)) == 5
    assert d2l.astype(A, torch.int32).dtype == torch.int32
    assert d2l.astype(torch.tensor([True, False]), d2l.float32).tolist() == [1.0, 0.0]
    assert d2l.size(A) == 6
    assert float(d2l.reduce_sum(A)) == 15.0 and d2l.reduce_sum(A, dim=0).tolist() == [3, 5, 7]
    assert float(d2l.reduce_mean(A)) == 2.5 and d2l.reduce_mean(A, 1).tolist() == [1, 4]


def test_numpy_detaches_from_the_graph():
    w = torch.ones(3, requires_grad=True)
    arr = d2l.numpy(w * 2)
    assert isinstance(arr, np.ndarray) and arr.tolist() == [2, 2, 2]


def test_chapter_3_style_code_runs_through_d2l_names():
    """Linear regression from scratch, written only with `d2l.` helpers, reaches the true weights."""
    torch.manual_seed(0)
    true_w, true_b = d2l.tensor([2, -3.4]), 4.2
    features, labels = d2l.synthetic_data(true_w, true_b, 1000)
    w = d2l.normal(0, 0.01, size=(2, 1)).requires_grad_(True)
    b = d2l.zeros(1, requires_grad=True)
    timer = d2l.Timer()
    for _epoch in range(3):
        for X, y in d2l.load_array((features, labels), 10):
            l = d2l.squared_loss(d2l.linreg(X, w, b), y)
            l.sum().backward()
            d2l.sgd([w, b], 0.03, 10)
    timer.stop()
    w, b = w.detach(), b.detach()
    assert float((w.reshape(true_w.shape) - true_w).abs().max()) < 0.01
    assert abs(float(b) - true_b) < 0.01
    assert float(d2l.reduce_mean(d2l.squared_loss(d2l.linreg(features, w, b), labels))) < 1e-4
    assert timer.sum() > 0
