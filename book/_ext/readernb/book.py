"""The chapters of the book in the order of _toc.yml, with the numbers the site gives them."""
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Page:
    """One page of the book: its stem, source file, chapter number (None if unnumbered) and title."""

    stem: str
    path: Path
    number: int | None
    title: str

    @property
    def is_notebook(self) -> bool:
        """True for a MyST notebook (a jupytext header with a kernelspec)."""
        head = self.path.read_text(encoding="utf-8")[:2000]
        return head.startswith("---") and "kernelspec:" in head


def first_heading(path: Path) -> str:
    """The text of the first level-1 heading of a Markdown file."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise ValueError(f"{path}: no level-1 heading ('# title'); every page of the book needs one")


def pages(root: Path = ROOT) -> list[Page]:
    """Every page listed in _toc.yml (root page first), numbered as the site numbers them.

    Chapters of parts marked `numbered: true` get 1, 2, ... continuing across parts, as
    Jupyter Book numbers them; other pages get None.
    """
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    entries = [(toc["root"], False)]
    for part in toc.get("parts", []):
        entries += [(chapter["file"], bool(part.get("numbered"))) for chapter in part["chapters"]]
    result, count = [], 0
    for file, numbered in entries:
        path = root / f"{file}.md"
        if not path.exists():
            raise FileNotFoundError(f"_toc.yml lists {file!r} but {path} does not exist")
        count += numbered
        result.append(Page(Path(file).name, path, count if numbered else None, first_heading(path)))
    return result
