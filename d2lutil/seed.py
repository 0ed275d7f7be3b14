"""One call that seeds every random source a chapter uses."""
import random

import numpy as np
import torch


def set_seed(seed: int = 0) -> None:
    """Seed Python's random, NumPy and PyTorch so a chapter gives the same numbers every run."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
