"""Helpers for the linear-neural-networks course; `from d2lutil import torch as d2l` is d2l's API.

Modules, one concern each: data (synthetic data, load_array), fashion
(Fashion-MNIST's class names and loaders), fashion_files (the Fashion-MNIST files:
where they are, reading and checking them, the cache's copies, load_split), models,
losses, optim, metrics, train, plot, narrowfig (multi-panel figures also drawn in a
narrow layout for phones; imported in the book build's kernels only), animator, timer,
device, seed, validate (argument checks), expected (chapter checks against
book/expected.toml), execstats (a chapter kernel's peak memory), cpus (the CPUs this
process may use), and torch (the d2l-compatible namespace of both d2l 0.17 and d2l 1.0).
d2l 1.0's object API (the English edition) lives in hyperparams (add_to_class,
HyperParameters), board (ProgressBoard), module (Module), datamodule (DataModule),
trainer (Trainer), optim (SGD next to 0.17's sgd), regression (SyntheticRegressionData,
LinearRegressionScratch, LinearRegression), classification (Classifier,
SoftmaxRegression) and fashion_data (FashionMNIST).

Importing d2lutil sets torch's intra-op threads to the CPUs the process may really
use (its affinity mask and cgroup CPU quota, see d2lutil.cpus), unless the reader chose
them with OMP_NUM_THREADS, MKL_NUM_THREADS or torch.set_num_threads.
"""
from .cpus import configure_torch_threads

__version__ = "0.1.0"
TORCH_THREADS_SET = configure_torch_threads()
