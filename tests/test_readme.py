"""README.md's list of chapters follows _toc.yml: every page, in the book's order."""
import re

from bookmodel.pages import ROOT, pages


def test_readme_lists_every_page_of_the_toc_in_order():
    expected = [page.stem for page in pages()[1:]]  # every page after the root page
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    chapter_list = readme[readme.index("The chapters, in the order of `_toc.yml`:"):readme.index("## Two commands")]
    listed = [name for name in re.findall(r"`([a-z0-9-]+)`", chapter_list) if (ROOT / "book" / f"{name}.md").is_file()]
    assert listed == expected, f"README.md lists {listed}; _toc.yml has {expected}"
