"""d2lutil.data: synthetic regression data and in-memory minibatch iterators."""
import numpy as np
import pytest
import torch

from d2lutil.data import load_array, synthetic_data
from d2lutil.losses import squared_loss
from d2lutil.models import linreg
from d2lutil.optim import sgd
from d2lutil.seed import set_seed


def test_synthetic_data_shapes_and_dtype():
    X, y = synthetic_data(torch.tensor([2, -3.4]), 4.2, 50)
    assert X.shape == (50, 2) and y.shape == (50, 1)
    assert X.dtype == y.dtype == torch.float32


def test_synthetic_data_follows_the_linear_model_with_small_noise():
    set_seed(0)
    w, b = torch.tensor([2, -3.4]), 4.2
    X, y = synthetic_data(w, b, 5000)
    noise = y.reshape(-1) - (X @ w + b)
    assert abs(float(noise.mean())) < 1e-3
    assert float(noise.std()) == pytest.approx(0.01, rel=0.05)
    assert float(X.std()) == pytest.approx(1.0, rel=0.05)
    # least squares on the data recovers (w, b)
    A = torch.cat([X, torch.ones(len(X), 1)], dim=1)
    coef = torch.linalg.lstsq(A, y).solution.reshape(-1)
    assert torch.allclose(coef, torch.tensor([2, -3.4, 4.2]), atol=1e-3)


def test_synthetic_data_is_reproducible_with_a_seed():
    set_seed(3)
    first = synthetic_data(torch.tensor([1.0]), 0.5, 10)
    set_seed(3)
    second = synthetic_data(torch.tensor([1.0]), 0.5, 10)
    assert all(torch.equal(a, b) for a, b in zip(first, second))


def test_synthetic_data_and_a_training_step_follow_float64():
    """Under torch.set_default_dtype(torch.float64), float32 weights are cast and a whole step runs in float64."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        set_seed(0)
        X, y = synthetic_data(torch.tensor([2, -3.4], dtype=torch.float32), 4.2, 100)
        w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
        b = torch.zeros(1, requires_grad=True)
        for X_batch, y_batch in load_array((X, y), 10):
            squared_loss(linreg(X_batch, w, b), y_batch).sum().backward()
            sgd([w, b], 0.03, 10)
    finally:
        torch.set_default_dtype(previous)
    assert X.dtype == y.dtype == w.dtype == b.dtype == torch.float64


def test_synthetic_data_accepts_a_list_and_a_tensor_bias():
    X, y = synthetic_data([1, 2, 3], torch.tensor(0.5), 4)
    assert X.shape == (4, 3) and y.shape == (4, 1)


@pytest.mark.parametrize("w, b, n, match", [
    (torch.ones(2, 1), 4.2, 10, "^w must be a 1-D"),
    (torch.ones(2), torch.ones(3), 10, "^b must be a single number"),
    (torch.ones(2), 4.2, 0, "^num_examples must be >= 1"),
    (torch.ones(2), 4.2, -5, ">= 1"),
    (torch.ones(2), 4.2, 10.0, "^num_examples must be a positive whole number"),
    (torch.ones(2), 4.2, "10", "whole number"),
    (torch.ones(2), 4.2, True, "whole number"),
])
def test_synthetic_data_rejects_bad_arguments(w, b, n, match):
    with pytest.raises(ValueError, match=match):
        synthetic_data(w, b, n)


def test_load_array_yields_every_example_once_in_order_when_not_training():
    X, y = torch.arange(20.0).reshape(10, 2), torch.arange(10)
    batches = list(load_array((X, y), 4, is_train=False))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    assert torch.equal(torch.cat([b[0] for b in batches]), X)
    assert torch.equal(torch.cat([b[1] for b in batches]), y)


def test_load_array_shuffles_when_training_and_keeps_pairs():
    set_seed(0)
    X, y = torch.arange(100.0).reshape(100, 1), torch.arange(100)
    Xs, ys = zip(*load_array((X, y), 10))
    Xs, ys = torch.cat(Xs), torch.cat(ys)
    assert not torch.equal(ys, y)  # shuffled
    assert torch.equal(ys.sort().values, y)  # a permutation
    assert torch.equal(Xs.reshape(-1).long(), ys)  # rows stay with their labels


def test_load_array_gives_every_example_each_epoch_including_a_last_partial_batch():
    """10 examples in batches of 4: 4 + 4 + 2 per epoch, shuffled or not (d2l's DataLoader keeps the last batch)."""
    X, y = torch.arange(20.0).reshape(10, 2), torch.arange(10)
    for is_train in (True, False):
        batches = list(load_array((X, y), 4, is_train=is_train))
        assert sorted(len(b[1]) for b in batches) == [2, 4, 4]
        assert torch.equal(torch.cat([b[1] for b in batches]).sort().values, y)


@pytest.mark.parametrize("batch_size, match", [(0, ">= 1"), (-1, ">= 1"), (2.5, "whole number"),
                                               (10.0, "whole number"), (None, "whole number"),
                                               ("256", "whole number"), (True, "whole number")])
def test_load_array_rejects_bad_batch_sizes(batch_size, match):
    with pytest.raises(ValueError, match=rf"^batch_size must .*{match}"):
        load_array((torch.ones(4, 2), torch.ones(4)), batch_size)


def test_load_array_rejects_arrays_of_different_lengths():
    with pytest.raises(ValueError, match="same first dimension"):
        load_array((torch.ones(5, 2), torch.ones(4)), 2)


@pytest.mark.parametrize("arrays, match", [
    (torch.ones(5, 2), "tuple of tensors, e.g. .* not one tensor"),
    ((np.zeros((10, 2)), np.zeros(10)), r"data_arrays\[0\] is a ndarray.*torch.tensor"),
    ((t for t in (torch.zeros(3), torch.zeros(3))), "non-empty tuple of tensors.*generator"),
    ((), "non-empty tuple"),
], ids=["one-tensor", "numpy", "generator", "empty"])
def test_load_array_says_what_it_takes(arrays, match):
    with pytest.raises(ValueError, match=match):
        load_array(arrays, 5)
