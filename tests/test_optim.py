"""d2lutil.optim: minibatch SGD written by hand."""
import math

import numpy as np
import pytest
import torch

from d2lutil.optim import sgd


def test_sgd_steps_by_lr_times_grad_over_batch_size_and_zeroes_the_gradient():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([0.5], requires_grad=True)
    (3 * w.sum() + 4 * b.sum()).backward()  # grads: 3 for each w, 4 for b
    sgd([w, b], lr=0.1, batch_size=2)
    assert torch.allclose(w, torch.tensor([1.0 - 0.15, 2.0 - 0.15]))
    assert torch.allclose(b, torch.tensor([0.5 - 0.2]))
    assert torch.equal(w.grad, torch.zeros(2)) and torch.equal(b.grad, torch.zeros(1))
    assert w.requires_grad and w.is_leaf  # still a parameter after the in-place step


def test_sgd_on_a_summed_loss_equals_torch_sgd_on_the_mean_loss():
    torch.manual_seed(0)
    X, y = torch.randn(16, 3), torch.randn(16, 1)
    w1 = torch.randn(3, 1, requires_grad=True)
    w2 = w1.detach().clone().requires_grad_(True)
    ((X @ w1 - y) ** 2 / 2).sum().backward()
    sgd([w1], 0.03, 16)
    opt = torch.optim.SGD([w2], lr=0.03)
    ((X @ w2 - y) ** 2 / 2).mean().backward()
    opt.step()
    assert torch.allclose(w1, w2, atol=1e-7)


def test_sgd_accepts_numpy_numbers():
    w = torch.ones(1, requires_grad=True)
    w.sum().backward()
    sgd([w], np.float32(0.5), np.int64(1))
    assert torch.allclose(w, torch.tensor([0.5]))


@pytest.mark.parametrize("lr, match", [(math.nan, "finite"), (math.inf, "finite"), (0, "> 0"),
                                       (-0.1, "> 0"), ("0.1", "positive number"),
                                       (True, "positive number")])
def test_sgd_rejects_bad_learning_rates(lr, match):
    w = torch.ones(1, requires_grad=True)
    w.sum().backward()
    with pytest.raises(ValueError, match=rf"^lr must .*{match}"):
        sgd([w], lr, 1)
    assert torch.equal(w.detach(), torch.ones(1))  # nothing changed


@pytest.mark.parametrize("batch_size", [0, -2, 2.0, 1.5, "8"])
def test_sgd_rejects_bad_batch_sizes(batch_size):
    w = torch.ones(1, requires_grad=True)
    w.sum().backward()
    with pytest.raises(ValueError, match="^batch_size must"):
        sgd([w], 0.1, batch_size)
    assert torch.equal(w.detach(), torch.ones(1))


def test_sgd_leaves_every_parameter_alone_when_one_has_no_gradient():
    w = torch.ones(3, requires_grad=True)
    (2 * w).sum().backward()
    b = torch.zeros(1, requires_grad=True)
    with pytest.raises(ValueError, match=r"params\[1\] \(shape \(1,\)\) has no gradient"):
        sgd([w, b], 0.1, 1)
    assert torch.equal(w.detach(), torch.ones(3)) and torch.equal(w.grad, torch.full((3,), 2.0))


def test_sgd_takes_a_generator_of_parameters():
    net = torch.nn.Linear(2, 1)
    net(torch.ones(1, 2)).sum().backward()
    before = net.weight.detach().clone()
    sgd(net.parameters(), 0.5, 1)
    assert torch.allclose(net.weight.detach(), before - 0.5)


def test_sgd_rejects_a_lone_tensor():
    w = torch.ones(3, requires_grad=True)
    (2 * w).sum().backward()
    with pytest.raises(ValueError, match=r"params must be a list .*\[w, b\]"):
        sgd(w, 0.1, 1)


def test_sgd_says_how_to_fix_a_missing_gradient():
    with pytest.raises(ValueError, match="backward"):
        sgd([torch.ones(2, requires_grad=True)], 0.1, 1)
