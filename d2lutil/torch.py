"""The chapter-3 API of the d2l 0.17 package: `from d2lutil import torch as d2l`.

Every name the book's chapter-3 code calls through `d2l.` is here, with d2l's
arguments and results, so code written for the d2l package runs unchanged.
"""
import numpy as np
import torch
from matplotlib import pyplot as plt
from torch import nn
from torch.utils import data

from .animator import Animator
from .data import load_array, synthetic_data
from .device import try_all_gpus, try_gpu
from .fashion import get_dataloader_workers, get_fashion_mnist_labels, load_data_fashion_mnist
from .losses import cross_entropy, squared_loss
from .metrics import Accumulator, accuracy, evaluate_accuracy
from .models import linreg, softmax
from .optim import sgd
from .plot import plot, set_axes, set_figsize, show_images, use_svg_display
from .timer import Timer
from .train import predict_ch3, train_ch3, train_epoch_ch3

# Framework aliases, as d2l defines them for PyTorch.
ones = torch.ones
zeros = torch.zeros
tensor = torch.tensor
arange = torch.arange
normal = torch.normal
matmul = torch.matmul
exp = torch.exp
log = torch.log
float32 = torch.float32
int32 = torch.int32


def reshape(x, *args, **kwargs):
    """x.reshape(...)."""
    return x.reshape(*args, **kwargs)


def argmax(x, *args, **kwargs):
    """x.argmax(...)."""
    return x.argmax(*args, **kwargs)


def astype(x, *args, **kwargs):
    """x.type(...): convert to another dtype."""
    return x.type(*args, **kwargs)


def size(x, *args, **kwargs):
    """x.numel(...): the number of elements."""
    return x.numel(*args, **kwargs)


def reduce_sum(x, *args, **kwargs):
    """x.sum(...)."""
    return x.sum(*args, **kwargs)


def reduce_mean(x, *args, **kwargs):
    """x.mean(...)."""
    return x.mean(*args, **kwargs)


def numpy(x, *args, **kwargs):
    """x as a numpy array, detached from the autograd graph."""
    return x.detach().numpy(*args, **kwargs)


__all__ = [
    "Accumulator", "Animator", "Timer", "accuracy", "arange", "argmax", "astype", "cross_entropy",
    "data", "evaluate_accuracy", "exp", "float32", "get_dataloader_workers",
    "get_fashion_mnist_labels", "int32", "linreg", "load_array", "load_data_fashion_mnist", "log",
    "matmul", "nn", "normal", "np", "numpy", "ones", "plot", "plt", "predict_ch3", "reduce_mean",
    "reduce_sum", "reshape", "set_axes", "set_figsize", "sgd", "show_images", "size", "softmax",
    "squared_loss", "synthetic_data", "tensor", "torch", "train_ch3", "train_epoch_ch3",
    "try_all_gpus", "try_gpu", "use_svg_display", "zeros",
]
