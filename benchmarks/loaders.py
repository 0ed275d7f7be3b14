"""Figures 1 and 2: reading Fashion-MNIST, and one epoch of softmax regression on it.

Each loader is timed over whole epochs (60,000 training images in minibatches of 256),
several times, and the best epoch counts: on a machine shared with other jobs the
fastest run is the one least disturbed by them. The median is recorded too.
"""
import statistics
import time

import torch
from torch import nn

from d2lutil import fashion
from d2lutil.metrics import evaluate_accuracy
from d2lutil.seed import set_seed
from d2lutil.train import train_epoch_ch3

BATCH_SIZE = 256


def timed(runs: dict, repeats: dict) -> dict:
    """Time each function in `runs` (name -> fn) `repeats[name]` times, taking turns.

    Taking turns (a, b, a, b, ...) lets every contender see the same background load, so
    their ratio is fairer than timing all runs of one and then all runs of the other.
    Returns, per name, the best and median wall time and the last result of fn().
    """
    times = {name: [] for name in runs}
    last = {}
    for i in range(max(repeats.values())):
        for name, fn in runs.items():
            if i < repeats[name]:
                start = time.perf_counter()
                last[name] = fn()
                times[name].append(time.perf_counter() - start)
    return {name: {"best_s": min(t), "median_s": statistics.median(t), "runs_s": t, "result": last[name]}
            for name, t in times.items()}


def read_epoch(batches) -> int:
    """Read every minibatch of one epoch; return the number of examples seen."""
    n = 0
    for X, y in batches:
        n += len(y)
    return n


def measure_loaders(repeats_fast: int = 5, repeats_torchvision: int = 2) -> dict:
    """Figure 1: one training epoch read with torchvision's DataLoader vs the fast loader."""
    start = time.perf_counter()
    fast_train, _ = fashion.load_data_fashion_mnist(BATCH_SIZE)
    fast_setup = time.perf_counter() - start
    start = time.perf_counter()
    tv_train, _ = fashion.load_data_fashion_mnist(BATCH_SIZE, fast=False)
    tv_setup = time.perf_counter() - start

    timings = timed({"fast": lambda: read_epoch(fast_train), "torchvision": lambda: read_epoch(tv_train)},
                    {"fast": repeats_fast, "torchvision": repeats_torchvision})
    fast, tv = timings["fast"], timings["torchvision"]
    assert fast["result"] == tv["result"] == 60000, (fast["result"], tv["result"])
    return {
        "batch_size": BATCH_SIZE,
        "workers": fashion.get_dataloader_workers(),
        "fast_setup_s": fast_setup,
        "torchvision_setup_s": tv_setup,
        "fast_epoch_s": fast["best_s"],
        "fast_epoch_median_s": fast["median_s"],
        "torchvision_epoch_s": tv["best_s"],
        "torchvision_epoch_median_s": tv["median_s"],
        "speedup": tv["best_s"] / fast["best_s"],
    }


def softmax_net() -> nn.Module:
    """Softmax regression as chapter 9 builds it: Flatten + Linear(784, 10), weights ~ N(0, 0.01^2)."""
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    nn.init.normal_(net[1].weight, std=0.01)
    nn.init.zeros_(net[1].bias)
    return net


def train_and_test(train_batches, test_batches) -> float:
    """One epoch of training (forward, backward, SGD step) then test accuracy; returns the accuracy."""
    set_seed(0)
    net = softmax_net()
    loss = nn.CrossEntropyLoss(reduction="none")
    trainer = torch.optim.SGD(net.parameters(), lr=0.1)
    train_epoch_ch3(net, train_batches, loss, trainer)
    return evaluate_accuracy(net, test_batches)


def measure_training(repeats_fast: int = 5, repeats_torchvision: int = 1) -> dict:
    """Figure 2: a training epoch plus test evaluation with each loader, and on batches in memory."""
    fast_train, fast_test = fashion.load_data_fashion_mnist(BATCH_SIZE)
    tv_train, tv_test = fashion.load_data_fashion_mnist(BATCH_SIZE, fast=False)
    set_seed(0)
    # The floor: the same batches, already float32 tensors in a list, so reading costs nothing.
    floor_train = [(X.clone(), y.clone()) for X, y in fast_train]
    floor_test = [(X.clone(), y.clone()) for X, y in fast_test]

    timings = timed({"floor": lambda: train_and_test(floor_train, floor_test),
                     "fast": lambda: train_and_test(fast_train, fast_test),
                     "torchvision": lambda: train_and_test(tv_train, tv_test)},
                    {"floor": repeats_fast, "fast": repeats_fast, "torchvision": repeats_torchvision})
    floor, fast, tv = timings["floor"], timings["fast"], timings["torchvision"]
    return {
        "floor_epoch_s": floor["best_s"],
        "floor_epoch_median_s": floor["median_s"],
        "fast_epoch_s": fast["best_s"],
        "fast_epoch_median_s": fast["median_s"],
        "torchvision_epoch_s": tv["best_s"],
        "fast_vs_floor": fast["best_s"] / floor["best_s"],
        "torchvision_vs_floor": tv["best_s"] / floor["best_s"],
        "test_acc_after_one_epoch": {"floor": floor["result"], "fast": fast["result"],
                                     "torchvision": tv["result"]},
    }
