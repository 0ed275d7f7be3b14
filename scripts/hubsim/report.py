"""The load test's figures: per student results summed up for one class size."""
import math
from dataclasses import dataclass


@dataclass
class Student:
    """What happened to one student of the load test."""

    name: str
    started: bool = False            # the hub reported the server ready
    finished: bool = False           # every cell ran, no error output
    oom_killed: int = 0              # processes of the student's cgroup killed for memory
    first_figure: float | None = None  # seconds from the launch request to the first figure
    idle_bytes: int = 0              # the student's cgroup, kernel started, before the chapter
    after_bytes: int = 0             # the same after the chapter
    error: str = ""


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between the closest ranks."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q}: give 0..100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(students: list[Student], peak_bytes: int, base_bytes: int) -> dict:
    """The figures the issue asks for, for one class size."""
    times = [s.first_figure for s in students if s.first_figure is not None]
    idle = [s.idle_bytes for s in students if s.started]
    after = [s.after_bytes for s in students if s.finished]
    return {
        "students": len(students),
        "started": sum(s.started for s in students),
        "finished": sum(s.finished for s in students),
        "oom_killed": sum(s.oom_killed for s in students),
        "first_figure_median": percentile(times, 50) if times else None,
        "first_figure_p95": percentile(times, 95) if times else None,
        "peak_bytes": peak_bytes,
        "peak_over_base_bytes": peak_bytes - base_bytes,
        "idle_mean_bytes": sum(idle) / len(idle) if idle else None,
        "after_mean_bytes": sum(after) / len(after) if after else None,
        "after_max_bytes": max(after) if after else None,
    }


def gb(value: float | None) -> str:
    """Bytes as GB with two decimals, or '-'."""
    return "-" if value is None else f"{value / 1e9:.2f} GB"


def seconds(value: float | None) -> str:
    """Seconds with one decimal, or '-'."""
    return "-" if value is None else f"{value:.1f} s"


def table(rows: list[dict]) -> str:
    """A Markdown table of the summaries, one row per class size."""
    head = ("| N | started | finished | killed for memory | click to first figure: median | 95th pct | "
            "machine peak (over idle machine) | per student idle | per student after chapter (mean, max) |")
    lines = [head, "|" + "---|" * 9]
    for r in rows:
        lines.append(f"| {r['students']} | {r['started']} | {r['finished']} | {r['oom_killed']} | "
                     f"{seconds(r['first_figure_median'])} | {seconds(r['first_figure_p95'])} | "
                     f"{gb(r['peak_bytes'])} ({gb(r['peak_over_base_bytes'])}) | {gb(r['idle_mean_bytes'])} | "
                     f"{gb(r['after_mean_bytes'])}, {gb(r['after_max_bytes'])} |")
    return "\n".join(lines)
