"""Choosing a device: the book runs on the CPU, and uses a GPU when there is one."""
import numbers

import torch


def try_gpu(i: int = 0) -> torch.device:
    """Return gpu(i) if it exists, else the CPU."""
    if isinstance(i, bool) or not isinstance(i, numbers.Integral) or i < 0:
        raise ValueError(f"i must be a GPU number 0, 1, ..., got {i!r} ({type(i).__name__})")
    if torch.cuda.device_count() >= i + 1:
        return torch.device(f"cuda:{i}")
    return torch.device("cpu")


def try_all_gpus() -> list[torch.device]:
    """Return every GPU, or [cpu] when there is none."""
    devices = [torch.device(f"cuda:{i}") for i in range(torch.cuda.device_count())]
    return devices if devices else [torch.device("cpu")]


def check_device(net, X: torch.Tensor) -> None:
    """Raise ValueError if `net` (an nn.Module) has its parameters on another device than the batch X."""
    if not isinstance(net, torch.nn.Module) or not isinstance(X, torch.Tensor):
        return
    param = next(net.parameters(), None)
    if param is not None and param.device != X.device:
        raise ValueError(f"the net's parameters are on {param.device} but the batch X is on {X.device}; "
                         f"move the batch with X.to({str(param.device)!r}) (and y with it) inside the loop, "
                         f"or the net with net.to({str(X.device)!r})")


def cpu() -> torch.device:
    """The CPU device."""
    return torch.device("cpu")


def gpu(i: int = 0) -> torch.device:
    """The device cuda:i (whether or not it exists, as d2l 1.0)."""
    return torch.device(f"cuda:{i}")


def num_gpus() -> int:
    """The number of GPUs torch can use."""
    return torch.cuda.device_count()
