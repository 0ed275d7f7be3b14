"""Counting correct predictions over a model's outputs and over a whole dataset."""
import torch
from torch import nn

from .device import check_device
from .losses import check_class_labels
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


def count_correct(y_hat: torch.Tensor, y: torch.Tensor, check: bool = True) -> torch.Tensor:
    """The number of correct predictions as a 0-d tensor; if `check`, labels in range and no nan scores."""
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        if check:
            check_class_labels(y_hat, y)
        if check and y_hat.is_floating_point() and torch.isnan(y_hat).any():
            raise ValueError("y_hat holds nan scores, which have no largest class: the model diverged "
                             "(lower the learning rate) or its input holds nan")
        y_hat = y_hat.argmax(dim=1)
    if y_hat.shape != y.shape:
        raise ValueError(f"predictions of y_hat (shape {tuple(y_hat.shape)}) do not match labels y of "
                         f"shape {tuple(y.shape)}; pass y with one class id per example")
    return (y_hat.type(y.dtype) == y).sum()


def accuracy(y_hat: torch.Tensor, y: torch.Tensor) -> float:
    """The number of correct predictions (a count, not a fraction, as in d2l)."""
    return float(count_correct(y_hat, y))


def evaluate_accuracy(net, data_iter) -> float:
    """The fraction of examples in `data_iter` that `net` classifies correctly."""
    if isinstance(net, nn.Module):
        net.eval()
    correct, examples = 0, 0
    with torch.no_grad():
        for i, (X, y) in enumerate(data_iter):
            if i == 0:
                check_device(net, X)
            correct = correct + count_correct(net(X), y)
            examples += y.numel()
    if examples == 0:
        raise ValueError("data_iter yielded no examples")
    return float(correct) / examples
