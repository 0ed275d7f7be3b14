"""d2lutil.models: linear regression and softmax written from scratch."""
import pytest
import torch

from d2lutil.models import linreg, softmax


def test_linreg_computes_Xw_plus_b():
    X = torch.tensor([[1.0, 2.0], [3.0, 4.0], [0.0, 0.0]])
    w = torch.tensor([[0.5], [-1.0]])
    out = linreg(X, w, torch.tensor([2.0]))
    assert out.shape == (3, 1)
    assert torch.equal(out, torch.tensor([[0.5], [-0.5], [2.0]]))


def test_linreg_is_differentiable_in_w_and_b():
    X = torch.tensor([[1.0, 2.0]])
    w = torch.zeros(2, 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    linreg(X, w, b).sum().backward()
    assert torch.equal(w.grad, X.T) and torch.equal(b.grad, torch.ones(1))


def test_linreg_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="3 features but w has 2 rows"):
        linreg(torch.ones(4, 3), torch.ones(2, 1), 0.0)


def test_linreg_with_mixed_dtypes_says_which():
    with pytest.raises(ValueError, match="X is torch.float64 but w is torch.float32"):
        linreg(torch.zeros(3, 2, dtype=torch.float64), torch.zeros(2, 1), torch.zeros(1))


def test_softmax_rows_are_probabilities_equal_to_torch():
    torch.manual_seed(0)
    X = torch.randn(5, 4)
    P = softmax(X)
    assert P.shape == (5, 4)
    assert bool((P > 0).all())
    assert torch.allclose(P.sum(dim=1), torch.ones(5))
    assert torch.allclose(P, torch.softmax(X, dim=1), atol=1e-7)


def test_softmax_known_values_and_shift_invariance():
    P = softmax(torch.tensor([[0.0, torch.log(torch.tensor(3.0))]]))
    assert torch.allclose(P, torch.tensor([[0.25, 0.75]]))
    X = torch.tensor([[1.0, 2.0, 3.0]])
    assert torch.allclose(softmax(X), softmax(X + 100))


def test_softmax_does_not_overflow_on_large_logits():
    P = softmax(torch.tensor([[1000.0, 0.0], [-1000.0, 0.0]]))
    assert bool(torch.isfinite(P).all())
    assert torch.allclose(P, torch.tensor([[1.0, 0.0], [0.0, 1.0]]))


def test_softmax_of_no_classes_is_an_error():
    with pytest.raises(ValueError, match=r"at least one class score per row, got shape \(4, 0\)"):
        softmax(torch.zeros(4, 0))
