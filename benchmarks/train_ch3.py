"""Figure 5: d2l.train_ch3 (fast loader, Animator) against the in-memory floor, as a script and in a kernel.

Both contenders train the concise softmax model (Flatten + Linear(784, 10), CrossEntropyLoss,
SGD(lr=0.1)) for EPOCHS epochs and compute the test accuracy after each, in the same
process, taking turns. The floor (as in figure 2) runs the same d2l.train_epoch_ch3 and
d2l.evaluate_accuracy over the same batches already in memory as float32 tensors in a
list, without a figure: the ratio is what reading the data and drawing the Animator add.
Also measured: the data set-up (the first load_data_fashion_mnist(256) of the process)
against one floor epoch; and, for reference, the floor fed a copy of each in-memory batch
(the least a loader adds whose batches never alias its data, issue 13 item 6).

Run as a script, this module is the worker: `python benchmarks/train_ch3.py` prints one
JSON line. `measure_train_ch3()` runs it as a plain script and inside a Jupyter kernel.
"""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EPOCHS, REPEATS, BATCH_SIZE = 10, 5, 256


def floor_run(train, test, epochs: int) -> float:
    """The floor: train_epoch_ch3 and evaluate_accuracy on the batches already in memory, no figure."""
    import torch
    from torch import nn
    from d2lutil import torch as d2l
    from d2lutil.seed import set_seed
    set_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    trainer = torch.optim.SGD(net.parameters(), lr=0.1)
    for _ in range(epochs):
        d2l.train_epoch_ch3(net, train, nn.CrossEntropyLoss(reduction="none"), trainer)
        test_acc = d2l.evaluate_accuracy(net, test)
    return test_acc


class Copies:
    """In-memory batches, each yielded as a fresh copy (as a loader that never aliases its data must)."""

    def __init__(self, batches: list):
        self.batches = batches

    def __iter__(self):
        for X, y in self.batches:
            yield X.clone(), y.clone()


def d2l_run(train, test, epochs: int) -> float:
    """d2l.train_ch3 on the fast loader, as a chapter calls it (Animator included)."""
    import torch
    from torch import nn
    from d2lutil import torch as d2l
    from d2lutil.seed import set_seed
    set_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    trainer = torch.optim.SGD(net.parameters(), lr=0.1)
    return d2l.train_ch3(net, train, test, nn.CrossEntropyLoss(reduction="none"), epochs, trainer)[2]


def compare(epochs: int = EPOCHS, repeats: int = REPEATS) -> dict:
    """Set-up time, then train_ch3 and the floor taken in turns; the best time of each."""
    start = time.perf_counter()
    from d2lutil import torch as d2l
    import_s = time.perf_counter() - start
    start = time.perf_counter()
    train, test = d2l.load_data_fashion_mnist(BATCH_SIZE)
    setup_s = time.perf_counter() - start
    floor_train = [(X.clone(), y.clone()) for X, y in train]
    floor_test = [(X.clone(), y.clone()) for X, y in test]
    times = {"floor": [], "copies": [], "train_ch3": []}
    for _ in range(repeats):
        for name, fn, data in (("floor", floor_run, (floor_train, floor_test)),
                               ("copies", floor_run, (Copies(floor_train), Copies(floor_test))),
                               ("train_ch3", d2l_run, (train, test))):
            start = time.perf_counter()
            fn(*data, epochs)
            times[name].append(time.perf_counter() - start)
    floor, ours, copies = min(times["floor"]), min(times["train_ch3"]), min(times["copies"])
    return {"epochs": epochs, "import_s": import_s, "setup_s": setup_s, "floor_s": floor, "train_ch3_s": ours,
            "ratio": ours / floor, "copies_s": copies, "copies_ratio": copies / floor,
            "setup_share_of_epoch": setup_s / (floor / epochs), "runs_s": times}


def run_script() -> dict:
    """compare() in a plain `python` process (Agg backend, no IPython)."""
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(Path(__file__))], env=env, capture_output=True, text=True,
                          timeout=1200)
    if done.returncode:
        raise RuntimeError(f"train_ch3 benchmark script failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_kernel() -> dict:
    """compare() inside a Jupyter kernel (inline backend, SVG figures), as a chapter runs it."""
    import nbformat
    from nbclient import NotebookClient
    code = "import json\nfrom train_ch3 import compare\nprint('RESULT', json.dumps(compare()))"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(code)]
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["PYTHONPATH"] = str(HERE)  # train_ch3 itself, imported by the kernel
    NotebookClient(nb, timeout=1200, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "book")}}).execute(env=env)
    text = "".join(out.get("text", "") for out in nb.cells[0].outputs if out.get("name") == "stdout")
    return json.loads(text.split("RESULT", 1)[1])


def measure_train_ch3() -> dict:
    """Figure 5 as a script and in a kernel."""
    return {"script": run_script(), "kernel": run_kernel()}


if __name__ == "__main__":
    print(json.dumps(compare()))
