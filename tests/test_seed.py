"""d2lutil.seed: set_seed."""
import random

import numpy as np
import torch

from d2lutil.seed import set_seed


def test_set_seed_makes_python_numpy_and_torch_reproducible():
    def draw():
        return random.random(), np.random.rand(), torch.rand(3)
    set_seed(7)
    a = draw()
    set_seed(7)
    b = draw()
    set_seed(8)
    c = draw()
    assert a[:2] == b[:2] and torch.equal(a[2], b[2])
    assert a[0] != c[0] and not torch.equal(a[2], c[2])
