"""Argument checks shared by the helpers, each raising a ValueError that says how to fix the call."""
import math
import numbers


def positive_int(name: str, value) -> int:
    """Return `value` as an int, or raise ValueError unless it is a whole number >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(
            f"{name} must be a positive whole number, got {value!r} "
            f"({type(value).__name__}); pass e.g. {name}=256, not 256.0 or '256'")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


def finite_positive(name: str, value) -> float:
    """Return `value` as a float, or raise ValueError unless it is a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a positive number, got {value!r} ({type(value).__name__})")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return float(value)
