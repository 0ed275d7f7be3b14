"""README.md's list of chapters follows _toc.yml: every page, in the book's order."""
import re
import subprocess
from pathlib import Path

from bookmodel.pages import ROOT, pages


def test_readme_lists_every_page_of_the_toc_in_order():
    expected = [page.stem for page in pages()[1:]]  # every page after the root page
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    chapter_list = readme[readme.index("The chapters, in the order of `_toc.yml`:"):readme.index("## Two commands")]
    listed = [name for name in re.findall(r"`([a-z0-9-]+)`", chapter_list) if (ROOT / "book" / f"{name}.md").is_file()]
    assert listed == expected, f"README.md lists {listed}; _toc.yml has {expected}"


def layout_section() -> str:
    """README.md's "Layout" section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Layout")
    return readme[start:readme.index("\n## ", start + 1)]


def tracked_files() -> list[str]:
    """The repository's files, as git knows them (nothing generated, nothing ignored)."""
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_layout_names_every_folder_and_module():
    """A newcomer's map: every folder and every module (book/_ext, bookmodel, scripts,
    benchmarks, d2lutil) has its line in README's Layout."""
    text, files = layout_section(), tracked_files()
    folders = {f.split("/")[0] + "/" for f in files if "/" in f and not f.startswith(".")}
    folders |= {"/".join(f.split("/")[:2]) + "/" for f in files if f.startswith(("book/", "bookmodel/")) and f.count("/") >= 2}
    modules = {f.rsplit("/", 1)[1] for f in files if f.startswith(("book/_ext/", "bookmodel/", "scripts/", "benchmarks/"))
               and f.endswith((".py", ".sh")) and f.count("/") == 1 + f.startswith("book/_ext/")
               and not f.endswith("__init__.py")}
    package = [Path(f).stem for f in files if f.startswith("d2lutil/") and f.endswith(".py") and not f.endswith("__init__.py")]
    missing = sorted(f for f in folders if f not in text and f"  {f.split('/')[-2]}/" not in text)
    missing += sorted(m for m in modules if not re.search(rf"(?<![\w-]){re.escape(m)}\b", text))
    missing += sorted(m for m in package if not re.search(rf"^{m}\s", text, re.M))
    assert not missing, f"README.md's Layout does not name: {missing}"
