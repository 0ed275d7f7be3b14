"""The book as a PDF (`make test-pdf`, after `make pdf` and `make book`), read with poppler.

Checks _build/pdf/<name>.pdf: every chapter in order under its Chinese heading, the terms the
book teaches, the exercises with their solutions, the bibliography and the status page; an
embedded CJK font and a maths font; every figure of the HTML site typeset (XeLaTeX's log
names each figure file) and at least as many images as the site has figures; no glyph
missing; the site linking a copy of the PDF; the execution status page (site and PDF) showing
the runs recorded in the execution cache. Page 1 and a page with a figure are rendered to
_build/pdf/pages/*.png with pdftoppm for a look.
"""
import html
import re
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from bookmodel.cache import open_cache
from bookmodel import pages as book
from bookmodel.pages import ROOT
from bookmodel.settings import config as book_config

BUILD = ROOT / "_build"
CONFIG = book_config()
CHAPTERS = book.pages()[1:]  # every page after the root page, in reading order
NAME = Path(CONFIG["latex"]["latex_documents"]["targetname"]).stem
PDF = BUILD / "pdf" / f"{NAME}.pdf"
LOG = BUILD / "latex" / f"{NAME}.log"
PAGES = BUILD / "pdf" / "pages"
TERMS = ("交叉熵", "极大似然", "小批量随机梯度下降", "独热编码", "Fashion-MNIST", "猴子补丁")
NUMERALS = "零一二三四五六七八九十"


