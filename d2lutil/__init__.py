"""Helpers for the linear-neural-networks course; `from d2lutil import torch as d2l` is d2l's API.

Modules, one concern each: data (synthetic data, load_array), fashion
(Fashion-MNIST found offline and a fast loader), models, losses, optim,
metrics, train, plot, animator, timer, device, expected (chapter checks),
and torch (the d2l-compatible namespace).
"""

__version__ = "0.1.0"
