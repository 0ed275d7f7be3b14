"""Properties of d2lutil's softmax, cross-entropy and SGD, checked on many generated inputs.

Hypothesis runs derandomized (the same examples every run, no example database), so CI
results do not depend on luck; a modest number of examples keeps the file fast.

What d2lutil has (and so what is tested):
- `d2lutil.models.softmax(X)`: row-wise softmax of logits, stabilised by subtracting the
  row maximum. It must be finite, sum to 1 and match a float64 reference for logits as
  large as +-1e4 (where the naive formula overflows to inf/inf = nan).
- `d2lutil.losses.cross_entropy(y_hat, y)`: d2l's loss, which takes *probabilities*. It is
  only as good as float32 probabilities: once the true class's probability underflows to 0
  (a logit gap of about 100) it returns inf. That is the chapter-9 story, so it is tested
  where probabilities are representable, and the underflow is asserted as documented
  behaviour.
- `d2lutil.losses.softmax_cross_entropy(logits, y)`: the stable loss from raw scores
  (log-sum-exp), checked with `nn.CrossEntropyLoss` against float64 over the full range.
- `d2lutil.optim.sgd`: one step of minibatch SGD that must leave every gradient zeroed.
- issue 13's contracts: data follows the default dtype; the fast loader's batches never alias
  its data. (Any loss reduction giving the same training is a property in test_train.py.)
"""
import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from torch import nn

from d2lutil import fashion
from d2lutil.data import synthetic_data
from d2lutil.losses import cross_entropy, softmax_cross_entropy
from d2lutil.models import softmax
from d2lutil.optim import sgd

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None)
LIMIT = 1e4  # logits up to +-1e4


def logits(low: float = -LIMIT, high: float = LIMIT, max_spread: float | None = None):
    """[rows, classes] float32 logits: either spread over [low, high], or an offset plus small values.

    The second kind (all logits of a row near a large offset) is the case where exp()
    overflows without the max-subtraction trick, and where rows have near-ties.
    """
    shapes = hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=12)
    spread = hnp.arrays(np.float32, shapes, elements=st.floats(low, high, width=32))

    @st.composite
    def offset_plus_small(draw):
        width = max_spread if max_spread is not None else 50.0
        small = draw(hnp.arrays(np.float32, shapes, elements=st.floats(-width / 2, width / 2, width=32)))
        offset = draw(st.floats(-LIMIT, LIMIT, width=32))
        return (small + np.float32(offset)).astype(np.float32)

    if max_spread is not None:
        return offset_plus_small()
    return st.one_of(spread, offset_plus_small())


def log_softmax64(o: np.ndarray) -> np.ndarray:
    """The float64 reference: o - logsumexp(o), row-wise."""
    o = o.astype(np.float64)
    m = o.max(axis=1, keepdims=True)
    return o - m - np.log(np.exp(o - m).sum(axis=1, keepdims=True))


@SETTINGS
@given(o=logits())
def test_softmax_finite_normalised_and_accurate(o):
    p = softmax(torch.from_numpy(o))
    assert p.dtype == torch.float32 and p.shape == o.shape
    assert torch.isfinite(p).all(), "softmax overflowed or produced nan"
    assert (p >= 0).all()
    np.testing.assert_allclose(p.sum(dim=1).numpy(), 1.0, atol=1e-5)
    np.testing.assert_allclose(p.numpy(), np.exp(log_softmax64(o)), rtol=1e-5, atol=1e-6)


@SETTINGS
@given(o=logits(), shift=st.floats(-1e3, 1e3, width=32))
def test_softmax_ignores_a_constant_shift(o, shift):
    """softmax(o + c) = softmax(o): the identity the stabilisation relies on."""
    shifted = (o + np.float32(shift)).astype(np.float32)
    # o + c is rounded to float32 (error <= 5e-4 for |o + c| <= 1.1e4), which moves each
    # probability by at most about 1e-3; beyond that the two must agree.
    np.testing.assert_allclose(softmax(torch.from_numpy(shifted)).numpy(),
                               softmax(torch.from_numpy(o)).numpy(), atol=2e-3)


@st.composite
def logits_and_labels(draw, **kwargs):
    o = draw(logits(**kwargs))
    y = draw(hnp.arrays(np.int64, o.shape[0], elements=st.integers(0, o.shape[1] - 1)))
    return o, y


@SETTINGS
@given(case=st.one_of(logits_and_labels(low=-40, high=40), logits_and_labels(max_spread=80)))
def test_cross_entropy_of_softmax_matches_reference(case):
    """Where float32 probabilities do not underflow (logit gaps up to 80), the loss is exact."""
    o, y = case
    loss = cross_entropy(softmax(torch.from_numpy(o)), torch.from_numpy(y))
    assert loss.shape == (len(y),)
    assert torch.isfinite(loss).all()
    reference = -log_softmax64(o)[np.arange(len(y)), y]
    np.testing.assert_allclose(loss.numpy(), reference, rtol=1e-5, atol=1e-5)


