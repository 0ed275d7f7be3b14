"""d2lutil.timer: Timer."""
import pytest

from d2lutil import timer
from d2lutil.timer import Timer


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
