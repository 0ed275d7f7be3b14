"""Shared fixtures of the unit tests: a headless backend, closed figures, a plain-script runner,
small data and nets, IDX files, and one notebook executed in a real kernel.

torch is imported inside the helpers, so the browser tests of the site do not load it."""
import gzip
import os
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")  # this process only: kernels and scripts the tests start choose their own backend
from matplotlib import pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# Prepended to every plain script: no IPython at all, as in `python script.py` without Jupyter installed.
BLOCK_IPYTHON = "import sys; sys.modules['IPython'] = None\n"


def pytest_configure(config):
    """Register the marker of the slow acceptance tests (deselect with -m 'not slow')."""
    config.addinivalue_line("markers", "slow: trains on the real Fashion-MNIST (tens of seconds)")


@pytest.fixture(autouse=True)
def close_figures():
    """Close every figure a test opened."""
    yield
    plt.close("all")


@pytest.fixture
def run_script():
    """Run Python code as a plain script (IPython blocked, Agg backend); return the CompletedProcess."""
    def run(code: str, timeout: float = 120) -> subprocess.CompletedProcess:
        env = {**os.environ, "MPLBACKEND": "Agg"}
        return subprocess.run([sys.executable, "-c", BLOCK_IPYTHON + code], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=timeout)
    return run


def make_blobs(n: int, seed: int = 0, classes: int = 10, dims: int = 784) -> tuple["torch.Tensor", "torch.Tensor"]:
    """n examples of `classes` well-separated Gaussian classes in `dims` dimensions (784: chapter-3 nets take them)."""
    import torch
    from torch import nn
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, classes, (n,), generator=g)
    return torch.randn(n, dims, generator=g) + 3 * nn.functional.one_hot(y, dims).to(torch.get_default_dtype()), y


@pytest.fixture
def blobs():
    """make_blobs(n, seed=0, classes=10, dims=784): labelled synthetic data."""
    return make_blobs


def make_linear_net(inputs: int = 784, classes: int = 10) -> "torch.nn.Module":
    """The concise softmax regression model (Flatten + Linear), with the same initial weights every time."""
    import torch
    from torch import nn
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(inputs, classes))


@pytest.fixture
def linear_net():
    """make_linear_net(inputs=784, classes=10): a fresh, seeded softmax regression net."""
    return make_linear_net


def make_idx_content(values: "torch.Tensor") -> bytes:
    """A uint8 tensor as the bytes of an IDX file."""
    import torch
    header = bytes([0, 0, 8, values.dim()]) + b"".join(n.to_bytes(4, "big") for n in values.shape)
    return header + values.to(torch.uint8).numpy().tobytes()


def write_idx_file(path: Path, values: "torch.Tensor") -> Path:
    """Write a uint8 tensor as an IDX file (gzipped if the name ends in .gz); return the path."""
    content = make_idx_content(values)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(content, compresslevel=1) if path.suffix == ".gz" else content)
    return path


@pytest.fixture
def idx_content():
    """make_idx_content(values): a uint8 tensor as the bytes of an IDX file."""
    return make_idx_content


@pytest.fixture
def write_idx():
    """write_idx_file(path, values): a uint8 tensor written as an IDX file."""
    return write_idx_file


