"""Helpers for the linear-neural-networks course; `from d2lutil import torch as d2l` is d2l's API.

Modules, one concern each: data (synthetic data, load_array), fashion
(Fashion-MNIST found offline and a fast loader), models, losses, optim,
metrics, train, plot, narrowfig (multi-panel figures in a narrow layout for phones),
animator, timer, device, expected (chapter checks),
cpus (the CPUs this process may use), and torch (the d2l-compatible namespace).

Importing d2lutil sets torch's intra-op threads to the CPUs the process may really
use (its affinity mask and cgroup CPU quota, see d2lutil.cpus), unless the reader chose
them with OMP_NUM_THREADS, MKL_NUM_THREADS or torch.set_num_threads.
"""
from .cpus import configure_torch_threads

__version__ = "0.1.0"
TORCH_THREADS_SET = configure_torch_threads()
