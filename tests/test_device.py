"""d2lutil.device: try_gpu and try_all_gpus."""
import pytest
import torch

from d2lutil import device


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
