"""Run chapters at once under mybinder.org's limits: 1 CPU as a cgroup quota and 2 GiB of memory.

`make binder-sim` (as root) creates a cgroup with those limits (cgroup v1's cpu and memory
controllers, or v2's cpu.max and memory.max), runs the chapters concurrently, each through
binder/start as Binder does, with their kernels in the group (the processes that drive them
stay outside, as Binder's one Jupyter server would), and reports each chapter's time, the
group's peak memory and whether the kernel killed anything for lack of memory. Where no
cgroup can be created (not root, or read-only controllers) it says so and exits 0.

Usage: python scripts/binder_sim.py [--cpus 1] [--memory-gib 2] [CHAPTER ...]
"""
import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVIEST = ["fashion-mnist", "softmax-regression-concise", "mse-mle"]
V1, V2 = Path("/sys/fs/cgroup/cpu"), Path("/sys/fs/cgroup")
# Runs one chapter; only its kernel goes into the group (argv[3:] are the group's
# cgroup.procs files): on Binder one Jupyter server drives every kernel.
RUN_CHAPTER = """
import sys
from jupyter_client import KernelManager
from bookmodel import chapter
path, cwd, *procs = sys.argv[1:]
km = KernelManager(kernel_name=chapter.KERNEL_NAME)
km.start_kernel(cwd=cwd)
try:
    for p in procs:
        open(p, "w").write(str(km.provisioner.process.pid))
    run = chapter.run(chapter.read(path), cwd, km=km)
finally:
    km.shutdown_kernel(now=True)
sys.exit(run.error)
"""


class Group:
    """A cgroup with a CPU quota and a memory limit, in cgroup v1 or v2."""

    def __init__(self, name: str, cpus: float, memory: int):
        self.v1 = (V1 / "cpu.cfs_quota_us").exists()
        if self.v1:
            self.dirs = [V1 / name, Path("/sys/fs/cgroup/memory") / name]
        else:
            self.dirs = [V2 / name]
        for d in self.dirs:
            d.mkdir(exist_ok=True)
        period = 100_000
        if self.v1:
            (self.dirs[0] / "cpu.cfs_period_us").write_text(str(period))
            (self.dirs[0] / "cpu.cfs_quota_us").write_text(str(int(cpus * period)))
            (self.dirs[1] / "memory.limit_in_bytes").write_text(str(memory))
            try:  # charge a kernel's start-up to the group too (refused by newer kernels: then not)
                (self.dirs[1] / "memory.move_charge_at_immigrate").write_text("1")
            except OSError:
                pass
        else:
            (self.dirs[0] / "cpu.max").write_text(f"{int(cpus * period)} {period}")
            (self.dirs[0] / "memory.max").write_text(str(memory))

    def procs_files(self) -> list[str]:
        """The files that move a process into the group when its PID is written to them."""
        return [str(d / "cgroup.procs") for d in self.dirs]

    def peak_bytes(self) -> int:
        """The most memory the group has used."""
        if self.v1:
            return int((self.dirs[1] / "memory.max_usage_in_bytes").read_text())
        peak = self.dirs[0] / "memory.peak"
        return int(peak.read_text()) if peak.exists() else -1

    def anon_bytes(self) -> int:
        """The group's memory that is not page cache (the kernel cannot drop it under pressure)."""
        text = (self.dirs[1] if self.v1 else self.dirs[0]) / "memory.stat"
        stat = dict(line.split() for line in text.read_text().splitlines())
        return int(stat["total_rss"] if self.v1 else stat["anon"])

    def oom_kills(self) -> int:
        """How many processes of the group the kernel killed for lack of memory."""
        text = (self.dirs[1] / "memory.oom_control" if self.v1 else self.dirs[0] / "memory.events").read_text()
        fields = dict(line.split() for line in text.splitlines() if len(line.split()) == 2)
        return int(fields.get("oom_kill", 0))

    def remove(self) -> None:
        """Delete the group (once its processes have ended)."""
        for d in self.dirs:
            try:
                d.rmdir()
            except OSError as e:
                print(f"note: could not remove {d}: {e}", file=sys.stderr)


def can_create_groups() -> str | None:
    """None if this process may create cgroups with the controllers needed, else why not."""
    if os.geteuid() != 0:
        return "creating cgroups needs root"
    if (V1 / "cpu.cfs_quota_us").exists():
        mem = Path("/sys/fs/cgroup/memory")
        ok = os.access(V1, os.W_OK) and os.access(mem, os.W_OK)
        return None if ok else "cgroup v1's cpu or memory controller is not writable here"
    controllers = V2 / "cgroup.controllers"
    if controllers.exists() and {"cpu", "memory"} <= set(controllers.read_text().split()):
        subtree = (V2 / "cgroup.subtree_control").read_text().split()
        if {"cpu", "memory"} <= set(subtree) and os.access(V2, os.W_OK):
            return None
        return "cgroup v2: cpu and memory are not enabled in the root's cgroup.subtree_control"
    return "no cgroup v1 cpu/memory controllers and no cgroup v2 with cpu and memory"


def main(argv: list[str] | None = None) -> int:
    """Run the chapters in one limited cgroup and print what they used."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*", default=HEAVIEST, help="chapter stems (default: the heaviest three)")
    parser.add_argument("--cpus", type=float, default=1.0, help="CPU quota (default 1, as mybinder.org)")
    parser.add_argument("--memory-gib", type=float, default=2.0, help="memory limit (default 2, as mybinder.org)")
    args = parser.parse_args(argv)
    why_not = can_create_groups()
    if why_not:
        print(f"binder-sim skipped: {why_not}.")
        return 0
    paths = [ROOT / "book" / f"{stem}.md" for stem in args.chapters]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        parser.error(f"no such chapter: {', '.join(missing)}")
    limit = int(args.memory_gib * 2**30)
    group = Group(f"d2l-binder-sim-{os.getpid()}", args.cpus, limit)
    try:
        start = time.monotonic()
        procs = {p.stem: subprocess.Popen(
            [str(ROOT / "binder" / "start"), sys.executable, "-c", RUN_CHAPTER, str(p), str(p.parent),
             *group.procs_files()],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for p in paths}
        times, failed, peak_anon = {}, [], 0
        while len(times) < len(procs):
            peak_anon = max(peak_anon, group.anon_bytes())
            for stem, proc in procs.items():
                if stem not in times and proc.poll() is not None:
                    times[stem] = time.monotonic() - start
                    if proc.returncode != 0:
                        failed.append(stem)
                        print(f"--- {stem} failed:\n{proc.stdout.read()[-3000:]}")
            time.sleep(0.2)
        print(f"{len(paths)} chapters at once, {args.cpus:g} CPU, {args.memory_gib:g} GiB (cgroup "
              f"{'v1' if group.v1 else 'v2'}):")
        for stem in args.chapters:
            print(f"  {stem:32s} {times[stem]:7.1f} s  {'FAILED' if stem in failed else 'ok'}")
        peak, kills = group.peak_bytes(), group.oom_kills()
        print(f"  peak memory of the group: {peak / 1e9:.2f} GB of {limit / 1e9:.2f} GB "
              f"(page cache included); peak without page cache (sampled): {peak_anon / 1e9:.2f} GB")
        print(f"  processes killed for lack of memory: {kills}")
        return 1 if failed or kills else 0
    finally:
        group.remove()


if __name__ == "__main__":
    sys.exit(main())
