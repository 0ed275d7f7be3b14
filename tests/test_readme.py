"""README.md's list of chapters follows _toc.yml: every page, in the book's order."""
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_readme_lists_every_page_of_the_toc_in_order():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = [chapter["file"].removeprefix("book/") for part in toc["parts"] for chapter in part["chapters"]]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    chapter_list = readme[readme.index("The chapters, in the order of `_toc.yml`:"):readme.index("## Two commands")]
    listed = [name for name in re.findall(r"`([a-z0-9-]+)`", chapter_list) if (ROOT / "book" / f"{name}.md").is_file()]
    assert listed == pages, f"README.md lists {listed}; _toc.yml has {pages}"
