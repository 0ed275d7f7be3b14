"""d2lutil.timer, seed, device and validate."""
import math
import random

import numpy as np
import pytest
import torch

from d2lutil import device, timer
from d2lutil.seed import set_seed
from d2lutil.timer import Timer
from d2lutil.validate import finite_positive, positive_int


@pytest.fixture
def clock(monkeypatch):
    """A fake perf_counter that returns 0, 1, 3, 6, 10, ... on successive calls."""
    ticks = iter([0.0, 1.0, 3.0, 6.0, 10.0, 15.0, 21.0])
    monkeypatch.setattr(timer.time, "perf_counter", lambda: next(ticks))


def test_timer_records_runs(clock):
    t = Timer()  # starts at 0
    assert t.stop() == 1.0
    t.start()  # 3
    assert t.stop() == 3.0  # 6 - 3
    assert t.times == [1.0, 3.0]
    assert t.sum() == 4.0 and t.avg() == 2.0 and t.cumsum() == [1.0, 4.0]


def test_timer_measures_real_time():
    t = Timer()
    assert 0 <= t.stop() < 1


def test_timer_average_needs_a_recorded_time():
    with pytest.raises(ValueError, match="stop"):
        Timer().avg()
    assert Timer().sum() == 0 and Timer().cumsum() == []


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


def test_try_gpu_falls_back_to_the_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    assert device.try_gpu() == torch.device("cpu")
    assert device.try_all_gpus() == [torch.device("cpu")]


def test_try_gpu_picks_an_existing_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert device.try_gpu() == torch.device("cuda:0")
    assert device.try_gpu(1) == torch.device("cuda:1")
    assert device.try_gpu(2) == torch.device("cpu")
    assert device.try_all_gpus() == [torch.device("cuda:0"), torch.device("cuda:1")]


@pytest.mark.parametrize("i", [-1, "0", 1.0, True])
def test_try_gpu_rejects_a_bad_index(i):
    with pytest.raises(ValueError, match="GPU number"):
        device.try_gpu(i)


def test_try_gpu_on_this_machine_gives_a_usable_device():
    assert torch.ones(1, device=device.try_gpu()).sum().item() == 1


@pytest.mark.parametrize("value", [1, 256, np.int64(3), torch.tensor(4).item()])
def test_positive_int_accepts_whole_numbers(value):
    assert positive_int("n", value) == value and type(positive_int("n", value)) is int


@pytest.mark.parametrize("value, match", [(0, ">= 1"), (-3, ">= 1"), (2.0, "whole number"),
                                          (2.5, "whole number"), ("2", "whole number"),
                                          (True, "whole number"), (None, "whole number")])
def test_positive_int_rejects_with_the_argument_name(value, match):
    with pytest.raises(ValueError, match=match) as err:
        positive_int("batch_size", value)
    assert "batch_size" in str(err.value)


@pytest.mark.parametrize("value", [0.1, 3, np.float32(0.5), 1e-8])
def test_finite_positive_accepts_positive_numbers(value):
    assert finite_positive("lr", value) == pytest.approx(float(value))
    assert type(finite_positive("lr", value)) is float


@pytest.mark.parametrize("value, match", [(math.nan, "finite"), (-math.inf, "finite"),
                                          (math.inf, "finite"), (0.0, "> 0"), (-1, "> 0"),
                                          ("0.1", "positive number"), (False, "positive number"),
                                          (torch.tensor(0.1), "positive number")])
def test_finite_positive_rejects_with_the_argument_name(value, match):
    with pytest.raises(ValueError, match=match) as err:
        finite_positive("lr", value)
    assert "lr" in str(err.value)
