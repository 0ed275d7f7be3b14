"""The environment the book's kernels run in: the one place its flags are set.

Every kernel that runs a chapter for the book (the build's, `scripts/execute_chapters.py`'s,
`pytest --nbval`'s, the benchmarks') gets these variables, read by d2lutil inside the kernel:

- D2LUTIL_STRICT_FONTS=1: a glyph missing from the Chinese font is an error, not an empty box
  (d2lutil.plot), so a chapter drawing Chinese without the font fails.
- D2LUTIL_NARROW_FIGURES=1: every multi-panel figure also carries a narrow layout (panels
  stacked) inside its SVG, which the site serves to phones (d2lutil.narrowfig; the layout has
  to be drawn where the figure is, in the kernel). Readers' kernels draw one layout only.

The same flags in the test run and in the build make the two runs of a chapter identical, so a
run stored by one is current for the other (bookmodel.cache).
"""
import contextlib
import fcntl
import os
import tempfile
from pathlib import Path

STRICT_FONTS, NARROW_FIGURES = "D2LUTIL_STRICT_FONTS", "D2LUTIL_NARROW_FIGURES"
FLAGS = {STRICT_FONTS: "1", NARROW_FIGURES: "1"}


def set_flags() -> None:
    """Give every kernel this process starts from now on the book's flags."""
    os.environ.update(FLAGS)


def strict_fonts() -> None:
    """Only the strict-fonts flag, for this process and its children (pytest's own figures and kernels)."""
    os.environ.setdefault(STRICT_FONTS, "1")


@contextlib.contextmanager
def flags_set(one_thread: bool = False):
    """The book's flags in os.environ while kernels are started in this block, as before after it.

    one_thread: also OMP_NUM_THREADS=1 (unless set), for chapters that run side by side, one
    torch thread each, rather than each with a thread per CPU fighting over the same cores.
    """
    names = [*FLAGS, "OMP_NUM_THREADS"]
    saved = {name: os.environ.get(name) for name in names}
    set_flags()
    if one_thread:
        os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


START_LOCK = Path(tempfile.gettempdir()) / "bookmodel-kernel-start.lock"


@contextlib.contextmanager
def one_start_at_a_time():
    """Hold the machine-wide kernel start lock for this block (a kernel's start, until it is ready).

    jupyter_client picks a kernel's free ports before the kernel binds them, so two kernels that
    start at once in two processes (parallel chapters) can pick the same port and one fails with
    "Address already in use". Starting them one after another, each until it answers, avoids it.
    """
    with open(START_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