def test_cross_entropy_of_probabilities_underflows_as_documented():
    """With a logit gap of 200 the true class's probability is 0 in float32, so the loss is inf."""
    o = torch.tensor([[200.0, 0.0]])
    assert softmax(o)[0, 1] == 0
    assert torch.isinf(cross_entropy(softmax(o), torch.tensor([1])))[0]


@SETTINGS
@given(case=logits_and_labels())
def test_logits_cross_entropy_is_stable(case):
    """d2lutil's softmax_cross_entropy and nn.CrossEntropyLoss stay finite and exact up to +-1e4."""
    o, y = case
    reference = -log_softmax64(o)[np.arange(len(y)), y]
    ours = softmax_cross_entropy(torch.from_numpy(o), torch.from_numpy(y))
    torchs = nn.CrossEntropyLoss(reduction="none")(torch.from_numpy(o), torch.from_numpy(y))
    for loss in (ours, torchs):
        assert loss.shape == (len(y),) and torch.isfinite(loss).all()
        # float32 logits of size 1e4 carry an absolute rounding error of ~1e-3 into the loss
        np.testing.assert_allclose(loss.numpy(), reference, rtol=1e-5, atol=2e-3)


def test_logits_cross_entropy_gradient_is_softmax_minus_one_hot():
    """Where probabilities underflow (a gap of 1000), the gradient is still softmax(o) - y, not nan."""
    o = torch.tensor([[1000.0, 0.0, -5.0]], requires_grad=True)
    softmax_cross_entropy(o, torch.tensor([1])).sum().backward()
    assert torch.allclose(o.grad, torch.tensor([[1.0, -1.0, 0.0]]))


@SETTINGS
@given(shapes=st.lists(hnp.array_shapes(min_dims=1, max_dims=3, max_side=6), min_size=1, max_size=3),
       lr=st.floats(1e-4, 10.0), batch_size=st.integers(1, 512), seed=st.integers(0, 2**16))
def test_sgd_steps_and_leaves_gradients_zeroed(shapes, lr, batch_size, seed):
    generator = torch.Generator().manual_seed(seed)
    params = [torch.randn(shape, generator=generator).requires_grad_() for shape in shapes]
    targets = [torch.randn(shape, generator=generator) for shape in shapes]
    sum((p * t).sum() + (p ** 2).sum() for p, t in zip(params, targets)).backward()
    before = [p.detach().clone() for p in params]
    grads = [p.grad.clone() for p in params]
    ids = [id(p) for p in params]

    sgd(params, lr, batch_size)

    for p, old, g, pid in zip(params, before, grads, ids):
        assert id(p) == pid and p.is_leaf and p.requires_grad, "sgd must update parameters in place"
        assert p.grad is not None and torch.count_nonzero(p.grad) == 0, "sgd must zero the gradient"
        torch.testing.assert_close(p.detach(), old - lr * g / batch_size, rtol=1e-5, atol=1e-6)


# --- issue 13: the contracts of the fast loader ----------------------------------------------------------

@SETTINGS
@given(dtype=st.sampled_from([torch.float32, torch.float64]), n=st.integers(1, 50),
       batch_size=st.integers(1, 20), shuffle=st.booleans(), resize=st.sampled_from([None, 3, 7]))
def test_data_follows_any_default_dtype(dtype, n, batch_size, shuffle, resize):
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        X, y = synthetic_data(torch.tensor([2, -3.4], dtype=torch.float32), 4.2, n)
        images = torch.randint(0, 256, (n, 5, 5), dtype=torch.uint8, generator=torch.Generator().manual_seed(n))
        batches = list(fashion.FashionMNISTBatches(images, torch.arange(n) % 10, batch_size, shuffle, resize))
    finally:
        torch.set_default_dtype(previous)
    assert X.dtype == y.dtype == dtype
    assert all(Xb.dtype == dtype and yb.dtype == torch.int64 for Xb, yb in batches)


@SETTINGS
@given(n=st.integers(1, 60), batch_size=st.integers(1, 25), shuffle=st.booleans(),
       resize=st.sampled_from([None, 4]), seed=st.integers(0, 2**16))
def test_batches_never_alias_the_data(n, batch_size, shuffle, resize, seed):
    """Editing every batch (X and y) in place leaves the loader's data, and the next epoch, unchanged."""
    g = torch.Generator().manual_seed(seed)
    images = torch.randint(0, 256, (n, 6, 6), dtype=torch.uint8, generator=g)
    labels = torch.randint(0, 10, (n,), generator=g)
    kept_images, kept_labels = images.clone(), labels.clone()
    batches = fashion.FashionMNISTBatches(images, labels, batch_size, shuffle, resize)
    torch.manual_seed(seed)
    first = [(X.clone(), y.clone()) for X, y in batches]
    torch.manual_seed(seed)
    for X, y in batches:
        X.fill_(-1)
        y.fill_(-1)
    torch.manual_seed(seed)
    again = list(batches)
    assert torch.equal(images, kept_images) and torch.equal(labels, kept_labels)
    assert all(torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) for a, b in zip(first, again))
    assert sum(len(y) for _, y in again) == n
