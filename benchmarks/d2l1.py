"""Figure 9: the English edition's (d2l 1.0) programs on d2lutil against d2l 1.0.3 itself.

Two programs, each run on both packages in the same kind of process:

- the concise softmax regression of the English edition (FashionMNIST(batch_size=256),
  SoftmaxRegression(num_outputs=10, lr=0.1), Trainer(max_epochs=10).fit), as a plain script
  (Agg backend), timed from before the import to the end of fit; the last validation
  accuracy of each is compared too;
- the oo-design chapter's ProgressBoard demo (sin every 2, cos every 10, 100 x values), in a
  Jupyter kernel, timed from sending the cell to the kernel being idle again (so the final
  drawing at the end of the cell counts), best of 2 runs in one kernel.

d2l 1.0.3 is installed with `pip install --no-deps --target _build/bench/d2l-1.0.3` from
benchmarks/d2l-1.0.3-requirements.txt (pinned; the only download, once). Its FashionMNIST
reads torchvision's layout under root='../data': the bench decompresses the Fashion-MNIST
files found on this machine into _build/bench/reader/data/FashionMNIST/raw and runs both
programs from _build/bench/reader/work, so nothing is downloaded.

Both packages run with one torch thread (OMP_NUM_THREADS=1), as the book's chapters do: on
a machine busy with other jobs, two intra-op threads on two cores wait for each other, and
an epoch of the softmax regression then takes ten times as long (measured: 100 s instead
of 11 s at a load average of 20), which would measure the load rather than the packages.
"""
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from d2lutil.fashion_files import FILE_NAMES, file_in, find_fashion_mnist

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BENCH = ROOT / "_build" / "bench"
TARGET = BENCH / "d2l-1.0.3"
READER = BENCH / "reader"
PINS = HERE / "d2l-1.0.3-requirements.txt"
MODULES = {"d2lutil": "d2lutil", "d2l": "d2l"}

SOFTMAX = """\
import json, time
start = time.perf_counter()
from {package} import torch as d2l
import torch
torch.manual_seed(0)
data = d2l.FashionMNIST(batch_size=256)
model = d2l.SoftmaxRegression(num_outputs=10, lr=0.1)
trainer = d2l.Trainer(max_epochs=10)
trainer.fit(model, data)
print(json.dumps({{"seconds": time.perf_counter() - start, "val_acc": float(model.board.data["val_acc"][-1].y)}}))
"""
BOARD = """\
board = d2l.ProgressBoard('x')
for x in np.arange(0, 10, 0.1):
    board.draw(x, np.sin(x), 'sin', every_n=2)
    board.draw(x, np.cos(x), 'cos', every_n=10)
"""


def install_d2l() -> Path:
    """d2l 1.0.3 and the modules its import needs, in their own target folder (installed once)."""
    if not (TARGET / "d2l" / "torch.py").is_file():
        TARGET.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(TARGET),
                        "-r", str(PINS)], check=True)
    return TARGET


def reader_folder() -> Path:
    """A working folder whose ../data/FashionMNIST/raw holds the four uncompressed files (torchvision's layout)."""
    raw = READER / "data" / "FashionMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    source = find_fashion_mnist(download=False)
    for name in FILE_NAMES:
        if not (raw / name).is_file():
            path = file_in(source, name)
            opener = gzip.open if path.suffix == ".gz" else open
            with opener(path, "rb") as src, open(raw / f"{name}.part", "wb") as dst:
                shutil.copyfileobj(src, dst)
            os.replace(raw / f"{name}.part", raw / name)
    (READER / "work").mkdir(exist_ok=True)
    return READER / "work"


def environment(package: str) -> dict:
    """The environment of a run: only `package` (this worktree's d2lutil, or d2l 1.0.3) importable extra."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MPLBACKEND")}
    env["PYTHONPATH"] = str(ROOT if package == "d2lutil" else TARGET)
    env["OMP_NUM_THREADS"] = "1"  # one torch thread each, as the book's chapters run
    return env


def softmax_script(package: str, cwd: Path) -> dict:
    """The concise softmax program as a plain script: {'seconds', 'val_acc', 'wall_s', 'cpu_s', ...}.

    cpu_s is the CPU time of the process and of its children (d2l's DataLoader workers): on
    a machine shared with other jobs it varies less than the wall time.
    """
    env = {**environment(package), "MPLBACKEND": "Agg"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", SOFTMAX.format(package=package)], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=7200)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)  # its DataLoader workers too
    if result.returncode != 0:
        raise RuntimeError(f"the softmax program on {package} failed:\n{result.stderr[-3000:]}")
    lines = result.stdout.strip().splitlines()
    figure_reprs = sum(line.startswith("<Figure") for line in lines)
    return {**json.loads(lines[-1]), "wall_s": wall, "cpu_s": cpu, "figure_reprs_printed": figure_reprs}


def board_kernel(package: str, cwd: Path, runs: int = 2) -> dict:
    """The ProgressBoard demo in a Jupyter kernel: best cell time (send to idle) and the outputs it made."""
    from jupyter_client.manager import start_new_kernel
    env = environment(package)
    km, kc = start_new_kernel(kernel_name="python3", env=env, cwd=str(cwd))
    try:
        kc.execute_interactive(f"import numpy as np\nfrom {package} import torch as d2l", timeout=300)
        times, outputs = [], []
        for _ in range(runs):
            seen = []
            start = time.perf_counter()
            reply = kc.execute_interactive(BOARD, timeout=600, output_hook=lambda msg: seen.append(msg["msg_type"]))
            times.append(time.perf_counter() - start)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"the board demo failed on {package}: {reply['content']}")
            outputs.append(seen)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    last = outputs[-1]
    return {"best_s": min(times), "times_s": times,
            "displays": sum(t in ("display_data", "update_display_data") for t in last),
            "clear_outputs": last.count("clear_output")}


def measure_d2l1(log=print) -> dict:
    """Both programs on d2lutil and on d2l 1.0.3, and their ratios."""
    install_d2l()
    cwd = reader_folder()
    r = {"softmax": {}, "board": {}}
    for package in ("d2l", "d2lutil"):
        r["softmax"][package] = softmax_script(package, cwd)
        log(f"    softmax, {package}: {r['softmax'][package]['seconds']:.1f} s "
            f"(CPU {r['softmax'][package]['cpu_s']:.1f} s), "
            f"val acc {r['softmax'][package]['val_acc']:.4f}")
    for package in ("d2l", "d2lutil"):
        r["board"][package] = board_kernel(package, cwd)
        log(f"    board demo, {package}: {r['board'][package]['best_s']:.3f} s")
    r["softmax_ratio"] = r["softmax"]["d2l"]["seconds"] / r["softmax"]["d2lutil"]["seconds"]
    r["softmax_cpu_ratio"] = r["softmax"]["d2l"]["cpu_s"] / r["softmax"]["d2lutil"]["cpu_s"]
    r["softmax_acc_diff"] = abs(r["softmax"]["d2l"]["val_acc"] - r["softmax"]["d2lutil"]["val_acc"])
    r["board_ratio"] = r["board"]["d2l"]["best_s"] / r["board"]["d2lutil"]["best_s"]
    return r


if __name__ == "__main__":
    print(json.dumps(measure_d2l1(), indent=2))
