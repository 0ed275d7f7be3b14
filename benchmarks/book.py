"""Figures 3 and 4: executing the chapters cold, rebuilding the book, and peak memory.

Every chapter is executed in its own fresh worker process, which reads and runs it as
everything else does (bookmodel.chapter: a new kernel in book/, as in the book build). The worker times the execution (kernel start to kernel
shutdown) and reads the kernel's peak resident memory from getrusage(RUSAGE_CHILDREN):
the kernel is the worker's only child, so that is its high-water mark.

Run as a script, this module is that worker:
    python benchmarks/book.py book/<chapter>.md    -> one JSON line on stdout
"""
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bookmodel import chapter
from bookmodel.pages import ROOT, pages
from bookmodel.settings import settings

TIMEOUT = settings(ROOT).timeout


def execute(path: Path) -> dict:
    """Execute one chapter in a new kernel (cwd = its directory); time it and read the kernel's peak RSS."""
    run = chapter.run_file(path)
    error = None if run.ok else run.error.strip().splitlines()[-1][:300]
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the kernel, now exited and reaped
    return {"chapter": path.stem, "seconds": run.seconds, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_rss_mb": usage.ru_maxrss * 1024 / 1e6,  # Linux reports kilobytes
            "ok": run.ok, "error": error}


def execute_in_worker(path: Path) -> dict:
    """Run `execute` for one chapter in a fresh Python process, so nothing is shared between chapters."""
    proc = subprocess.run([sys.executable, __file__, str(path)], cwd=path.parent,
                          capture_output=True, text=True, timeout=TIMEOUT + 60)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        return {"chapter": path.stem, "seconds": float("nan"), "cpu_s": float("nan"),
                "peak_rss_mb": float("nan"), "ok": False,
                "error": (proc.stderr.strip().splitlines() or ["worker failed"])[-1][:300]}
    return json.loads(lines[-1])


def measure_chapters(log=print) -> dict:
    """Figure 4 (and each chapter's time): every chapter executed cold, one after the other, each alone."""
    chapters, skipped = [], []
    for page in pages(ROOT):
        (chapters if page.is_notebook else skipped).append(page.path)
    results = []
    start = time.perf_counter()
    for path in chapters:
        result = execute_in_worker(path)
        status = "ok" if result["ok"] else f"FAILED: {result['error']}"
        log(f"  {path.stem:32s} {result['seconds']:7.1f} s wall {result['cpu_s']:7.1f} s CPU "
            f"{result['peak_rss_mb']:7.0f} MB  {status}")
        results.append(result)
    total = time.perf_counter() - start
    heaviest = max(results, key=lambda r: r["peak_rss_mb"] if r["peak_rss_mb"] == r["peak_rss_mb"] else -1,
                   default=None)
    return {
        "chapters": results,
        "not_notebooks": [p.stem for p in skipped],
        "total_s": total,
        "sum_s": sum(r["seconds"] for r in results),
        "cpu_s": sum(r["cpu_s"] for r in results),
        "all_ok": all(r["ok"] for r in results),
        "heaviest_chapter": heaviest["chapter"] if heaviest else None,
        "peak_rss_mb": heaviest["peak_rss_mb"] if heaviest else float("nan"),
    }


SNAPSHOT_IGNORE = shutil.ignore_patterns(".git", ".venv", "_build", ".pytest_cache", ".hypothesis",
                                         "__pycache__", "*.egg-info", ".ipynb_checkpoints", "results")


def jupyter_book_build(source: Path) -> dict:
    """`jupyter-book build . -W -n --keep-going` in `source`, as `make book` runs it; time it."""
    jb = Path(sys.executable).with_name("jupyter-book")
    start = time.perf_counter()
    proc = subprocess.run([str(jb), "build", ".", "-W", "-n", "--keep-going"], cwd=source,
                          capture_output=True, text=True, timeout=3600)
    seconds = time.perf_counter() - start
    log = proc.stdout + proc.stderr
    cache = re.search(r"Using jupyter-cache at: (\S+)", log)
    problems = [line for line in log.splitlines()
                if ("WARNING" in line or "ERROR" in line) and "[IPKernelApp]" not in line]
    return {"seconds": seconds, "returncode": proc.returncode, "cache": cache[1] if cache else None,
            "notebooks_executed": len(re.findall(r"Executing notebook using", log)),
            "notebooks_from_cache": len(re.findall(r"Using cached notebook", log)),
            "problems": problems[-10:]}


def measure_rebuild(keep: bool = False) -> dict:
    """Figures 3a and 3b: `make book` in a snapshot of the repository, cold, then an unchanged rebuild.

    The snapshot (a copy of the working tree without .venv, _build and caches, in a temporary
    directory) keeps the two builds apart from the repository's own _build and execution cache
    (_config.yml's relative path _build/.jupyter_cache) and guarantees that nothing changes
    between them, even while someone edits the chapters. The first build starts from an
    empty cache: as `make book` does, scripts/execute_chapters.py runs every chapter first
    (several at once), then the build takes them all from the cache.
    """
    tmp = Path(tempfile.mkdtemp(prefix="jb-bench-"))
    source = tmp / "repo"
    try:
        shutil.copytree(ROOT, source, ignore=SNAPSHOT_IGNORE, symlinks=True)
        execution = execute_chapters(source)
        first = jupyter_book_build(source)
        second = jupyter_book_build(source)
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return {"execute_s": execution["seconds"], "first_build_s": execution["seconds"] + first["seconds"],
            "rebuild_s": second["seconds"], "execution": execution, "first": first, "second": second,
            "snapshot": str(source) if keep else None}


def execute_chapters(source: Path) -> dict:
    """Figure 3a: `make book`'s first step in `source` with an empty cache: every chapter, in parallel."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(source / "scripts" / "execute_chapters.py"), "--root", str(source)],
                          cwd=source, capture_output=True, text=True, timeout=3600)
    seconds = time.perf_counter() - start
    jobs = re.search(r"executing (\d+) chapter\(s\), (\d+) at a time", proc.stdout)
    return {"seconds": seconds, "returncode": proc.returncode,
            "chapters": int(jobs[1]) if jobs else 0, "jobs": int(jobs[2]) if jobs else 0,
            "log": proc.stdout.strip().splitlines()[-15:] + proc.stderr.strip().splitlines()[-5:]}


if __name__ == "__main__":
    print(json.dumps(execute(Path(sys.argv[1]).resolve())))
