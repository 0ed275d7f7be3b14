"""Run the book's stale chapters in parallel into myst-nb's execution cache, before the build.

    python scripts/execute_chapters.py [--jobs N] [--root DIR]

`make book` and `make pdf` call this first. myst-nb (execute_notebooks: cache) executes a
chapter whose code changed while Sphinx reads it, one chapter after another; this script
runs those chapters first, as many at once as the process may use CPUs (d2lutil.cpus), each
in its own kernel with one torch thread, and stores each run in the execution cache exactly as
myst-nb would (bookmodel.cache). The build then finds every chapter in the cache and executes
nothing. A chapter that fails is reported with its traceback and the script exits with status 1
(the build would fail on it too); the others are cached.
"""
import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from bookmodel import cache as book_cache
from bookmodel import chapter
from bookmodel.pages import ROOT, chapters
from bookmodel.settings import settings


def stale(root: Path, cache) -> list[tuple[Path, object]]:
    """The chapters without a current run in the cache, as read, longest last run first."""
    last = book_cache.last_seconds(cache)
    todo = [(page.path, nb) for page in chapters(root)
            if book_cache.current_run(cache, nb := chapter.read(page.path, root)) is None]
    return sorted(todo, key=lambda item: -last.get(item[0].resolve(), float("inf")))


def run_chapter(path: Path, nb, root: Path, one_thread: bool) -> chapter.Run:
    """Run one chapter in its folder (in a worker process)."""
    return chapter.run(nb, path.parent, root=root, one_thread=one_thread)


def main(argv: list[str] | None = None) -> int:
    """Execute the stale chapters; 0 if all ran (or nothing was stale), 1 if one failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=None, help="chapters at once (default: usable CPUs)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the book's folder (with _config.yml)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    config = settings(root)
    if config.mode != "cache":
        print(f"execute_notebooks is {config.mode!r}, not 'cache': nothing to prepare")
        return 0
    cache = book_cache.open_cache(config.cache, create=True)
    todo = stale(root, cache)
    if not todo:
        print("every chapter's run is in the execution cache")
        return 0
    from d2lutil.cpus import available_cpus
    jobs = max(1, min(args.jobs or available_cpus(), len(todo)))
    print(f"executing {len(todo)} chapter(s), {jobs} at a time: {', '.join(p.stem for p, _ in todo)}", flush=True)
    start, failed = time.perf_counter(), []
    with ProcessPoolExecutor(jobs) as pool:
        runs = {pool.submit(run_chapter, path, nb, root, jobs > 1): path for path, nb in todo}
        for done in as_completed(runs):
            path, result = runs[done], done.result()
            if result.ok:
                book_cache.store(cache, path, result.nb, result.seconds)
                print(f"  {path.stem}: {result.seconds:.1f} s", flush=True)
            else:
                failed.append(path.stem)
                print(f"  {path.stem}: FAILED after {result.seconds:.1f} s\n{result.error}", flush=True)
    print(f"executed in {time.perf_counter() - start:.1f} s" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
