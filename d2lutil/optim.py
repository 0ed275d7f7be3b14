"""Minibatch stochastic gradient descent written by hand."""
import torch

from .validate import finite_positive, positive_int


def sgd(params, lr: float, batch_size: int) -> None:
    """Step each parameter by -lr * grad / batch_size, then zero its gradient.

    The division turns the gradient of a loss *summed* over the minibatch into
    that of the mean, so the step size does not grow with the batch size.
    """
    lr = finite_positive("lr", lr)
    batch_size = positive_int("batch_size", batch_size)
    with torch.no_grad():
        for param in params:
            if param.grad is None:
                raise ValueError("a parameter has no gradient: call l.sum().backward() before sgd, "
                                 "and create parameters with requires_grad=True")
            param -= lr * param.grad / batch_size
            param.grad.zero_()
