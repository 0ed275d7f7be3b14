"""A chapter read as myst-nb reads it, and run in a new kernel: the one way the project runs a chapter."""
import copy
import time
from dataclasses import dataclass
from pathlib import Path

from .kernels import flags_set, one_start_at_a_time
from .pages import ROOT
from .settings import settings

KERNEL_NAME = "python3"


def read(path: Path, root: Path = ROOT):
    """The chapter as myst-nb reads it for execution (a v4 notebook), so its cache key is the build's."""
    from myst_nb.core.read import read_myst_markdown_notebook
    from myst_parser.config.main import MdParserConfig
    config = MdParserConfig(enable_extensions=set(settings(root).extensions))
    return read_myst_markdown_notebook(Path(path).read_text(encoding="utf-8"), config=config,
                                       add_source_map=True, path=str(path))


def _client_class():
    """nbclient's NotebookClient, starting its kernel under the machine-wide start lock."""
    from nbclient import NotebookClient

    class Client(NotebookClient):
        async def async_start_new_kernel(self, **kwargs):
            """Start the kernel and wait until it answers, one kernel at a time (kernels.one_start_at_a_time)."""
            with one_start_at_a_time():
                await super().async_start_new_kernel(**kwargs)
                await super().async_start_new_kernel_client()

    return Client


@dataclass
class Run:
    """An executed chapter: the notebook with its outputs, the seconds it took, and the error if it failed."""

    nb: object
    seconds: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True if every cell ran."""
        return self.error is None


def run(nb, cwd: Path, timeout: int | None = None, km=None, root: Path = ROOT, one_thread: bool = False) -> Run:
    """Execute a copy of a chapter's notebook in a new kernel in `cwd`, with the book's flags.

    The timeout per cell is _config.yml's (execute.timeout) unless given; `km`, a
    jupyter_client KernelManager, lets the caller place the kernel (binder_sim's cgroup);
    one_thread gives the kernel one torch thread (chapters run side by side).
    A failing cell, a timeout or a dead kernel ends the run with `error` set.
    """
    nb = copy.deepcopy(nb)
    config = settings(root)
    client = _client_class()(nb, km=km, kernel_name=KERNEL_NAME, allow_errors=config.allow_errors,
                             record_timing=False,  # cell timings would change the run's cache key
                             timeout=timeout or config.timeout, resources={"metadata": {"path": str(cwd)}})
    error = None
    start = time.perf_counter()
    with flags_set(one_thread):
        try:
            client.execute()
        except Exception as exc:  # a cell's error, a timeout, a dead kernel: the run failed
            error = f"{type(exc).__name__}: {exc}"
    return Run(nb, time.perf_counter() - start, error)


def run_file(path: Path, timeout: int | None = None, root: Path = ROOT) -> Run:
    """Read and run a chapter in its own folder, as the book build does."""
    return run(read(path, root), Path(path).parent, timeout, root=root)
