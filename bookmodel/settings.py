"""_config.yml: the whole of it (`config`), and what it says about running the chapters, with
Jupyter Book's defaults (`settings`)."""
from dataclasses import dataclass
from pathlib import Path

import yaml

from .pages import ROOT


@dataclass(frozen=True)
class Settings:
    """The execution settings every runner of a chapter uses (one timeout for all of them)."""

    mode: str  # execute.execute_notebooks: "cache" here
    cache: Path  # the execution cache (myst-nb's jupyter-cache folder)
    timeout: int  # seconds a cell may take
    allow_errors: bool
    extensions: frozenset  # parse.myst_enable_extensions: how myst-nb reads a chapter


def config(root: Path = ROOT) -> dict:
    """The book's _config.yml as read by Jupyter Book ({} when there is none)."""
    path = root / "_config.yml"
    return (yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None) or {}


def settings(root: Path = ROOT) -> Settings:
    """The execution settings of the book at `root`."""
    book = config(root)
    execute = book.get("execute") or {}
    return Settings(mode=execute.get("execute_notebooks", "auto"),
                    cache=root / (execute.get("cache") or "_build/.jupyter_cache"),
                    timeout=int(execute.get("timeout", 30)),
                    allow_errors=bool(execute.get("allow_errors", False)),
                    extensions=frozenset((book.get("parse") or {}).get("myst_enable_extensions") or []))