def poppler(tool: str, *args: str) -> str:
    """Run a poppler-utils tool on the PDF; its standard output."""
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} not found: install poppler-utils (scripts/system-packages.sh --pdf)")
    result = subprocess.run([tool, *args], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{tool} {' '.join(args)}: {result.stderr}"
    return result.stdout


@pytest.fixture(scope="module", autouse=True)
def pdf_exists():
    """Fail every test with the way out when there is no PDF."""
    if not PDF.is_file():
        pytest.fail(f"no {PDF.relative_to(ROOT)}: run `make pdf` first")


@pytest.fixture(scope="module")
def text() -> str:
    """The PDF's text with all white space removed (CJK lines break anywhere)."""
    return re.sub(r"\s+", "", poppler("pdftotext", str(PDF), "-"))


def squeeze(s: str) -> str:
    """`s` without white space and Markdown code marks, as pdftotext shows a heading."""
    return re.sub(r"\s+", "", s.replace("`", ""))


def chinese_number(n: int) -> str:
    """1..99 in Chinese numerals, as ctex numbers chapters (第十二章)."""
    tens, ones = divmod(n, 10)
    return (("" if tens < 2 else NUMERALS[tens]) + ("十" if tens else "") + (NUMERALS[ones] if ones else "")
            ) if n >= 10 else NUMERALS[n]


def html_figures() -> list[str]:
    """File names of the figures in the HTML chapters (cell outputs and book/figures)."""
    pages = sorted((BUILD / "html" / "book").glob("*.html"))
    assert pages, "no _build/html/book/*.html: run `make book` first"
    return [m for page in pages for m in re.findall(r'<img[^>]+src="\.\./_images/([^"]+)"', page.read_text("utf-8"))]


def test_chinese_number():
    assert [chinese_number(n) for n in (1, 9, 10, 11, 20, 23)] == ["一", "九", "十", "十一", "二十", "二十三"]


def test_every_chapter_in_order_with_its_number(text):
    headings = [(f"第{chinese_number(p.number)}章" if p.number else "") + squeeze(p.title) for p in CHAPTERS]
    contents = text.index("目录")
    body = text.index(headings[1], text.index(headings[1], contents) + 1)  # past the contents' entry
    position = text.rindex(headings[0], 0, body)  # the first chapter, just before the second one
    for heading in headings:
        found = text.find(heading, position)
        assert found >= 0, f"{heading!r} is not in the PDF after the chapters before it"
        position = found + len(heading)


@pytest.mark.parametrize("term", TERMS)
def test_terms_of_the_book(text, term):
    assert squeeze(term) in text


def test_exercises_come_with_their_solutions(text):
    solutions = sum(len(re.findall(r"^(`{3,}|:{3,})\{solution(-start)?\}", p.read_text("utf-8"), re.M))
                    for p in (ROOT / "book").glob("*.md"))
    assert solutions > 0
    assert text.count("解答练习") == solutions, "every solution printed (not collapsed as on the site)"


def test_bibliography_and_status_page(text):
    bib = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    years = re.findall(r"year\s*=\s*[{\"]?(\d{4})", bib)
    assert years and text.count("参考文献") >= 2  # the appendix chapter and the list itself
    for year in years:
        assert year in text
    for word in ("执行状态", "峰值内存", "torch", "jupyter-book"):
        assert word in text


def test_maths_is_typeset_not_raw(text):
    assert not re.search(r"\\(frac|mathbf|sum|begin)\b|\$\$", text), "raw TeX in the PDF"
    assert "∑" in text or "Σ" in text


def test_fonts_are_embedded_cjk_and_maths():
    rows = poppler("pdffonts", str(PDF)).splitlines()[2:]
    assert rows
    assert all(row.split()[-5] == "yes" for row in rows), "every font embedded"
    assert any("CJK" in row.split()[0] for row in rows), "an embedded CJK font (Noto CJK)"
    assert any("Math" in row.split()[0] for row in rows), "a maths font (unicode-math)"


def test_chinese_is_set_in_the_simplified_chinese_faces():
    """The CJK fonts are Noto CJK's SC faces (JP, KR, TC, HK shape common characters differently)."""
    names = [row.split()[0].split("+")[-1] for row in poppler("pdffonts", str(PDF)).splitlines()[2:]]
    cjk = sorted({n for n in names if "CJK" in n})
    assert {n.split("-Identity")[0] for n in cjk} >= {"NotoSerifCJKsc-Regular", "NotoSansCJKsc-Regular"}, cjk
    others = [n for n in cjk if not re.search(r"CJKsc-", n)]
    assert not others, f"CJK fonts of other regions embedded: {others}"


def test_no_glyph_missing():
    log = LOG.read_text(encoding="utf-8", errors="replace")
    assert "Missing character" not in log


def test_every_html_figure_is_typeset():
    log = LOG.read_text(encoding="utf-8", errors="replace")
    figures = html_figures()
    assert len(figures) >= 10
    for figure in figures:
        assert f"{Path(figure).stem}.pdf" in log, f"{figure} (in the HTML) was not included in the PDF"


def test_images_at_least_as_many_as_html_figures():
    images = [line for line in poppler("pdfimages", "-list", str(PDF)).splitlines()[2:] if line.strip()]
    forms = len(re.findall(rb"/Subtype\s*/Form", PDF.read_bytes()))  # vector figures (SVG -> PDF)
    assert len(images) >= len(html_figures())
    assert forms >= len(html_figures()) - len(images) and forms >= 1


def test_site_links_a_copy_of_the_pdf():
    copy = BUILD / "html" / PDF.name
    assert copy.is_file() and copy.read_bytes() == PDF.read_bytes(), "make book after make pdf copies it"
    page = (BUILD / "html" / "book" / "mse-mle.html").read_text(encoding="utf-8")
    assert f'href="../{PDF.name}"' in page


def render(page: int) -> Path:
    """Page `page` (1-based) as a PNG at 60 dpi in _build/pdf/pages."""
    PAGES.mkdir(parents=True, exist_ok=True)
    prefix = PAGES / f"page-{page}"
    poppler("pdftoppm", "-r", "60", "-png", "-singlefile", "-f", str(page), "-l", str(page), str(PDF), str(prefix))
    return prefix.with_suffix(".png")


def test_render_title_page_and_a_figure_page():
    title_page = Image.open(render(1)).convert("L")
    top = title_page.crop((0, 0, title_page.width, title_page.height // 3))
    assert ImageStat.Stat(top).extrema[0][0] < 80, "the title page shows the title"
    first_image_page = int(poppler("pdfimages", "-list", str(PDF)).splitlines()[2].split()[0])
    figure = Image.open(render(first_image_page)).convert("L")
    assert ImageStat.Stat(figure).stddev[0] > 20, "the figure page is not blank"


def status_rows() -> dict[str, list[str]]:
    """{chapter title: [cell texts]} of the site's execution status table."""
    page = (BUILD / "html" / "book" / "execution-status.html").read_text(encoding="utf-8")
    table = page[page.index('<table class="d2l-exec-status'):page.index("</table>")]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]:
        cells = [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", c))).strip()
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows[cells[0]] = cells
    return rows


def test_status_page_shows_the_runs_in_the_execution_cache(text):
    records = {Path(r.uri).resolve(): r for r in open_cache(BUILD / ".jupyter_cache").list_cache_records()}
    rows = status_rows()
    notebooks = [p for p in CHAPTERS if p.path.resolve() in records]
    assert len(notebooks) >= 9 and len(rows) == len(notebooks)
    for page in notebooks:
        docname, record = page.docname, records[page.path.resolve()]
        when = datetime.fromtimestamp(record.created.timestamp(), timezone.utc).strftime("%Y-%m-%d %H:%M")
        _, shown_when, runtime, _, peak, status = rows[page.title]
        assert shown_when == when, f"{docname}: the status page says {shown_when}, the cache {when}"
        assert float(runtime) == pytest.approx(record.data["execution_seconds"], abs=0.06)
        assert 50 < float(peak) < 5000 and status == "成功"
        assert squeeze(f"{when}{runtime}") in text, f"{docname}: the PDF's status page differs"
