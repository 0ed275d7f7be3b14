"""Run the book's stale chapters in parallel into myst-nb's execution cache, before the build.

    python scripts/execute_chapters.py [--jobs N] [--root DIR]

`make book` and `make pdf` call this first. myst-nb (execute_notebooks: cache) executes a
chapter whose code changed while Sphinx reads it, one chapter after another; this script
runs those chapters first, as many at once as the process may use CPUs (d2lutil.cpus), each
in its own kernel with one torch thread, and stores each run in the same jupyter-cache
(_build/.jupyter_cache) exactly as myst-nb would. The build then finds every chapter in the
cache and executes nothing. A chapter that fails is reported with its traceback and the
script exits with status 1 (the build would fail on it too); the others are cached.
"""
import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
READ_FORMAT = {"type": "plugin", "name": "myst_nb_md"}  # what myst-nb records for a MyST chapter


def settings(root: Path) -> dict:
    """The execution settings of _config.yml that matter here, with Jupyter Book's defaults."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    execute = config.get("execute") or {}
    return {"mode": execute.get("execute_notebooks", "auto"),
            "cache": root / (execute.get("cache") or "_build/.jupyter_cache"),
            "timeout": int(execute.get("timeout", 30)),
            "allow_errors": bool(execute.get("allow_errors", False)),
            "extensions": set((config.get("parse") or {}).get("myst_enable_extensions") or [])}


def chapters(root: Path) -> list[Path]:
    """The source files of _toc.yml's pages that are MyST notebooks (have a kernelspec)."""
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    from readernb.book import pages
    return [page.path for page in pages(root) if page.is_notebook]


def read_chapter(path: Path, extensions: set):
    """The chapter as myst-nb reads it for execution (so the cache key is the one the build computes)."""
    from myst_nb.core.read import read_myst_markdown_notebook
    from myst_parser.config.main import MdParserConfig
    return read_myst_markdown_notebook(path.read_text(encoding="utf-8"),
                                       config=MdParserConfig(enable_extensions=extensions),
                                       add_source_map=True, path=str(path))


def run_chapter(text: str, cwd: str, timeout: int, allow_errors: bool) -> tuple[str, float, str | None]:
    """Execute one chapter (a notebook as JSON) in a new kernel in `cwd`; (executed JSON, seconds, error text)."""
    import tempfile

    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution
    from jupyter_client.manager import AsyncKernelManager
    nb = nbformat.reads(text, 4)
    with tempfile.TemporaryDirectory(prefix="d2l-kernel-") as sockets:
        # Unix sockets in a folder of this kernel's own: TCP ports picked as free by two worker
        # processes at once can be the same port, and the second kernel fails "Address already in use".
        km = AsyncKernelManager(kernel_name=nb.metadata.get("kernelspec", {}).get("name", "python3"),
                                transport="ipc", ip=os.path.join(sockets, "kernel"))
        result = single_nb_execution(nb, cwd=cwd, allow_errors=allow_errors, timeout=timeout, meta_override=True,
                                     km=km)
    error = None if result.err is None else (result.exc_string or repr(result.err))
    return nbformat.writes(nb), result.time, error


def stale(paths: list[Path], cache, extensions: set) -> list[tuple[Path, str]]:
    """The chapters whose current code has no run in the cache, as read (JSON), longest last run first."""
    import nbformat
    last = {Path(r.uri).resolve(): r.data.get("execution_seconds", 0.0) for r in cache.list_cache_records()}
    todo = []
    for path in paths:
        nb = read_chapter(path, extensions)
        try:
            cache.match_cache_notebook(nb)
        except KeyError:
            todo.append((path, nbformat.writes(nb)))
    return sorted(todo, key=lambda item: -last.get(item[0].resolve(), float("inf")))


def store(cache, path: Path, text: str, seconds: float) -> None:
    """Put a successful run into the cache as myst-nb's NotebookClientCache does."""
    import nbformat
    from jupyter_cache.base import CacheBundleIn
    record = cache.add_nb_to_project(str(path), read_data=READ_FORMAT)
    cache.cache_notebook_bundle(CacheBundleIn(nbformat.reads(text, 4), record.uri,
                                              data={"execution_seconds": seconds}),
                                check_validity=False, overwrite=True)


def main(argv: list[str] | None = None) -> int:
    """Execute the stale chapters; 0 if all ran (or nothing was stale), 1 if one failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=None, help="chapters at once (default: usable CPUs)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the book's folder (with _config.yml)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    config = settings(root)
    if config["mode"] != "cache":
        print(f"execute_notebooks is {config['mode']!r}, not 'cache': nothing to prepare")
        return 0
    from jupyter_cache import get_cache
    cache = get_cache(config["cache"])
    todo = stale(chapters(root), cache, config["extensions"])
    if not todo:
        print("every chapter's run is in the execution cache")
        return 0
    from d2lutil.narrowfig import ENV as NARROW_FIGURES
    os.environ[NARROW_FIGURES] = "1"  # as book/_ext/narrow_figures.py sets it for the build's own kernels
    from d2lutil.cpus import available_cpus
    jobs = max(1, min(args.jobs or available_cpus(), len(todo)))
    if jobs > 1 and "OMP_NUM_THREADS" not in os.environ:
        os.environ["OMP_NUM_THREADS"] = "1"  # the kernels inherit it: one torch thread per chapter
    print(f"executing {len(todo)} chapter(s), {jobs} at a time: {', '.join(p.stem for p, _ in todo)}", flush=True)
    start, failed = time.perf_counter(), []
    with ProcessPoolExecutor(jobs) as pool:
        runs = {pool.submit(run_chapter, text, str(p.parent), config["timeout"], config["allow_errors"]): p
                for p, text in todo}
        for done in as_completed(runs):
            path = runs[done]
            text, seconds, error = done.result()
            if error is None:
                store(cache, path, text, seconds)
                print(f"  {path.stem}: {seconds:.1f} s", flush=True)
            else:
                failed.append(path.stem)
                print(f"  {path.stem}: FAILED after {seconds:.1f} s\n{error}", flush=True)
    print(f"executed in {time.perf_counter() - start:.1f} s" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
