"""Programs in the style of the English edition's chapters 3 and 4 (d2l 1.0), run on d2lutil.

Each file in tests/d2l1_programs follows one chapter's PyTorch code: the same subclassing,
the same @d2l.add_to_class replacements of d2l's methods, the same Trainer reuse, with
`from d2lutil import torch as d2l` and small data or few epochs. Each runs in a Jupyter
kernel (cells split at '# %%') and as a plain script, in a working folder whose ../data
holds Fashion-MNIST in torchvision's layout, as a reader's ../data does after d2l's download.
Programs replace methods of d2l's classes, so they never run inside the pytest process.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from d2lutil.fashion import fashion_mnist_datasets

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = Path(__file__).resolve().parent / "d2l1_programs"

# program -> (lines its output must contain (regex), number of figures a kernel shows: each board
# once, updated in place, and the images of visualize)
EXPECTED = {
    "oo_design": ([r'Class attribute "b" is 1', r"self.a = 1 self.b = 2", r"There is no self.c = True",
                   r"points 50 10", r"skeleton 2 \.\./data 3"], 1),
    "synthetic_regression_data": ([r"X shape: torch.Size\(\[32, 2\]\)", r"batches 32"], 0),
    "linear_regression_scratch": ([r"max error 0\.[0-2]\d*"], 1),
    "linear_regression_concise": ([r"max error 0\.0[0-4]\d*"], 1),
    "weight_decay": ([r"counters 9 40 200"], 3),
    "image_classification_dataset": ([r"lengths 60000 10000", r"shape \(1, 32, 32\)",
                                      r"torch.Size\(\[64, 1, 32, 32\]\) torch.float32 torch.Size\(\[64\]\) torch.int64",
                                      r"fast epoch torch.Size\(\[32, 1, 32, 32\]\)", r"same first image True"], 1),
    "softmax_regression_scratch": ([r"preds \(256,\)", r"val_acc 0\.[7-9]\d*"], 2),
    "softmax_regression_concise": ([r"val_acc 0\.[7-9]\d*"], 1),
}
SETTINGS = "MAX_EPOCHS = 1\n"  # the softmax programs' epochs (the chapters' 10, shortened)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A working folder whose ../data/FashionMNIST/raw holds the uncompressed files torchvision reads."""
    base = tmp_path_factory.mktemp("reader")
    train, _ = fashion_mnist_datasets()
    (base / "data" / "FashionMNIST").mkdir(parents=True)
    (base / "data" / "FashionMNIST" / "raw").symlink_to(Path(train.root) / "FashionMNIST" / "raw")
    (base / "work").mkdir()
    return base / "work"


def environment() -> dict:
    """The environment of the kernels and scripts: this worktree's d2lutil, one thread."""
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


def check_output(name: str, text: str) -> None:
    """Every expected line is in the program's output, and no figure repr was printed."""
    for pattern in EXPECTED[name][0]:
        assert re.search(pattern, text), f"{name}: {pattern!r} not in output:\n{text}"
    assert "<Figure" not in text


def cells(name: str) -> list[str]:
    """The program's cells (split at '# %%'), the settings first."""
    return [SETTINGS] + (PROGRAMS / f"{name}.py").read_text().split("\n# %%\n")


@pytest.fixture(scope="module")
def script_runs(workdir, tmp_path_factory) -> Path:
    """Every program run as a plain script (tests/script_runner.py: one process each, forked after
    torch's import), and the concise softmax regression once more with 2 epochs; their outputs' folder."""
    programs = tmp_path_factory.mktemp("programs")
    for name in EXPECTED:
        (programs / f"{name}.py").write_text(SETTINGS + (PROGRAMS / f"{name}.py").read_text())
    (programs / "softmax_2_epochs.py").write_text(
        "MAX_EPOCHS = 2\n" + (PROGRAMS / "softmax_regression_concise.py").read_text())
    out = programs / "out"
    subprocess.run([sys.executable, str(ROOT / "tests" / "script_runner.py"), str(out), *sorted(programs.glob("*.py"))],
                   cwd=workdir, env={**environment(), "MPLBACKEND": "Agg"}, check=True, timeout=900)
    return out


def script_output(out: Path, name: str) -> str:
    """A script run's stdout, after checking that it exited with status 0."""
    status = (out / f"{name}.status").read_text()
    assert status == "0", f"{name} exited with status {status}:\n{(out / f'{name}.err').read_text()}"
    return (out / f"{name}.out").read_text()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_program_runs_as_a_script(name, script_runs):
    check_output(name, script_output(script_runs, name))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_program_runs_in_a_kernel_and_shows_each_board_once(name, workdir):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells(name)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(workdir)}}).execute(env=environment())
    outputs = [out for cell in nb.cells for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    text = "".join(out.get("text", "") for out in outputs if out.output_type == "stream")
    check_output(name, text)
    figures = [out for out in outputs if out.output_type == "display_data" and "image/svg+xml" in out.data]
    assert len(figures) == EXPECTED[name][1], f"{name}: {len(figures)} figures shown"


@pytest.mark.slow
def test_concise_softmax_regression_reaches_078_validation_accuracy(script_runs):
    """The English edition's concise softmax regression, 2 of its 10 epochs: validation accuracy >= 0.78."""
    accuracy = float(re.search(r"val_acc (\S+)", script_output(script_runs, "softmax_2_epochs"))[1])
    assert accuracy >= 0.78, accuracy