NOTEBOOK_CELLS = [
    # 0 "setup": SVG output, watching for deprecation warnings; fixed SVG ids and date so renderings compare
    ("setup",
     "import os, warnings\n"
     "import matplotlib\n"
     "os.environ['SOURCE_DATE_EPOCH'] = '0'\n"
     "matplotlib.rcParams['svg.hashsalt'] = 'd2lutil'\n"
     "from d2lutil import torch as d2l\n"
     "from d2lutil.animator import in_kernel\n"
     "with warnings.catch_warnings(record=True) as caught:\n"
     "    warnings.simplefilter('always')\n"
     "    d2l.use_svg_display()\n"
     "print('deprecations', [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)])\n"
     "print('in_kernel', in_kernel())"),
    # 1 "plot": a plot shown by the inline backend at the end of the cell
    ("plot", "d2l.plot(d2l.arange(5), [d2l.arange(5) ** 2], 'x', 'y')"),
    # 2 "animator": an Animator that gets 5 points, with a Chinese label (strict fonts are on in the kernel)
    ("animator",
     "animator = d2l.Animator(xlabel='轮次', xlim=[1, 5], legend=['a', 'b'])\n"
     "for epoch in range(1, 6):\n"
     "    animator.add(epoch, (epoch / 5, 1 - epoch / 5))"),
    # 3 "final": the SVG of the final figure, to compare with what the notebook kept
    ("final",
     "import hashlib\n"
     "svg = get_ipython().display_formatter.format(animator.fig)[0]['image/svg+xml']\n"
     "print('final', hashlib.sha256(svg.encode()).hexdigest(), len(animator.X[0]))"),
    # "reader_panels": a multi-panel figure in a reader's kernel (no D2LUTIL_NARROW_FIGURES): one layout
    ("reader_panels",
     "import sys\n"
     "print('narrowfig imported:', 'd2lutil.narrowfig' in sys.modules)\n"
     "fig, axes = d2l.plt.subplots(1, 3, figsize=(10, 3))"),
    # "build_panels": from here on the kernel is a book build's (narrowfig): the same figure carries a narrow layout
    ("build_panels",
     "os.environ['D2LUTIL_NARROW_FIGURES'] = '1'\n"
     "d2l.use_svg_display()\n"
     "d2l.use_svg_display()  # twice: still one narrow layout per figure\n"
     "fig, axes = d2l.plt.subplots(1, 3, figsize=(10, 3))"),
    ("build_one_panel", "fig1, ax1 = d2l.plt.subplots(figsize=(7, 3))"),
    ("build_drawn_as_inline",
     "from IPython.core.pylabtools import print_figure\n"
     "print(print_figure(fig, 'svg', bbox_inches='tight') == \n"
     "      get_ipython().display_formatter.formatters['image/svg+xml'](fig).split('\\n<!-- d2lutil')[0] + '\\n')\n"
     "print(d2l.plt.get_fignums())"),
    # "peak_memory": what a chapter's last cell records for the status page (d2lutil.execstats)
    ("peak_memory", "from d2lutil.execstats import record_peak_memory\nvalue = record_peak_memory()\nprint(value)"),
]


def execute_notebook() -> "nbformat.NotebookNode":
    """NOTEBOOK_CELLS executed in a real kernel by nbclient, as the book is; each cell named in its metadata."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src, metadata={"name": name}) for name, src in NOTEBOOK_CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    # the kernel's own inline backend; a reader's kernel until a cell turns the book build's flag on
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "D2LUTIL_NARROW_FIGURES")}
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}})
    client.execute(env=env)
    return nb


@pytest.fixture(scope="session")
def executed_notebook(tmp_path_factory):
    """One small notebook using d2lutil's figures, executed in a real kernel (execute_notebook).

    Under pytest-xdist the first worker to need it executes it for all: the others read its file
    in the run's shared temporary folder. `kernel_cell` finds a cell by name.
    """
    import nbformat
    from filelock import FileLock

    if "PYTEST_XDIST_WORKER" not in os.environ:
        return execute_notebook()
    path = tmp_path_factory.getbasetemp().parent / "executed_notebook.ipynb"  # this run's, all workers'
    with FileLock(f"{path}.lock"):
        if not path.is_file():
            nbformat.write(execute_notebook(), path)
    return nbformat.read(path, as_version=4)


@pytest.fixture(scope="session")
def kernel_cell(executed_notebook):
    """kernel_cell(name): the executed cell of NOTEBOOK_CELLS with that name."""
    cells = {cell.metadata["name"]: cell for cell in executed_notebook.cells}
    return cells.__getitem__


# ---- the built site in a browser: shared by test_site.py and test_a11y.py, so that one pytest
# run of both starts one Playwright and one Chromium (two would clash in one session)

@pytest.fixture(scope="session")
def site():
    """Base URL of the built book served from 127.0.0.1 on a free port."""
    import functools
    import http.server
    import threading

    from test_site import SITE, BookHandler

    if not (SITE / "index.html").is_file():
        pytest.fail(f"no built book in {SITE}: run `make book` first", pytrace=False)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(BookHandler, directory=str(SITE)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, through Playwright."""
    from playwright.sync_api import sync_playwright

    from test_site import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: run ./scripts/system-packages.sh --browser", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def visit(site, browser):
    """A fresh tab on the served book (test_site.Visit)."""
    from test_site import Visit

    v = Visit(browser, site)
    yield v
    v.close()
