"""Minibatch stochastic gradient descent written by hand: d2l 0.17's sgd and d2l 1.0's SGD class."""
import torch

from .hyperparams import HyperParameters
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


class SGD(HyperParameters):
    """d2l 1.0's minibatch SGD: step() moves each parameter by -lr * grad (no division by the batch size).

    The loss the 1.0 chapters differentiate is already the minibatch mean, so, unlike the
    function sgd of d2l 0.17, the step does not divide by the batch size. Parameters
    without a gradient are left alone, as torch.optim.SGD does.
    """

    def __init__(self, params, lr):
        if isinstance(params, torch.Tensor):
            raise ValueError("params must be a list of parameters, e.g. SGD([w, b], lr), not one tensor")
        params = list(params)  # a generator such as model.parameters() would be used up by the first step
        self.save_hyperparameters()

    def step(self):
        """Update each parameter in place: param -= lr * param.grad."""
        with torch.no_grad():
            for param in self.params:
                if param.grad is not None:
                    param -= self.lr * param.grad

    def zero_grad(self):
        """Set every gradient to zero."""
        for param in self.params:
            if param.grad is not None:
                param.grad.zero_()
