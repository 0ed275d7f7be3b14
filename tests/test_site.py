"""The built book, page by page, in a real browser: headless Chromium (Debian's) via Playwright.

`make test-site` runs this after `make book`; it tests _build/html, or the directory named by
the environment variable SITE_DIR. The pages are served from 127.0.0.1 by http.server in a
thread; a request to any other host is blocked and fails the test, so a page that would load
something from a CDN (MathJax, fonts, scripts) fails here as it would fail for an offline
reader. Each page is loaded once per kind of reader (desktop, two phones), several pages at a
time in one Chromium, and every check of this file and test_a11y.py looks at that load
(tests/site_visits.py); the tests then assert on what the checks saw. Each page test checks,
for one page:

- no JavaScript or console error, no failed request, no response >= 400, nothing external;
- MathJax (served from the book) typeset every formula: each `.math` element holds an
  mjx-container, no MathJax error, no raw TeX (`$$`, `\\begin`, `$x$`, ...) in the prose;
- every image, SVG and <object> figure loaded, with a non-zero size;
- the sidebar shows the parts of _toc.yml and links to every chapter, numbered in order;
- internal links and anchors resolve (static check of the HTML);
- hidden check cells (remove-cell) do not show, long text outputs scroll in a box;
- exercises have their solutions collapsed in dropdowns that open on a click;
- on chapter pages (notebooks): .md/.ipynb download links that really download (the server
  sends .ipynb as application/json, which a browser would otherwise display); with a repository
  (_config.yml's repository.url or a GitHub `origin`), repository and issue buttons and a Binder
  launch button that opens this chapter's reader notebook in JupyterLab; without one, none of
  them and no repository URL anywhere in the page.

A full-page screenshot of each page goes to _build/screenshots/<page>.png (beside SITE_DIR).
test_search checks that Chinese search (jieba) finds the chapters that use a term.
"""
import functools
import html
import http.server
import json
import os
import re
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest

import launch  # book/_ext/launch.py (on pytest's pythonpath): the repository and launch links the book makes
import site_visits  # tests/site_visits.py: the pages in one browser, loaded once per kind of reader
from bookmodel.pages import ROOT, pages
from bookmodel.settings import config as book_config
from site_visits import check, result

SITE = Path(os.environ.get("SITE_DIR") or ROOT / "_build" / "html").resolve()
SCREENSHOTS = SITE.parent / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
CONFIG = book_config()
REPOSITORY = launch.repository_url(CONFIG["repository"].get("url") or "", ROOT)
PAGES = pages()
NOT_PAGES = {"genindex.html", "search.html", "py-modindex.html"}
SEARCHES = {"交叉熵": "book/softmax-regression", "极大似然": "book/mse-mle", "困惑度": "book/information-theory",
            "猴子补丁": "book/appendix-d2l-api"}

RAW_TEX = re.compile(r"\$\$|\\begin\{|\\end\{|\\[()\[\]]|\\[a-zA-Z]+\{|(?<![\w$])\$[^$\s][^$\n]*\$")
HIDDEN_CELL = "from d2lutil.expected import check"  # the remove-cell check at a chapter's end


# ---------------------------------------------------------------- what the book should contain

def toc_parts() -> list[tuple[str, list[str]]]:
    """(caption, [docname, ...]) for each part of _toc.yml, in order."""
    parts: dict[str, list[str]] = {}
    for page in PAGES[1:]:
        parts.setdefault(page.part, []).append(page.docname)
    return list(parts.items())


def chapter_numbers() -> dict[str, int]:
    """Docname -> chapter number; numbering runs on across numbered parts (multitoc)."""
    return {page.docname: page.number for page in PAGES if page.number is not None}


def notebook_pages() -> set[str]:
    """Pages that must have launch and .ipynb buttons: numbered chapters and every notebook."""
    return set(chapter_numbers()) | {page.docname for page in PAGES if page.is_notebook}


