"""Kernel start-up code: after a kernel of this server was killed for lack of memory, the next
cell the reader runs says so, with the limit, instead of leaving them to guess.

Installed as `c.InteractiveShellApp.exec_files` in the environment's etc/ipython (scripts/hub_sim.py
does it for the simulation's hub environment). It compares the cgroup's oom_kill count (cgroup v1
memory.oom_control, v2 memory.events) with the count the previous kernel saw at its start.
"""
import os
from pathlib import Path

V1 = Path("/sys/fs/cgroup/memory")
V2 = Path("/sys/fs/cgroup")
SEEN = Path.home() / ".cache" / "d2l-oom-kills"


def own_group() -> tuple[Path, bool] | None:
    """(this process's memory cgroup directory, is it v1), or None."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(",") and (V1 / path.lstrip("/")).is_dir():
            return V1 / path.lstrip("/"), True
        if controllers == "" and (V2 / path.lstrip("/") / "memory.events").is_file():
            return V2 / path.lstrip("/"), False
    return None


def limit_and_kills(group: Path, v1: bool) -> tuple[int, int]:
    """(the group's memory limit in bytes, how many processes it had killed for memory)."""
    limit = (group / ("memory.limit_in_bytes" if v1 else "memory.max")).read_text().strip()
    text = (group / ("memory.oom_control" if v1 else "memory.events")).read_text()
    fields = dict(line.split() for line in text.splitlines() if len(line.split()) == 2)
    return (int(limit) if limit.isdigit() else 0), int(fields.get("oom_kill", 0))


def message(limit: int) -> str:
    """What the reader is told, in the book's language and in English."""
    gib = f"{limit / 2**30:.1f} GiB"
    return (f"注意：上一个内核用尽了本服务器的内存上限（{gib}），被系统终止后已自动重启；"
            f"之前的变量都已丢失，请从本章开头重新运行（Run All）。\n"
            f"Note: the previous kernel used up this server's memory limit ({gib}) and was killed; "
            f"the kernel restarted without its variables: run the chapter again from the top.\n")


def install(ip) -> None:
    """Tell the first cell of this kernel if a kernel died for memory since the last start."""
    found = own_group()
    if found is None:
        return
    limit, kills = limit_and_kills(*found)
    seen = int(SEEN.read_text()) if SEEN.is_file() and SEEN.read_text().strip().isdigit() else kills
    SEEN.parent.mkdir(parents=True, exist_ok=True)
    SEEN.write_text(str(kills))
    if kills <= seen or limit == 0:
        return

    def tell(*_args) -> None:
        import sys
        sys.stderr.write(message(limit))
        ip.events.unregister("pre_run_cell", tell)

    ip.events.register("pre_run_cell", tell)


if os.environ.get("JUPYTERHUB_USER"):
    try:
        install(get_ipython())  # noqa: F821  (run by IPython's exec_files)
    except OSError:
        pass
