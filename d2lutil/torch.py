"""The chapter-3 API of both d2l generations: `from d2lutil import torch as d2l`.

Every name the book's chapter-3 code calls through `d2l.` is here, with d2l 0.17's
arguments and results (the Chinese edition: train_ch3, load_data_fashion_mnist, sgd, ...),
and so is every name of d2l 1.0 that the English edition's linear-network chapters use
(Module, Trainer, DataModule, FashionMNIST, SGD, ...). The two sets share one namespace:
no name means two things, and the tensor aliases (reshape, argmax, astype, numpy, ...)
behave as in both.
"""

import numpy as np
import torch
from matplotlib import pyplot as plt
from torch import nn
from torch.utils import data

from .animator import Animator
from .board import ProgressBoard
from .classification import Classifier, SoftmaxRegression
from .data import load_array, synthetic_data
from .datamodule import DataModule
from .device import cpu, gpu, num_gpus, try_all_gpus, try_gpu
from .fashion import get_dataloader_workers, get_fashion_mnist_labels, load_data_fashion_mnist
from .fashion_data import FashionMNIST
from .hyperparams import HyperParameters, add_to_class
from .losses import cross_entropy, squared_loss
from .metrics import Accumulator, accuracy, evaluate_accuracy
from .models import linreg, softmax
from .module import Module
from .optim import SGD, sgd
from .plot import plot, set_axes, set_figsize, show_images, use_svg_display
from .timer import Timer
from .regression import LinearRegression, LinearRegressionScratch, SyntheticRegressionData
from .train import predict_ch3, train_ch3, train_epoch_ch3
from .trainer import Trainer

# Framework aliases, as d2l defines them for PyTorch (0.17's, then those 1.0 adds).
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
nn_Module = nn.Module
ones_like = torch.ones_like
zeros_like = torch.zeros_like
meshgrid = torch.meshgrid
sin = torch.sin
sinh = torch.sinh
cos = torch.cos
cosh = torch.cosh
tanh = torch.tanh
linspace = torch.linspace
rand = torch.rand
randn = torch.randn
int64 = torch.int64
concat = torch.cat
stack = torch.stack
abs = torch.abs  # noqa: A001 (d2l's name; this module never uses the builtin)
eye = torch.eye
sigmoid = torch.sigmoid
batch_matmul = torch.bmm


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


def to(x, *args, **kwargs):
    """x.to(...): another device or dtype."""
    return x.to(*args, **kwargs)


def transpose(x, *args, **kwargs):
    """x.t(...): the transpose of a matrix."""
    return x.t(*args, **kwargs)


def expand_dims(x, *args, **kwargs):
    """x.unsqueeze(...): a new axis of length 1."""
    return x.unsqueeze(*args, **kwargs)


def swapaxes(x, *args, **kwargs):
    """x.swapaxes(...)."""
    return x.swapaxes(*args, **kwargs)


def repeat(x, *args, **kwargs):
    """x.repeat(...)."""
    return x.repeat(*args, **kwargs)


# d2l 0.17's names (the Chinese edition's chapter 3)
API_017 = [
    "Accumulator", "Animator", "Timer", "accuracy", "arange", "argmax", "astype", "cross_entropy",
    "data", "evaluate_accuracy", "exp", "float32", "get_dataloader_workers",
    "get_fashion_mnist_labels", "int32", "linreg", "load_array", "load_data_fashion_mnist", "log",
    "matmul", "nn", "normal", "np", "numpy", "ones", "plot", "plt", "predict_ch3", "reduce_mean",
    "reduce_sum", "reshape", "set_axes", "set_figsize", "sgd", "show_images", "size", "softmax",
    "squared_loss", "synthetic_data", "tensor", "torch", "train_ch3", "train_epoch_ch3",
    "try_all_gpus", "try_gpu", "use_svg_display", "zeros",
]
# the names d2l 1.0 adds for the English edition's chapters 3 and 4
API_10 = [
    "Classifier", "DataModule", "FashionMNIST", "HyperParameters", "LinearRegression",
    "LinearRegressionScratch", "Module", "ProgressBoard", "SGD", "SoftmaxRegression",
    "SyntheticRegressionData", "Trainer", "abs", "add_to_class", "batch_matmul", "concat", "cos",
    "cosh", "cpu", "expand_dims", "eye", "gpu", "int64", "linspace", "meshgrid", "nn_Module",
    "num_gpus", "ones_like", "rand", "randn", "repeat", "sigmoid", "sin", "sinh", "stack",
    "swapaxes", "tanh", "to", "transpose", "zeros_like",
]
__all__ = API_017 + API_10
