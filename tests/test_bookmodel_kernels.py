"""bookmodel.kernels: the book's kernel flags, and kernel starts one at a time machine-wide."""
import os
import subprocess
import sys
import time

from bookmodel import kernels

HOLD = """
import sys, time
from bookmodel.kernels import one_start_at_a_time
with one_start_at_a_time():
    print(time.time(), flush=True)
    time.sleep(0.5)
    print(time.time(), flush=True)
"""


def test_two_processes_never_hold_the_start_lock_at_once():
    """Two kernels picking ports at once clash ("Address already in use"): the starts are serialised."""
    procs = [subprocess.Popen([sys.executable, "-c", HOLD], stdout=subprocess.PIPE, text=True) for _ in range(2)]
    spans = sorted(tuple(map(float, p.communicate(timeout=60)[0].split())) for p in procs)
    assert all(p.returncode == 0 for p in procs)
    (start1, end1), (start2, end2) = spans
    assert end1 - start1 >= 0.5 and end2 - start2 >= 0.5
    assert start2 >= end1, f"the second start began at {start2} while the first held the lock until {end1}"


def test_the_lock_is_released_after_an_error():
    """A kernel that fails to start must not block every later start."""
    try:
        with kernels.one_start_at_a_time():
            raise RuntimeError("kernel died")
    except RuntimeError:
        pass
    start = time.perf_counter()
    with kernels.one_start_at_a_time():
        pass
    assert time.perf_counter() - start < 5


def test_flags_are_set_inside_the_block_and_restored_after(monkeypatch):
    monkeypatch.delenv(kernels.NARROW_FIGURES, raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    with kernels.flags_set(one_thread=True):
        assert os.environ[kernels.NARROW_FIGURES] == "1" and os.environ[kernels.STRICT_FONTS] == "1"
        assert os.environ["OMP_NUM_THREADS"] == "1"
    assert kernels.NARROW_FIGURES not in os.environ and "OMP_NUM_THREADS" not in os.environ


def test_a_readers_thread_count_is_kept(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    with kernels.flags_set(one_thread=True):
        assert os.environ["OMP_NUM_THREADS"] == "3"
