"""d2lutil.cpus: the CPUs a process may use (affinity, cgroup v1/v2 quota) and torch's threads.

The parsing is tested on fake cgroup folders; the whole chain (import d2lutil -> torch's
threads, get_dataloader_workers) in fresh processes under `taskset` and, as root, under a
real cgroup v1 CPU quota.
"""
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from d2lutil import cpus

ROOT = Path(__file__).resolve().parent.parent
CGROUP_V1_CPU = Path("/sys/fs/cgroup/cpu")
REPORT = ("import d2lutil, torch; from d2lutil.cpus import available_cpus, cgroup_cpus; "
          "from d2lutil.fashion import get_dataloader_workers; "
          "print(available_cpus(), cgroup_cpus(), torch.get_num_threads(), get_dataloader_workers())")


def mountinfo(*mounts: tuple[str, str, str, str]) -> str:
    """/proc/self/mountinfo lines for (fstype, root, mount point, super options)."""
    return "\n".join(f"{30 + i} 23 0:{40 + i} {root} {point} rw,relatime - {fstype} {fstype} rw,{options}"
                     for i, (fstype, root, point, options) in enumerate(mounts))


def write(folder: Path, **files: str) -> Path:
    """Create `folder` with the given files (name with '.' written as '__')."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name.replace("__", ".")).write_text(text + "\n")
    return folder


def test_v1_quota_is_quota_over_period(tmp_path):
    write(tmp_path / "cpu" / "job", cpu__cfs_quota_us="150000", cpu__cfs_period_us="100000")
    info = mountinfo(("cgroup", "/", str(tmp_path / "cpu"), "cpu"))
    assert cpus.cgroup_cpus("4:cpu,cpuacct:/job\n0::/", info) == 1.5


def test_v1_no_quota_and_unreadable_files_mean_unlimited(tmp_path):
    write(tmp_path / "cpu" / "job", cpu__cfs_quota_us="-1", cpu__cfs_period_us="100000")
    info = mountinfo(("cgroup", "/", str(tmp_path / "cpu"), "cpu"))
    assert cpus.cgroup_cpus("1:cpu:/job", info) is None
    assert cpus.cgroup_cpus("1:cpu:/missing", info) is None
    assert cpus.cgroup_cpus("1:memory:/job", info) is None  # not the cpu controller


def test_v1_parent_quota_limits_the_child(tmp_path):
    top = write(tmp_path / "cpu" / "pod", cpu__cfs_quota_us="50000", cpu__cfs_period_us="100000")
    write(top / "box", cpu__cfs_quota_us="300000", cpu__cfs_period_us="100000")
    info = mountinfo(("cgroup", "/", str(tmp_path / "cpu"), "cpu,cpuacct"))
    assert cpus.cgroup_cpus("3:cpu,cpuacct:/pod/box", info) == 0.5


def test_v1_mount_of_a_subtree_as_in_a_container(tmp_path):
    """In a container the mount's root is the container's cgroup: /proc/self/cgroup shows the full path."""
    write(tmp_path / "cpu", cpu__cfs_quota_us="200000", cpu__cfs_period_us="100000")
    info = mountinfo(("cgroup", "/docker/abc", str(tmp_path / "cpu"), "cpu"))
    assert cpus.cgroup_cpus("5:cpu:/docker/abc", info) == 2.0


@pytest.mark.parametrize("cpu_max, expected", [("50000 100000", 0.5), ("200000 100000", 2.0),
                                               ("max 100000", None), ("garbage", None)])
def test_v2_cpu_max(tmp_path, cpu_max, expected):
    write(tmp_path / "unified" / "user.slice" / "app", cpu__max=cpu_max)
    info = mountinfo(("cgroup2", "/", str(tmp_path / "unified"), "nsdelegate"))
    assert cpus.cgroup_cpus("0::/user.slice/app", info) == expected


def test_v2_parent_limit_applies(tmp_path):
    parent = write(tmp_path / "unified" / "pod", cpu__max="100000 100000")
    write(parent / "app", cpu__max="max 100000")
    info = mountinfo(("cgroup2", "/", str(tmp_path / "unified"), "nsdelegate"))
    assert cpus.cgroup_cpus("0::/pod/app", info) == 1.0


def test_available_cpus_rounds_a_quota_up_and_never_exceeds_affinity(monkeypatch):
    monkeypatch.setattr(cpus, "affinity_cpus", lambda: 8)
    for quota, expected in [(None, 8), (0.5, 1), (1.0, 1), (2.5, 3), (64.0, 8)]:
        monkeypatch.setattr(cpus, "cgroup_cpus", lambda quota=quota: quota)
        assert cpus.available_cpus() == expected


@pytest.fixture
def fake_cgroup(tmp_path, monkeypatch):
    """This process seen in a fake cgroup v2 tree whose parent has a 1-CPU quota, with 4 CPUs of affinity."""
    parent = write(tmp_path / "unified" / "pod", cpu__max="100000 100000")
    write(parent / "app", cpu__max="max 100000")
    write(tmp_path / "proc", cgroup="0::/pod/app",
          mountinfo=mountinfo(("cgroup2", "/", str(tmp_path / "unified"), "nsdelegate")))
    monkeypatch.setattr(cpus, "PROC_CGROUP", tmp_path / "proc" / "cgroup")
    monkeypatch.setattr(cpus, "PROC_MOUNTINFO", tmp_path / "proc" / "mountinfo")
    monkeypatch.setattr(cpus, "affinity_cpus", lambda: 4)
    for name in cpus.THREAD_ENV:
        monkeypatch.delenv(name, raising=False)
    import torch
    threads = torch.get_num_threads()
    yield torch
    torch.set_num_threads(threads)


def test_a_quota_read_from_the_cgroup_tree_sets_torchs_threads(fake_cgroup):
    """The chain import d2lutil runs, on a fake tree: /proc/self/cgroup -> the parent's cpu.max -> 1 thread."""
    torch = fake_cgroup
    torch.set_num_threads(4)  # torch's default on 4 CPUs of affinity
    assert cpus.cgroup_cpus() == 1.0 and cpus.available_cpus() == 1
    assert cpus.configure_torch_threads() == 1 and torch.get_num_threads() == 1


