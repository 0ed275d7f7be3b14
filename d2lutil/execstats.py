"""What a chapter's run cost, recorded in the executed notebook for the book's status page.

Each chapter ends with `d2lutil.expected.check(...)`, which calls `record_peak_memory()`. In a
Jupyter kernel that glues the kernel's peak resident memory under GLUE_KEY (myst-nb `glue`,
not displayed), so the value is saved with the outputs in the execution cache and the page
built from it (book/_ext/d2l_status.py) shows the figure of the run that produced them.
Outside a kernel (plain scripts, unit tests) nothing is recorded.
"""
import resource
import sys

GLUE_KEY = "d2l_peak_rss_mb"


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in megabytes (10**6 bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak * 1024 / 1e6  # macOS: bytes; Linux: KiB


def record_peak_memory() -> float | None:
    """Glue this kernel's peak memory (MB) into the notebook; None (nothing glued) outside a kernel."""
    from d2lutil.animator import in_kernel

    if not in_kernel():
        return None
    from myst_nb import glue

    value = round(peak_rss_mb(), 1)
    glue(GLUE_KEY, value, display=False)
    return value
