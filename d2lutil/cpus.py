"""How many CPUs this process may really use: its affinity mask and its cgroup v1/v2 CPU quota.

`os.cpu_count()` counts the host's cores. A container on mybinder.org, a Kubernetes pod or
`taskset -c 0` may use fewer: the affinity mask limits which cores run the process, and a
cgroup quota (v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`, v2 `cpu.max`) limits how much
CPU time it gets per period. `available_cpus()` is the smaller of the two, at least 1.
"""
import math
import os
from pathlib import Path

PROC_CGROUP = Path("/proc/self/cgroup")
PROC_MOUNTINFO = Path("/proc/self/mountinfo")


def affinity_cpus() -> int:
    """The number of CPUs in this process's affinity mask (os.cpu_count() where there is none)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _read(path: Path) -> str | None:
    """The stripped text of a file, or None if it cannot be read."""
    try:
        return Path(path).read_text().strip()
    except (OSError, ValueError):
        return None


def quota_v1(folder: Path) -> float | None:
    """CPUs allowed by a cgroup v1 cpu folder (cfs_quota_us / cfs_period_us), None if unlimited."""
    quota, period = _read(Path(folder) / "cpu.cfs_quota_us"), _read(Path(folder) / "cpu.cfs_period_us")
    try:
        quota_us, period_us = int(quota), int(period)
    except (TypeError, ValueError):
        return None
    return quota_us / period_us if quota_us > 0 and period_us > 0 else None


def quota_v2(folder: Path) -> float | None:
    """CPUs allowed by a cgroup v2 folder's cpu.max ("<quota> <period>" or "max ..."), None if unlimited."""
    text = _read(Path(folder) / "cpu.max")
    parts = text.split() if text else []
    if len(parts) != 2 or parts[0] == "max":
        return None
    try:
        quota_us, period_us = int(parts[0]), int(parts[1])
    except ValueError:
        return None
    return quota_us / period_us if quota_us > 0 and period_us > 0 else None


def _mounts(mountinfo: str) -> list[tuple[str, str, str, set[str]]]:
    """(fstype, root, mount point, super options) of each cgroup mount in /proc/self/mountinfo."""
    found = []
    for line in mountinfo.splitlines():
        left, sep, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if not sep or len(fields) < 5 or len(tail) < 3 or tail[0] not in ("cgroup", "cgroup2"):
            continue
        options = set(tail[2].split(",")) | set(fields[5].split(",") if len(fields) > 5 else [])
        found.append((tail[0], fields[3], fields[4], options))
    return found


def _cgroup_folders(cgroup: str, mountinfo: str) -> list[tuple[str, Path, Path]]:
    """("v1" or "v2", folder, mount point) of each cgroup of this process that can hold a CPU quota."""
    folders = []
    mounts = _mounts(mountinfo)
    for line in cgroup.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        version = "v2" if controllers == "" else "v1"
        if version == "v1" and "cpu" not in controllers.split(","):
            continue
        for fstype, root, point, options in mounts:
            if (fstype == "cgroup2") != (version == "v2") or version == "v1" and "cpu" not in options:
                continue
            if path == root or path.startswith(root.rstrip("/") + "/"):
                relative = path[len(root.rstrip("/")):].lstrip("/")
                folders.append((version, Path(point) / relative, Path(point)))
                break
    return folders


def cgroup_cpus(cgroup: str | None = None, mountinfo: str | None = None) -> float | None:
    """The CPU quota of this process's cgroups (v1 or v2, the tightest up the tree), None if unlimited.

    `cgroup` and `mountinfo` default to /proc/self/cgroup and /proc/self/mountinfo (given
    as text in tests).
    """
    cgroup = _read(PROC_CGROUP) if cgroup is None else cgroup
    mountinfo = _read(PROC_MOUNTINFO) if mountinfo is None else mountinfo
    if not cgroup or not mountinfo:
        return None
    limits = []
    for version, folder, top in _cgroup_folders(cgroup, mountinfo):
        reader = quota_v2 if version == "v2" else quota_v1
        for place in (folder, *folder.parents):  # a parent's quota limits its children too
            limit = reader(place)
            if limit is not None:
                limits.append(limit)
            if place == top:
                break
    return min(limits) if limits else None


def available_cpus() -> int:
    """The CPUs this process may use: its affinity mask, capped by its cgroup quota rounded up; >= 1."""
    count = affinity_cpus()
    quota = cgroup_cpus()
    if quota is not None:
        count = min(count, max(1, math.ceil(quota)))
    return max(1, count)


THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")


def reader_chose_threads(torch_module, default: int) -> bool:
    """True if the reader chose torch's threads: OMP/MKL_NUM_THREADS set, or a count other than `default`."""
    return any(os.environ.get(name) for name in THREAD_ENV) or torch_module.get_num_threads() != default


def configure_torch_threads() -> int | None:
    """Lower torch's intra-op threads to available_cpus(), unless the reader chose them; return the count set.

    torch starts one thread per CPU of the affinity mask, but not fewer under a cgroup
    quota (a container with 1 CPU on a many-core host): its threads then wait for each
    other and an epoch runs several times slower. The reader's own choice
    (OMP_NUM_THREADS, MKL_NUM_THREADS or torch.set_num_threads before importing
    d2lutil) is kept. Returns None when nothing was changed.
    """
    import torch
    wanted = available_cpus()
    if reader_chose_threads(torch, affinity_cpus()) or torch.get_num_threads() <= wanted:
        return None
    torch.set_num_threads(wanted)
    return wanted