def built_pages() -> list[str]:
    """Every built page (paths relative to SITE), or the expected ones when nothing is built."""
    if not (SITE / "index.html").is_file():
        return ["index.html"] + [f"{f}.html" for _, fs in toc_parts() for f in fs]
    pages = (p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html"))
    return sorted(p for p in pages if not p.startswith("_") and p not in NOT_PAGES)


def launch_url(docname: str) -> str:
    """The Binder link of a chapter: the reader notebook, in the repository the book resolves."""
    repo, launch_cfg = REPOSITORY, CONFIG["launch_buttons"]
    branch = CONFIG["repository"].get("branch", "main")
    ui = {"jupyterlab": "lab/tree", "classic": "tree"}[launch_cfg["notebook_interface"]]
    return launch.binder_url(launch_cfg["binderhub_url"], repo, branch, launch.notebook_path(docname), ui)


# ---------------------------------------------------------------- static reading of the HTML

def article_text(page: str) -> str:
    """The prose of a built page's article: no code, no TeX source, no scripts."""
    text = (SITE / page).read_text(encoding="utf-8")
    match = re.search(r"<article\b.*?</article>", text, re.S)
    text = match[0] if match else ""
    for pattern in (r"<(pre|code|script|style)\b.*?</\1>", r'<(span|div) class="math\b[^"]*">.*?</\1>'):
        text = re.sub(pattern, " ", text, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


@functools.cache
def element_ids(page: str) -> frozenset[str]:
    return frozenset(re.findall(r'\bid="([^"]+)"', (SITE / page).read_text(encoding="utf-8")))


def link_problems(page: str) -> list[str]:
    """Local links, scripts, styles and images that point at nothing; anything loaded from afar."""
    text = (SITE / page).read_text(encoding="utf-8")
    problems = []
    for tag, attr, target in re.findall(r'<(a|link|script|img|source|iframe|object)\b[^>]*?\b(href|src|data)="([^"]*)"', text):
        target = html.unescape(target)
        scheme = urlsplit(target).scheme
        if scheme in ("http", "https") or target.startswith("//"):
            if tag != "a":
                problems.append(f"<{tag} {attr}={target!r}> loads from another site")
            continue
        if scheme or not target:
            continue  # mailto:, javascript:, data:
        parts = urlsplit(target)
        path = unquote(parts.path)
        resolved = (PurePosixPath(page).parent / path).as_posix() if path else page
        resolved = os.path.normpath(resolved)
        file = SITE / resolved
        if file.is_dir():
            file = file / "index.html"
        if not file.is_file():
            problems.append(f"<{tag} {attr}={target!r}>: no file {resolved}")
        elif parts.fragment and file.suffix == ".html" and unquote(parts.fragment) not in element_ids(
                file.relative_to(SITE).as_posix()):
            problems.append(f"<{tag} {attr}={target!r}>: no #{parts.fragment} in {resolved}")
    return problems


# ---------------------------------------------------------------- fixtures: server and browser

class BookHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the book quietly, with the types a typical host sends for notebooks and Markdown."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".ipynb": "application/json", ".md": "text/markdown; charset=utf-8"}

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_report(site, request):
    """Every check that test_site.py and test_a11y.py registered, run on each page loaded once per
    kind of reader, several pages at a time in one Chromium (tests/site_visits.py)."""
    from d2lutil.cpus import available_cpus

    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: run ./scripts/system-packages.sh --browser", pytrace=False)
    return site_visits.visit_site(CHROMIUM, CHROMIUM_ARGS, site, SITE, SCREENSHOTS, parallel=available_cpus() + 1,
                                  wanted=site_visits.selected(request.session.items))


# ---------------------------------------------------------------- the tests

def test_every_chapter_is_built():
    if not (SITE / "index.html").is_file():
        pytest.fail(f"no built book in {SITE}: run `make book` first", pytrace=False)
    missing = [f for _, fs in toc_parts() for f in fs if not (SITE / f"{f}.html").is_file()]
    assert not missing, f"chapters in _toc.yml without a page: {missing}"
    entries = re.findall(r"^@\w+\{", (ROOT / "book" / "references.bib").read_text(encoding="utf-8"), re.M)
    listed = len(re.findall(r'<div class="citation" id="[^"]+" role="listitem"',
                            (SITE / "book" / "bibliography.html").read_text(encoding="utf-8")))
    assert listed == len(entries) > 0, f"the bibliography lists {listed} of the {len(entries)} entries of references.bib"


PAGE_STATE = """() => {
  const article = document.querySelector("article") || document.body;
  const skip = "pre, code, script, style, mjx-container, .highlight, textarea";
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT,
    {acceptNode: (n) => n.parentElement.closest(skip) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  let text = "";
  while (walker.nextNode()) text += walker.currentNode.data;
  const box = (e) => { const r = e.getBoundingClientRect(); return [r.width, r.height]; };
  const shown = (e) => e.getClientRects().length > 0;
  return {
    text,
    math: [...article.querySelectorAll(".math")].map((m) => ({
      tex: m.textContent.slice(0, 80), typeset: !!m.querySelector("mjx-container")})),
    mathjaxErrors: [...document.querySelectorAll("mjx-merror")].map((e) => e.textContent),
    mathjaxScripts: [...document.querySelectorAll("script[src*='mathjax' i]")].map((e) => e.src),
    images: [...document.images].map((i) => ({
      src: i.getAttribute("src"), ok: i.complete && i.naturalWidth > 0 && i.naturalHeight > 0})),
    figures: [...article.querySelectorAll("object, figure svg, .cell_output svg")].filter(shown).map((e) => ({
      what: e.outerHTML.slice(0, 80), size: box(e)})),
    captions: [...document.querySelectorAll("nav.bd-docs-nav .caption-text")].map((e) => e.textContent.trim()),
    sidebar: [...document.querySelectorAll("nav.bd-docs-nav a.reference")].map((a) => ({
      href: a.href, text: a.textContent.trim()})),
    title: (document.querySelector("article h1") || {innerText: ""}).innerText.trim(),
    buttons: [...document.querySelectorAll(".article-header-buttons a")].map((a) => ({
      cls: a.className, href: a.getAttribute("href"), download: a.getAttribute("download"),
      target: a.getAttribute("target")})),
    outputs: [...document.querySelectorAll("div.cell_output pre")].filter(shown).map((p) => ({
      height: p.clientHeight, scroll: p.scrollHeight, font: parseFloat(getComputedStyle(p).fontSize),
      overflow: getComputedStyle(p).overflowY})),
    exercises: document.querySelectorAll("div.exercise").length,
    solutions: [...document.querySelectorAll("div.solution")].map((s) => ({
      id: s.id, dropdown: s.classList.contains("dropdown"), hidden: s.classList.contains("toggle-hidden")})),
    exerciseSection: [...article.querySelectorAll("h2")].some((h) => h.textContent.includes("练习")),
  };
}"""


def check_sidebar(state, visit) -> list[str]:
    problems = []
    captions = [caption for caption, _ in toc_parts()]
    if state["captions"] != captions:
        problems.append(f"sidebar parts {state['captions']}, _toc.yml has {captions}")
    links = {}
    for link in state["sidebar"]:
        links.setdefault(visit.docname(link["href"].split("#")[0]), link["text"])
    numbers = chapter_numbers()
    for _, files in toc_parts():
        for docname in files:
            if docname not in links:
                problems.append(f"sidebar has no link to {docname}")
            elif docname in numbers and not links[docname].startswith(f"{numbers[docname]}. "):
                problems.append(f"sidebar: {docname} is {links[docname]!r}, not chapter {numbers[docname]}")
    if PAGES[0].docname not in links:
        problems.append(f"sidebar has no link to the home page {PAGES[0].docname}")
    return problems


def check_header_buttons(state, docname) -> list[str]:
    problems = []
    buttons = {re.search(r"btn-([\w-]+-button)\b", b["cls"])[1]: b for b in state["buttons"]
               if re.search(r"btn-([\w-]+-button)\b", b["cls"])}
    repo = REPOSITORY
    launch_links = [b["href"] for b in state["buttons"] if "mybinder.org" in (b["href"] or "")]
    if not repo:
        if launch_links or "source-repository-button" in buttons or "source-issues-button" in buttons:
            problems.append("no repository is configured, yet the page has launch or repository buttons")
        page = (SITE / f"{docname}.html").read_text(encoding="utf-8")
        if re.search(r"mybinder\.org/v2/|d2lutil/linear-networks", page):  # a launch link, the old placeholder
            problems.append("no repository is configured, yet the page has a Binder or placeholder URL")
    else:
        if launch_links != [launch_url(docname)]:
            problems.append(f"launch button {launch_links}, expected [{launch_url(docname)}]")
        if buttons.get("source-repository-button", {}).get("href") != repo:
            problems.append(f"no repository button to {repo}")
        if not (buttons.get("source-issues-button", {}).get("href") or "").startswith(f"{repo}/issues/new"):
            problems.append(f"no issue button to {repo}/issues/new")
    stem = docname.split("/")[-1]
    for label, suffix in (("download-source-button", ".md"), ("download-notebook-button", ".ipynb")):
        button = buttons.get(label)
        if not button or not button["href"].endswith(f"_sources/{docname}{suffix}"):
            problems.append(f"no {suffix} download link to _sources/{docname}{suffix}: {button}")
        elif button["download"] != f"{stem}{suffix}" or button["target"]:
            problems.append(f"the {suffix} link would open in the browser, not download: {button}")
    return problems


async def click_download(page, link: str):
    """Open the download menu and click one of its entries; the download it starts.

    A menu that was open may be closing (after the previous entry's click) when it is looked at:
    the entry then never becomes clickable, so a click that does not start within 5 s opens the
    menu again, up to three times.
    """
    from playwright.async_api import TimeoutError as PlaywrightTimeout
    for attempt in range(3):
        if not await page.is_visible(link):
            await page.click(".dropdown-download-buttons > button.dropdown-toggle")
        try:
            async with page.expect_download(timeout=10_000) as info:
                await page.click(link, timeout=5_000)
            return await info.value
        except PlaywrightTimeout:
            if attempt == 2:
                raise


async def check_downloads(visit, docname) -> list[str]:
    """Click the .md and .ipynb entries of the download menu; each must save a file."""
    page, problems = visit.page, []
    stem = docname.split("/")[-1]
    for label, suffix in (("download-source-button", ".md"), ("download-notebook-button", ".ipynb")):
        download = await click_download(page, f"a.btn-{label}")
        text = Path(await download.path()).read_text(encoding="utf-8")
        if download.suggested_filename != f"{stem}{suffix}":
            problems.append(f"{suffix} download is named {download.suggested_filename}")
        if suffix == ".ipynb":
            notebook = json.loads(text)
            if notebook.get("nbformat") != 4 or not notebook.get("cells"):
                problems.append(".ipynb download is not a notebook with cells")
        elif not (text.startswith("---") and "kernelspec:" in text):
            problems.append(".md download is not the MyST notebook source")
    if len(visit.context.pages) != 1:
        problems.append("a download link opened another tab")
    return problems


async def check_exercises(visit, state) -> list[str]:
    problems = []
    if state["exerciseSection"] and not (state["exercises"] and state["solutions"]):
        problems.append(f"练习 has {state['exercises']} exercises and {len(state['solutions'])} solutions")
    for solution in state["solutions"]:
        if not (solution["dropdown"] and solution["hidden"]):
            problems.append(f"solution {solution['id']} is not a collapsed dropdown: {solution}")
    if state["solutions"]:  # the first one opens on a click on its title
        first = visit.page.locator("div.solution").first
        await first.locator(":scope > .admonition-title").click()
        await first.locator(":scope > :not(.admonition-title)").first.wait_for(state="visible", timeout=5_000)
        await first.locator(":scope > .admonition-title").click()  # closed again for the screenshot
    return problems


@check("page", "desktop", order=40, targets=built_pages, tests=("test_page",))
async def look_at_page(visit, page) -> list[str]:
    """The problems of one page: everything but accessibility (test_a11y.py)."""
    docname = visit.docname(visit.page.url)
    state = await visit.page.evaluate(PAGE_STATE)
    problems = list(link_problems(page))

    # MathJax, from the book itself, typeset every formula
    if state["math"] and not visit.mathjax:
        problems.append("the page has formulas but MathJax did not start")
    problems += [f"MathJax not served by the book: {src}" for src in state["mathjaxScripts"]
                 if not src.startswith(urljoin(visit.base, "_static/mathjax/"))]
    problems += [f"formula not typeset: {m['tex']!r}" for m in state["math"] if not m["typeset"]]
    problems += [f"MathJax error: {e}" for e in state["mathjaxErrors"]]
    problems += [f"raw TeX in the text: {state['text'][max(0, m.start() - 30):m.end() + 30]!r}"
                 for m in RAW_TEX.finditer(state["text"])]

    # figures
    problems += [f"image not loaded: {i['src']}" for i in state["images"] if not i["ok"]]
    problems += [f"empty figure: {f['what']}" for f in state["figures"] if not all(f["size"])]

    # navigation and numbering
    problems += check_sidebar(state, visit)
    if docname in chapter_numbers() and not state["title"].startswith(f"{chapter_numbers()[docname]}. "):
        problems.append(f"title {state['title']!r} lacks its chapter number {chapter_numbers()[docname]}")

    # hidden machinery stays hidden, long outputs scroll
    if HIDDEN_CELL in (SITE / page).read_text(encoding="utf-8"):
        problems.append("the hidden check cell (remove-cell) shows on the page")
    for out in state["outputs"]:
        if out["height"] > 25 * out["font"] or (out["scroll"] > out["height"] + 1 and out["overflow"] not in ("auto", "scroll")):
            problems.append(f"a long output is not in a scroll box: {out}")

    problems += await check_exercises(visit, state)
    if docname in notebook_pages():
        problems += check_header_buttons(state, docname)
    await visit.screenshot(re.sub(r"\.html$", "", page))
    problems += [f"request to another site (blocked): {url}" for url in visit.external]
    errors_before_downloads = list(visit.problems)
    if docname in notebook_pages():
        problems += await check_downloads(visit, docname)
    return problems + errors_before_downloads


@pytest.mark.parametrize("page", built_pages())
def test_page(page, site_report):
    problems = result(site_report, "desktop", page, "page")
    assert not problems, f"{page}:\n  " + "\n  ".join(dict.fromkeys(problems))


@check("search", "desktop", order=10, targets=lambda: [f"?search-{q}" for q in SEARCHES], tests=("test_search",))
async def search(visit, target) -> tuple[set, list[str]]:
    """The pages a search lists, and the problems of the search page."""
    query = target.removeprefix("?search-")
    await visit.open(f"search.html?q={quote(query)}")
    await visit.page.wait_for_function("""() => {
        const status = document.querySelector("#search-results p.search-summary");
        return status && status.innerText.trim().length > 0;
    }""", timeout=30_000)
    found = {visit.docname(href.split("?")[0]) for href in await visit.page.eval_on_selector_all(
        "#search-results ul.search > li > a", "links => links.map(a => a.href)")}
    await visit.screenshot(f"search-{query}")
    return found, visit.problems + [f"request to another site (blocked): {url}" for url in visit.external]


@pytest.mark.parametrize("query", list(SEARCHES))
def test_search(query, site_report):
    """search.html?q=<term> lists every chapter whose prose uses the term."""
    expected = {f for _, fs in toc_parts() for f in fs if query in article_text(f"{f}.html")}
    assert SEARCHES[query] in expected, f"{SEARCHES[query]} does not use {query}: pick another search term"
    found, problems = result(site_report, "desktop", f"?search-{query}", "search")
    assert expected <= found, f"search for {query} missed {sorted(expected - found)} (found {sorted(found)})"
    assert not problems, "\n".join(problems)
