"""d2lutil.losses: squared loss and cross-entropy, one value per example."""
import warnings

import pytest
import torch
from torch import nn

from d2lutil.losses import check_class_labels, cross_entropy, squared_loss


def test_squared_loss_is_half_the_squared_error_per_example():
    y_hat = torch.tensor([[1.0], [2.0], [4.0]])
    y = torch.tensor([1.0, 0.0, 1.0])  # a flat label vector is reshaped to y_hat's shape
    l = squared_loss(y_hat, y)
    assert l.shape == (3, 1)
    assert torch.equal(l, torch.tensor([[0.0], [2.0], [4.5]]))


def test_squared_loss_mean_matches_half_mse_and_its_gradient():
    torch.manual_seed(0)
    y_hat = torch.randn(8, 1, requires_grad=True)
    y = torch.randn(8, 1)
    squared_loss(y_hat, y).sum().backward()
    assert torch.allclose(y_hat.grad, (y_hat - y).detach())
    assert torch.allclose(squared_loss(y_hat, y).mean(), nn.MSELoss()(y_hat, y) / 2)


@pytest.mark.parametrize("y_hat_shape, y_shape", [((3, 1), (4,)), ((3, 1), (3, 2)), ((2,), (3,))])
def test_squared_loss_rejects_mismatched_shapes(y_hat_shape, y_shape):
    with pytest.raises(ValueError, match=r"but y has .*one label per prediction"):
        squared_loss(torch.ones(y_hat_shape), torch.ones(y_shape))


def test_cross_entropy_picks_minus_log_of_the_true_class():
    y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    y = torch.tensor([0, 2])
    l = cross_entropy(y_hat, y)
    assert l.shape == (2,)
    assert torch.allclose(l, -torch.log(torch.tensor([0.1, 0.5])))


def test_cross_entropy_of_softmax_equals_torch_cross_entropy_on_logits():
    torch.manual_seed(0)
    logits, y = torch.randn(6, 10), torch.randint(0, 10, (6,))
    expected = nn.CrossEntropyLoss(reduction="none")(logits, y)
    assert torch.allclose(cross_entropy(torch.softmax(logits, dim=1), y), expected, atol=1e-6)


# the label checks cross_entropy shares with d2lutil.metrics.accuracy (test_metrics.py)
BAD_LABELS = [
    (torch.full((2, 3), 1 / 3), torch.tensor([0.0, 1.0]), "^y must hold integer class ids"),
    (torch.full((2, 3), 1 / 3), torch.tensor([True, False]), "^y must hold integer class ids"),
    (torch.full((2, 3), 1 / 3), torch.tensor([0, 3]), r"class ids must lie in 0\.\.2, got values 0\.\.3"),
    (torch.full((2, 3), 1 / 3), torch.tensor([-1, 0]), r"0\.\.2"),
    (torch.full((2, 3), 1 / 3), torch.tensor([0, 1, 2]), "^y must be a 1-D tensor with one label per row"),
    (torch.full((2, 3), 1 / 3), torch.tensor([0]), "^y must be a 1-D tensor with one label per row"),
    (torch.full((2, 3), 1 / 3), torch.tensor([[0], [1]]), "^y must be a 1-D tensor with one label per row"),
]


@pytest.mark.parametrize("y_hat, y, match", BAD_LABELS + [
    (torch.full((3,), 1 / 3), torch.tensor([0]), r"^y_hat must be \[batch, classes\]"),
])
def test_cross_entropy_rejects_bad_labels(y_hat, y, match):
    with pytest.raises(ValueError, match=match):
        cross_entropy(y_hat, y)


def test_uint8_labels_give_the_same_loss_as_int64_labels_without_warning():
    y_hat = torch.softmax(torch.randn(5, 10, generator=torch.Generator().manual_seed(0)), dim=1)
    y = torch.tensor([0, 3, 9, 3, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert torch.equal(cross_entropy(y_hat, y.to(torch.uint8)), cross_entropy(y_hat, y))


def test_check_class_labels_accepts_an_empty_batch():
    check_class_labels(torch.zeros(0, 3), torch.zeros(0, dtype=torch.long))
