"""Counting correct predictions over a model's outputs and over a whole dataset."""
import torch
from torch import nn

from .validate import positive_int


class Accumulator:
    """Sums over n variables (e.g. loss, correct predictions, examples)."""

    def __init__(self, n: int):
        self.data = [0.0] * positive_int("n", n)

    def add(self, *args) -> None:
        """Add each argument to its slot."""
        if len(args) != len(self.data):
            raise ValueError(f"Accumulator holds {len(self.data)} sums, got {len(args)} values")
        self.data = [a + float(b.detach() if isinstance(b, torch.Tensor) else b)
                     for a, b in zip(self.data, args)]

    def reset(self) -> None:
        """Set every sum back to 0."""
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx):
        return self.data[idx]


def accuracy(y_hat: torch.Tensor, y: torch.Tensor) -> float:
    """The number of correct predictions (a count, not a fraction, as in d2l)."""
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        if y.dtype.is_floating_point or y.dtype == torch.bool:
            raise ValueError(f"y must hold integer class ids (torch.int64), got {y.dtype}; "
                             "use y.long() if the values are whole numbers")
        y_hat = y_hat.argmax(dim=1)
    if y_hat.shape != y.shape:
        raise ValueError(f"predictions of y_hat (shape {tuple(y_hat.shape)}) do not match labels y of "
                         f"shape {tuple(y.shape)}; pass y with one class id per example")
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


def evaluate_accuracy(net, data_iter) -> float:
    """The fraction of examples in `data_iter` that `net` classifies correctly."""
    if isinstance(net, nn.Module):
        net.eval()
    metric = Accumulator(2)  # correct predictions, examples
    with torch.no_grad():
        for X, y in data_iter:
            metric.add(accuracy(net(X), y), y.numel())
    if metric[1] == 0:
        raise ValueError("data_iter yielded no examples")
    return metric[0] / metric[1]
