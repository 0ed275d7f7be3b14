"""Run programs as plain scripts, each in a process of its own forked after torch is imported once.

    python tests/script_runner.py OUTDIR PROGRAM.py [PROGRAM.py ...]

Each program runs as `__main__` in the current folder with IPython blocked, as `python PROGRAM.py`
would run it, except that torch is already imported (about 2 s of CPU saved per program). Its
stdout, stderr and exit status go to OUTDIR/<stem>.out, .err and .status. Used by
tests/test_d2l1_programs.py, whose programs must not share a process: they replace methods of
d2lutil's classes.
"""
import atexit
import os
import sys
import traceback
from pathlib import Path

sys.modules["IPython"] = None  # a plain script: no IPython, as conftest.BLOCK_IPYTHON
import torch  # noqa: E402,F401  (the import the children share)


def run_program(path: Path) -> int:
    """Run one program as __main__ in this process; its exit status."""
    sys.argv = [str(path)]
    sys.path[0] = str(path.parent)  # as `python PROGRAM.py` has it
    try:
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), {"__name__": "__main__"})
        return 0
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or 0
        print(stop.code, file=sys.stderr)
        return 1
    except BaseException:  # noqa: BLE001  (reported as the interpreter would, status 1)
        traceback.print_exc()
        return 1


def run_forked(path: Path, outdir: Path) -> int:
    """Run `path` in a forked child whose stdout and stderr are files in `outdir`; its exit status."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        for fd, suffix in ((1, ".out"), (2, ".err")):
            with open(outdir / f"{path.stem}{suffix}", "wb") as f:
                os.dup2(f.fileno(), fd)
        status = run_program(path)
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def main(outdir: str, *programs: str) -> None:
    """Run each program in turn; write its exit status next to its output."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    for program in map(Path, programs):
        (out / f"{program.stem}.status").write_text(str(run_forked(program.resolve(), out)))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
