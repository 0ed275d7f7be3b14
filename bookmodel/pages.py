"""The pages of the book in the order of _toc.yml, with the parts and numbers the site gives them."""
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent  # the repository: _config.yml, _toc.yml, book/


@dataclass(frozen=True)
class Page:
    """One page of the book: where it is, its part, its chapter number (None if unnumbered) and title."""

    docname: str  # as _toc.yml names it: "book/linear-regression"
    path: Path
    part: str | None  # the caption of its part in _toc.yml; None for the root page
    number: int | None
    title: str

    @property
    def stem(self) -> str:
        """The file name without .md: "linear-regression"."""
        return self.path.stem

    @property
    def is_notebook(self) -> bool:
        """True for a chapter with code: a MyST notebook (see is_notebook)."""
        return is_notebook(self.path)


def is_notebook(path: Path) -> bool:
    """True for a MyST Markdown notebook: a .md file whose front matter has a kernelspec."""
    if Path(path).suffix != ".md" or not Path(path).is_file():
        return False
    head = Path(path).read_text(encoding="utf-8")[:3000]
    if not head.startswith("---"):
        return False
    end = head.find("\n---", 3)
    return "kernelspec:" in head[:end if end >= 0 else None]


def first_heading(path: Path) -> str:
    """The text of the first level-1 heading of a Markdown file."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise ValueError(f"{path}: no level-1 heading ('# title'); every page of the book needs one")


def read_toc(root: Path = ROOT) -> dict:
    """_toc.yml as data."""
    return yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))


def pages(root: Path = ROOT) -> list[Page]:
    """Every page listed in _toc.yml (root page first), numbered as the site numbers them.

    Chapters of parts marked `numbered: true` get 1, 2, ... continuing across parts, as
    Jupyter Book numbers them; other pages get None.
    """
    toc = read_toc(root)
    entries = [(toc["root"], None, False)]
    for part in toc.get("parts", []):
        entries += [(c["file"], part.get("caption", ""), bool(part.get("numbered"))) for c in part["chapters"]]
    result, count = [], 0
    for docname, part, numbered in entries:
        path = root / f"{docname}.md"
        if not path.exists():
            raise FileNotFoundError(f"_toc.yml lists {docname!r} but {path} does not exist")
        count += numbered
        result.append(Page(docname, path, part, count if numbered else None, first_heading(path)))
    return result


def chapters(root: Path = ROOT) -> list[Page]:
    """The pages that are notebooks (chapters with code), in reading order."""
    return [page for page in pages(root) if page.is_notebook]
