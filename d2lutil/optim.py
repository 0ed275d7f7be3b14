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
    if isinstance(params, torch.Tensor):
        raise ValueError("params must be a list of parameters, e.g. sgd([w, b], lr, batch_size), "
                         "not one tensor")
    params = list(params)
    for i, param in enumerate(params):  # check all before stepping any
        if not isinstance(param, torch.Tensor):
            raise ValueError(f"params[{i}] is a {type(param).__name__}, not a tensor; "
                             "pass the parameters themselves, e.g. [w, b]")
        if param.grad is None:
            raise ValueError(f"params[{i}] (shape {tuple(param.shape)}) has no gradient: call "
                             "l.sum().backward() before sgd, and create parameters with requires_grad=True")
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()
