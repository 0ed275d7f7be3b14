"""Choosing a device: the book runs on the CPU, and uses a GPU when there is one."""
import torch


def try_gpu(i: int = 0) -> torch.device:
    """Return gpu(i) if it exists, else the CPU."""
    if torch.cuda.device_count() >= i + 1:
        return torch.device(f"cuda:{i}")
    return torch.device("cpu")


def try_all_gpus() -> list[torch.device]:
    """Return every GPU, or [cpu] when there is none."""
    devices = [torch.device(f"cuda:{i}") for i in range(torch.cuda.device_count())]
    return devices if devices else [torch.device("cpu")]
