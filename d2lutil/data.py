"""Synthetic regression data and in-memory minibatch iterators (chapters 2 and 3)."""
import math

import torch
from torch.utils import data

from .validate import positive_int


def synthetic_data(w: torch.Tensor, b: float, num_examples: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Generate y = Xw + b + noise, with X ~ N(0, 1) and noise ~ N(0, 0.01^2)."""
    num_examples = positive_int("num_examples", num_examples)
    w = torch.as_tensor(w, dtype=torch.get_default_dtype())
    if w.dim() != 1:
        raise ValueError(f"w must be a 1-D tensor of weights, got shape {tuple(w.shape)}; "
                         "pass e.g. torch.tensor([2, -3.4])")
    b_shape = tuple(torch.as_tensor(b).shape)
    if math.prod(b_shape) != 1:
        raise ValueError(f"b must be a single number (the bias), got shape {b_shape}")
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


def load_array(data_arrays, batch_size: int, is_train: bool = True) -> data.DataLoader:
    """Wrap tensors of equal length in a DataLoader that shuffles when `is_train`."""
    batch_size = positive_int("batch_size", batch_size)
    if isinstance(data_arrays, torch.Tensor):
        raise ValueError("data_arrays must be a tuple of tensors, e.g. (features, labels), not one tensor")
    if not isinstance(data_arrays, (tuple, list)) or not data_arrays:
        raise ValueError(f"data_arrays must be a non-empty tuple of tensors, e.g. (features, labels), "
                         f"got {type(data_arrays).__name__} {data_arrays!r:.60}")
    for i, a in enumerate(data_arrays):
        if not isinstance(a, torch.Tensor):
            raise ValueError(f"data_arrays[{i}] is a {type(a).__name__}, not a torch tensor; convert it, "
                             "e.g. torch.tensor(a, dtype=torch.float32)")
    lengths = {len(a) for a in data_arrays}
    if len(lengths) != 1:
        raise ValueError(f"all arrays must have the same first dimension, got lengths "
                         f"{[len(a) for a in data_arrays]}")
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)
