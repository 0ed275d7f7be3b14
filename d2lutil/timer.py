"""A stopwatch that records several runs."""
import time

import numpy as np


class Timer:
    """Record running times."""

    def __init__(self):
        self.times: list[float] = []
        self.start()

    def start(self) -> None:
        """Start the timer."""
        self.tik = time.perf_counter()

    def stop(self) -> float:
        """Stop the timer, record the time and return it."""
        self.times.append(time.perf_counter() - self.tik)
        return self.times[-1]

    def avg(self) -> float:
        """The average of the recorded times."""
        if not self.times:
            raise ValueError("no time recorded yet: call stop() first")
        return sum(self.times) / len(self.times)

    def sum(self) -> float:
        """The sum of the recorded times."""
        return sum(self.times)

    def cumsum(self) -> list[float]:
        """The running total of the recorded times."""
        return np.array(self.times).cumsum().tolist()
