"""Figures 6 and 7: peak memory of the resized fast loader, and torch's threads under a CPU quota.

Figure 6 runs each resize in a fresh process that reads one training epoch's first 40
batches of 128 and the whole test set, and reports that process's peak RSS (VmHWM in
/proc/self/status: unlike getrusage's ru_maxrss it is not inherited from the parent
across fork and exec), next to the same without resize. Each process imports
torchvision's transforms (about 165 MB, what any resize costs) so the rows differ only by
the resizing. Before issue 13 the loader resized all 60,000 images at once in float:
2.93 GB at resize=64, killed by the OOM killer at resize=224 (21.8 GB).

Figure 7 reports the CPUs d2lutil sees (affinity, cgroup quota) and what it chose, and, as
root on a machine with a cgroup v1 cpu controller, times one softmax epoch inside a
1-CPU quota twice: with the threads d2lutil chose at import, and with torch forced back
to one thread per CPU of the affinity mask (torch's default). Both without OMP_NUM_THREADS.
"""
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CGROUP_V1_CPU = Path("/sys/fs/cgroup/cpu")

RESIZE_WORKER = """
import json, sys
import torchvision.transforms.functional  # imported by every resize; counted in all three rows
from d2lutil.fashion import load_data_fashion_mnist
resize = None if sys.argv[1] == 'None' else int(sys.argv[1])
train, test = load_data_fashion_mnist(128, resize=resize)
for i, (X, y) in zip(range(40), train):
    pass
n = sum(len(y) for _, y in test)
peak_kb = next(int(line.split()[1]) for line in open('/proc/self/status') if line.startswith('VmHWM:'))
print(json.dumps({'resize': resize, 'shape': list(X.shape), 'peak_rss_mb': peak_kb / 1024}))
"""

EPOCH_WORKER = """
import json, sys, time
import torch
from torch import nn
import d2lutil
from d2lutil import torch as d2l
from d2lutil.seed import set_seed
if sys.argv[1] == 'torch-default':
    torch.set_num_threads(len(__import__('os').sched_getaffinity(0)))
train, test = d2l.load_data_fashion_mnist(256)
best = float('inf')
for _ in range(2):
    set_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    start = time.perf_counter()
    d2l.train_epoch_ch3(net, train, nn.CrossEntropyLoss(reduction='none'), torch.optim.SGD(net.parameters(), lr=0.1))
    best = min(best, time.perf_counter() - start)
print(json.dumps({'threads': torch.get_num_threads(), 'epoch_s': best}))
"""


def python(code: str, *args: str, prefix: list[str] = ()) -> dict:
    """Run `code` in a fresh Python without OMP_NUM_THREADS; return the JSON it prints last."""
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([*prefix, sys.executable, "-c", code, *args], env=env, capture_output=True,
                          text=True, timeout=1200)
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_resize_memory() -> dict:
    """Figure 6: peak RSS of a process reading resized batches, for resize None, 64 and 224."""
    return {str(size): python(RESIZE_WORKER, str(size)) for size in (None, 64, 224)}


def quota_prefix(group: Path) -> list[str]:
    """A command prefix that moves the process into `group` before running the command."""
    return ["sh", "-c", f'echo $$ > {group}/cgroup.procs && exec "$@"', "sh"]


def measure_threads() -> dict:
    """Figure 7: the CPUs seen and the threads chosen; epoch times inside a 1-CPU cgroup v1 quota."""
    from d2lutil.cpus import affinity_cpus, available_cpus, cgroup_cpus
    from d2lutil.fashion import get_dataloader_workers
    result = {"affinity_cpus": affinity_cpus(), "cgroup_cpus": cgroup_cpus(), "available_cpus": available_cpus(),
              "dataloader_workers": get_dataloader_workers(), "quota": None}
    if os.geteuid() != 0 or not (CGROUP_V1_CPU / "cpu.cfs_quota_us").is_file() or affinity_cpus() < 2:
        result["quota_skipped"] = "needs root, a cgroup v1 cpu controller and at least 2 CPUs"
        return result
    group = CGROUP_V1_CPU / f"d2lutil-bench-{uuid.uuid4().hex[:8]}"
    group.mkdir()
    try:
        (group / "cpu.cfs_period_us").write_text("100000")
        (group / "cpu.cfs_quota_us").write_text("100000")
        runs = {mode: python(EPOCH_WORKER, mode, prefix=quota_prefix(group)) for mode in ("d2lutil", "torch-default")}
    finally:
        group.rmdir()
    runs["slowdown_of_torch_default"] = runs["torch-default"]["epoch_s"] / runs["d2lutil"]["epoch_s"]
    result["quota"] = runs
    return result
