"""The execution cache (myst-nb's jupyter-cache folder) and the one rule for a current run.

A run is current when the cache holds a run of the chapter as myst-nb reads it now
(bookmodel.chapter.read): jupyter-cache's hash of its code cells and kernel matches. The book
build (execute_notebooks: cache), scripts/execute_chapters.py and the reader notebooks all
decide with this rule, so a run stored by one is used by the others.
"""
from pathlib import Path

from .pages import ROOT
from .settings import settings

READ_FORMAT = {"type": "plugin", "name": "myst_nb_md"}  # what myst-nb records for a MyST chapter


def open_cache(folder: Path | None = None, create: bool = False):
    """The book's execution cache (default: _config.yml's), or None if there is none and not `create`."""
    folder = settings(ROOT).cache if folder is None else Path(folder)
    if not create and not (folder / "global.db").is_file():
        return None
    from jupyter_cache import get_cache
    return get_cache(folder)


def current_run(cache, nb):
    """The cached run (a notebook with outputs) of the chapter `nb` as read now, or None if it has none."""
    if cache is None:
        return None
    try:
        record = cache.match_cache_notebook(nb)
    except KeyError:
        return None
    return cache.get_cache_bundle(record.pk).nb


def last_seconds(cache) -> dict[Path, float]:
    """How long each chapter's latest cached run took, by source path."""
    return {Path(r.uri).resolve(): r.data.get("execution_seconds", 0.0) for r in cache.list_cache_records()}


def store(cache, path: Path, nb, seconds: float) -> None:
    """Put a successful run of the chapter at `path` into the cache, as myst-nb's own execution does."""
    from jupyter_cache.base import CacheBundleIn
    record = cache.add_nb_to_project(str(path), read_data=READ_FORMAT)
    cache.cache_notebook_bundle(CacheBundleIn(nb, record.uri, data={"execution_seconds": seconds}),
                                check_validity=False, overwrite=True)
