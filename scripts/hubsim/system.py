"""What the simulation creates on the machine, and how it is all undone: system users, processes,
files. Undone in reverse order on success, failure, Ctrl-C or SIGTERM."""
import atexit
import os
import pwd
import signal
import subprocess
import sys
import time


class Cleanup:
    """A stack of undo steps, run once: at the end, on an exception, a signal or interpreter exit."""

    def __init__(self):
        self.steps: list[tuple[str, callable]] = []
        atexit.register(self.run)
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, _frame):
        raise SystemExit(f"stopped by signal {signum}")

    def push(self, what: str, step) -> None:
        """Remember how to undo something just done."""
        self.steps.append((what, step))

    def run(self) -> None:
        """Undo everything, newest first; report steps that fail and go on."""
        while self.steps:
            what, step = self.steps.pop()
            try:
                step()
            except Exception as e:  # noqa: BLE001  (every other step must still run)
                print(f"cleanup: {what}: {e}", file=sys.stderr)


def create_user(name: str, home: str) -> None:
    """A system user with its own group and home (refuses to reuse an existing account)."""
    try:
        pwd.getpwnam(name)
    except KeyError:
        pass
    else:
        raise RuntimeError(f"user {name} exists already: remove it (userdel -r {name}) or pick another prefix")
    subprocess.run(["useradd", "--create-home", "--home-dir", home, "--shell", "/bin/bash", "--user-group", name],
                   check=True, capture_output=True, text=True)


def user_pids(name: str) -> list[int]:
    """The processes running as a user."""
    out = subprocess.run(["ps", "-u", name, "-o", "pid="], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def remove_user(name: str) -> None:
    """End the user's processes (which this simulation started), then the account and home."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = user_pids(name)
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        if pids:
            time.sleep(2)
    subprocess.run(["userdel", "--remove", name], capture_output=True, text=True)


def stop_process(proc: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM, then SIGKILL after `timeout` seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def used_memory() -> int:
    """The machine's memory in use, bytes: MemTotal - MemAvailable."""
    info = {}
    with open("/proc/meminfo") as f:
        for line in f:
            key, value = line.split(":")
            info[key] = int(value.split()[0]) * 1024
    return info["MemTotal"] - info["MemAvailable"]