def test_a_quota_read_from_the_cgroup_tree_keeps_the_readers_choice(fake_cgroup, monkeypatch):
    torch = fake_cgroup
    torch.set_num_threads(3)  # set by the reader before importing d2lutil
    assert cpus.configure_torch_threads() is None and torch.get_num_threads() == 3
    torch.set_num_threads(4)
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    assert cpus.configure_torch_threads() is None and torch.get_num_threads() == 4


def test_available_cpus_in_this_process_matches_affinity_and_quota():
    quota = cpus.cgroup_cpus()
    expected = len(os.sched_getaffinity(0))
    if quota is not None:
        expected = min(expected, max(1, -(-quota // 1)))
    assert cpus.available_cpus() == expected


def run(code: str, env: dict | None = None, prefix: list[str] = ()) -> list[str]:
    """Run `code` in a fresh Python (without OMP_NUM_THREADS unless given); return stdout's fields."""
    base = {k: v for k, v in os.environ.items() if k not in cpus.THREAD_ENV}
    base["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([*prefix, sys.executable, "-c", code], env={**base, **(env or {})},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


needs_two_cpus = pytest.mark.skipif(
    shutil.which("taskset") is None or len(os.sched_getaffinity(0)) < 2,
    reason="needs taskset (util-linux) and at least 2 CPUs in this process's affinity mask")


@needs_two_cpus
def test_taskset_one_cpu_gives_one_thread_and_no_workers():
    """Issue 13 item 18: under `taskset -c 0` get_dataloader_workers() said 2."""
    first = sorted(os.sched_getaffinity(0))[0]
    available, _, threads, workers = run(REPORT, prefix=["taskset", "-c", str(first)])
    assert (available, threads, workers) == ("1", "1", "0")


@needs_two_cpus
def test_taskset_two_cpus_gives_two_workers():
    two = ",".join(map(str, sorted(os.sched_getaffinity(0))[:2]))
    available, _, threads, workers = run(REPORT, prefix=["taskset", "-c", two])
    assert (available, threads, workers) == ("2", "2", "2")


@pytest.fixture
def cgroup_v1_quota():
    """A real cgroup v1 cpu group with a quota of 1 CPU; yields a command prefix that runs inside it."""
    if os.geteuid() != 0:
        pytest.skip("creating a cgroup needs root")
    if not (CGROUP_V1_CPU / "cpu.cfs_quota_us").is_file():
        pytest.skip(f"no cgroup v1 cpu controller mounted at {CGROUP_V1_CPU}")
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs at least 2 CPUs, so that a 1-CPU quota is a real limit")
    group = CGROUP_V1_CPU / f"d2lutil-test-{uuid.uuid4().hex[:8]}"
    try:
        group.mkdir()
        (group / "cpu.cfs_period_us").write_text("100000")
        (group / "cpu.cfs_quota_us").write_text("100000")
    except OSError as error:
        if group.exists():
            group.rmdir()
        pytest.skip(f"cannot create a cgroup v1 quota under {CGROUP_V1_CPU}: {error}")
    try:
        yield ["sh", "-c", f'echo $$ > {group}/cgroup.procs && exec "$@"', "sh"]
    finally:
        group.rmdir()  # the child has exited, so the group is empty


def test_cgroup_quota_of_one_cpu_gives_one_thread_and_no_workers(cgroup_v1_quota):
    """Issue 13 item 7: under a 1-CPU quota torch kept one thread per host CPU."""
    available, quota, threads, workers = run(REPORT, prefix=cgroup_v1_quota)
    assert (available, quota, threads, workers) == ("1", "1.0", "1", "0")


def test_cgroup_quota_keeps_the_readers_choice(cgroup_v1_quota):
    """OMP_NUM_THREADS, or torch.set_num_threads before importing d2lutil, win over the quota."""
    assert run(REPORT, env={"OMP_NUM_THREADS": "2"}, prefix=cgroup_v1_quota)[2] == "2"
    code = "import torch; torch.set_num_threads(3); " + REPORT
    assert run(code, prefix=cgroup_v1_quota)[2] == "3"


def test_import_without_limits_keeps_torchs_default():
    """With no quota below the affinity mask, d2lutil leaves torch's threads alone."""
    if cpus.cgroup_cpus() is not None and cpus.cgroup_cpus() < len(os.sched_getaffinity(0)):
        pytest.skip("this process runs under a CPU quota")
    code = "import torch; n = torch.get_num_threads(); import d2lutil; print(n, torch.get_num_threads())"
    before, after = run(code)
    assert before == after
