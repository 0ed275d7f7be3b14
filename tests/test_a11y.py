"""The built book for every reader, in the same headless Chromium as tests/test_site.py.

`make test-site` runs this after `make book` (SITE_DIR as in test_site.py). For every page:

- axe-core (pinned in package.json, installed by `npm ci` from package-lock.json) finds no
  serious or critical violation;
- every image has real alt text: not empty, not a file name or path (myst-nb's default), and
  every figure drawn by code has a numbered caption;
- no formula is a Tab stop (MathJax keeps its assistive MathML, out of the tab order);
- on phones 390 and 320 px wide nothing makes the page wider than the screen;
- Tab walks every stop of the page and each one shows a focus ring (outline or box-shadow);
- printed (print media), code lines wrap instead of running off the page.

Also: the site follows the system's dark mode, the root index.html is a proper HTML page, and
search-result snippets show no raw TeX. Phone and print screenshots go to
_build/screenshots/{phone-390,phone-320,print}/<page>.png, beside SITE_DIR.
"""
import re
from urllib.parse import quote

import pytest

from site_visits import check, result
from test_site import RAW_TEX, ROOT, SITE, built_pages, site_report  # noqa: F401  (site_report: the fixture)

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGES = built_pages()
PHONES = (390, 320)
MAX_TAB_STOPS = 800
SNIPPET_SEARCHES = ["维度", "梯度"]
# Multi-panel figures (2 or more columns of panels): each comes in a narrow layout for phones,
# panels stacked (d2lutil/narrowfig.py, book/_ext/narrow_figures.py). How many per page:
NARROW_FIGURES = {
    "book/appendix-d2l-compat.html": 1,        # predict_ch3: a row of 6 images
    "book/fashion-mnist.html": 1,              # the 2 x 9 image grid
    "book/linear-regression.html": 2,          # 1 x 2 and 1 x 3 panels
    "book/linear-regression-scratch.html": 1,  # 1 x 2
    "book/loss-functions.html": 2,             # two rows of 3 panels
    "book/mse-mle.html": 1,                    # 1 x 2
    "book/softmax-regression.html": 2,         # two 1 x 2
    "book/softmax-regression-scratch.html": 4, # 1 x 2, the 2 x 5 templates, two rows of 6 images
}
NARROW_SCALE = 0.9  # on a phone the narrow layout is drawn at least this big: no panning
FILE_LIKE = re.compile(r"(^|[/\\])[\w.-]+\.(png|jpe?g|gif|svg|webp|pdf)$|^[0-9a-f]{16,}|^\S*/\S*$", re.I)


def axe_source() -> str:
    """The text of axe.min.js, from node_modules (npm ci)."""
    if not AXE.is_file():
        raise FileNotFoundError(f"{AXE} is missing: run `npm ci` in {ROOT} (make test-site does)")
    return AXE.read_text(encoding="utf-8")


# ---------------------------------------------------------------- in-page checks (JavaScript)

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html.slice(0, 160),
                                summary: (n.failureSummary || "").slice(0, 200)}))}));
}"""

IMAGES_AND_FORMULAS = """() => ({
  images: [...document.querySelectorAll("img")].map((i) => ({
    src: i.getAttribute("src"), alt: i.getAttribute("alt"), decorative: i.getAttribute("role") === "presentation"})),
  uncaptioned: [...document.querySelectorAll("article .cell_output img")]
    .filter((i) => !(i.closest("figure") && i.closest("figure").querySelector("figcaption .caption-number")))
    .map((i) => i.getAttribute("src")),
  formulaStops: [...document.querySelectorAll("mjx-container, mjx-container *")]
    .filter((e) => e.tabIndex >= 0).map((e) => e.closest("mjx-container").textContent.slice(0, 40)),
  assistive: document.querySelectorAll("mjx-container").length
    - document.querySelectorAll("mjx-container mjx-assistive-mml math").length,
})"""

OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const clips = (e) => ["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(e).overflowX);
  const culprits = [];
  for (const e of document.body.querySelectorAll("*")) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.right <= width + 1) continue;
    let p = e.parentElement, inside = false;
    while (p && p !== document.body) { if (clips(p)) { inside = true; break; } p = p.parentElement; }
    if (!inside) culprits.push(`${e.tagName.toLowerCase()}.${[...e.classList].join(".")} right=${Math.round(r.right)}`);
  }
  return {width, scrollWidth: document.documentElement.scrollWidth, culprits: culprits.slice(-5)};
}"""

FOCUS_STATE = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e), r = e.getBoundingClientRect();
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0
    && !/rgba\\(\\d+, \\d+, \\d+, 0\\)|transparent/.test(s.outlineColor);
  const shadow = s.boxShadow !== "none" && !/^rgba\\(\\d+, \\d+, \\d+, 0\\)/.test(s.boxShadow);
  const name = (e.getAttribute("aria-label") || e.textContent || e.getAttribute("href") || "").trim();
  const again = e.hasAttribute("data-tab-seen");  // back at a stop already visited: the walk is done
  e.setAttribute("data-tab-seen", "");
  return {again, what: `<${e.tagName.toLowerCase()} class="${e.className}"> ${name.slice(0, 40)}`,
          ring: outline || shadow, size: r.width * r.height};
}"""

PICTURES = """() => [...document.querySelectorAll("article picture")].map((p) => {
  const img = p.querySelector("img"), source = p.querySelector("source");
  const box = img.closest("figure");
  return {
    alt: img.alt.slice(0, 24),
    narrow: img.currentSrc === new URL(source.getAttribute("srcset"), document.baseURI).href,
    wide: img.currentSrc === img.src,
    scale: img.getBoundingClientRect().width / img.naturalWidth,
    pans: box.scrollWidth > box.clientWidth + 1,
    numbered: Boolean(box.querySelector("figcaption .caption-number")),
  };
})"""

PRINT_CODE = """() => [...document.querySelectorAll("article pre")]
  .filter((p) => p.getClientRects().length && p.scrollWidth > p.clientWidth + 1)
  .map((p) => p.textContent.split("\\n").sort((a, b) => b.length - a.length)[0].slice(0, 60))"""


def file_like_alt(alt: str | None) -> bool:
    """True for a missing or empty alt text, or one that is a file name, path or hash."""
    return not (alt or "").strip() or bool(FILE_LIKE.search(alt.strip()))


# ---------------------------------------------------------------- the tests

def test_file_like_alt():
    """The alt-text rule rejects what myst-nb writes by default and accepts a sentence."""
    assert file_like_alt("../_images/3f5a0c9e8b7d6a1f2e4c5b6a7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a.svg")
    assert file_like_alt("figures/net.svg") and file_like_alt("") and file_like_alt(None)
    assert not file_like_alt("左图：20 个样本和直线 ŷ = x + 2；右图：平方损失是误差平方的 1/2。")


# ---------------------------------------------------------------- what a visit of each page looks at

@check("axe", "desktop", order=10, targets=lambda: PAGES, tests=("test_axe",))
async def run_axe(visit, page) -> list[dict]:
    """axe-core's violations on the page as loaded."""
    await visit.page.add_script_tag(content=axe_source())
    return await visit.page.evaluate(AXE_RUN)


@check("images-and-formulas", "desktop", order=15, targets=lambda: PAGES, tests=("test_images_and_formulas",))
async def images_and_formulas(visit, page) -> dict:
    return await visit.page.evaluate(IMAGES_AND_FORMULAS)


@check("wide-figures", "desktop", order=20, targets=lambda: sorted(NARROW_FIGURES),
       tests=("test_multi_panel_figures_are_wide_on_a_desktop_and_in_print",))
async def wide_figures(visit, page) -> tuple[list, list]:
    """The multi-panel figures on the screen and in print (the print emulation is undone)."""
    screen = await visit.page.evaluate(PICTURES)
    await visit.page.emulate_media(media="print")
    printed = await visit.page.evaluate(PICTURES)
    await visit.page.emulate_media(media="screen")
    return screen, printed


@check("focus", "desktop", order=30, targets=lambda: PAGES, tests=("test_focus_is_visible",))
async def focus_walk(visit, page) -> tuple[int, list[str]]:
    """Tab through the whole page: (stops, problems); focus and scroll are reset afterwards."""
    stops, problems = 0, []
    for _ in range(MAX_TAB_STOPS):
        await visit.page.keyboard.press("Tab")
        state = await visit.page.evaluate(FOCUS_STATE)
        if state is None or state["again"]:
            break
        stops += 1
        if not state["ring"] or not state["size"]:
            problems.append(("no focus ring: " if state["size"] else "invisible: ") + state["what"])
    else:
        problems.append(f"more than {MAX_TAB_STOPS} Tab stops")
    await visit.page.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }")
    return stops, problems


@check("print", "desktop", order=50, targets=lambda: PAGES, tests=("test_print",))
async def print_code(visit, page) -> list[str]:
    """Print media at about an A4 text width: the code lines that run off the page (the last look)."""
    await visit.page.set_viewport_size({"width": 700, "height": 1000})
    await visit.page.emulate_media(media="print")
    clipped = await visit.page.evaluate(PRINT_CODE)
    await visit.screenshot(f"print/{page.removesuffix('.html')}")
    return clipped


def phone_check(width: int):
    """The look at a page on a phone `width` px wide."""
    @check(f"phone-{width}", f"phone-{width}", order=10, targets=lambda: PAGES, tests=("test_phone_width",))
    async def on_phone(visit, page) -> tuple[dict, list]:
        state = await visit.page.evaluate(OVERFLOW)
        pictures = await visit.page.evaluate(PICTURES)
        await visit.screenshot(f"phone-{width}/{page.removesuffix('.html')}")
        return state, pictures
    return on_phone


for _width in PHONES:
    phone_check(_width)


@check("dark", "dark", order=10, targets=lambda: ["book/index.html"], tests=("test_dark_mode_follows_the_system",))
async def dark_mode(visit, page) -> tuple[list, list[str]]:
    theme = await visit.page.evaluate(
        "() => [document.documentElement.dataset.theme, document.documentElement.dataset.mode]")
    await visit.screenshot("dark/index")
    return theme, visit.problems


@check("snippets", "desktop", order=10, targets=lambda: [f"?snippets-{q}" for q in SNIPPET_SEARCHES],
       tests=("test_search_snippets_have_no_tex",))
async def search_snippets(visit, target) -> list[str]:
    query = target.removeprefix("?snippets-")
    await visit.open(f"search.html?q={quote(query)}")
    await visit.page.wait_for_function("""() => {
        const status = document.querySelector("#search-results p.search-summary");
        return status && status.innerText.trim().length > 0
          && document.querySelectorAll("#search-results li p.context").length > 0;
    }""", timeout=30_000)
    await visit.page.wait_for_timeout(1500)  # snippets arrive one page fetch at a time
    return await visit.page.eval_on_selector_all("#search-results li p.context", "ps => ps.map(p => p.textContent)")


# ---------------------------------------------------------------- the tests

@pytest.mark.parametrize("page", PAGES)
def test_axe(page, site_report):
    violations = result(site_report, "desktop", page, "axe")
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    report = [f"{v['impact']} {v['id']} ({v['help']}), {len(v['nodes'])} nodes: "
              + "; ".join(f"{n['target']} {n['html']}" for n in v["nodes"][:4]) for v in serious]
    assert not report, f"{page}: axe-core\n  " + "\n  ".join(report)


@pytest.mark.parametrize("page", PAGES)
def test_images_and_formulas(page, site_report):
    state = result(site_report, "desktop", page, "images-and-formulas")
    problems = [f"image {i['src']} has alt text {i['alt']!r}" for i in state["images"]
                if not i["decorative"] and file_like_alt(i["alt"])]
    if state["uncaptioned"]:
        problems.append(f"figures from code without a numbered caption: {state['uncaptioned']}")
    problems += [f"formula in the tab order: {text!r}" for text in dict.fromkeys(state["formulaStops"])]
    if state["assistive"]:
        problems.append(f"{state['assistive']} formulas without assistive MathML")
    assert not problems, f"{page}:\n  " + "\n  ".join(problems[:20])


@pytest.mark.parametrize("width", PHONES)
@pytest.mark.parametrize("page", PAGES)
def test_phone_width(page, width, site_report):
    state, pictures = result(site_report, f"phone-{width}", page, f"phone-{width}")
    assert state["scrollWidth"] <= state["width"], (
        f"{page} at {width} px is {state['scrollWidth']} px wide; widest: {state['culprits']}")
    assert len(pictures) == NARROW_FIGURES.get(page, 0), f"{page}: multi-panel figures {pictures}"
    bad = [p for p in pictures if not p["narrow"] or p["scale"] < NARROW_SCALE or p["pans"] or not p["numbered"]]
    assert not bad, f"{page} at {width} px: multi-panel figures not in their narrow layout at >= {NARROW_SCALE}x: {bad}"


@pytest.mark.parametrize("page", sorted(NARROW_FIGURES))
def test_multi_panel_figures_are_wide_on_a_desktop_and_in_print(page, site_report):
    """At 1280 px, and printed, a multi-panel figure is the one drawn (panels side by side)."""
    screen, printed = result(site_report, "desktop", page, "wide-figures")
    assert len(screen) == NARROW_FIGURES[page]
    assert all(p["wide"] and p["numbered"] for p in screen + printed), f"{page}: {screen} / printed {printed}"


@pytest.mark.parametrize("page", PAGES)
def test_focus_is_visible(page, site_report):
    """Tab through the whole page: every stop shows a focus ring."""
    stops, problems = result(site_report, "desktop", page, "focus")
    assert not problems, f"{page} ({stops} stops):\n  " + "\n  ".join(dict.fromkeys(problems))


@pytest.mark.parametrize("page", PAGES)
def test_print(page, site_report):
    """Print media: code wraps inside the page (A4 text width at 96 dpi is about 700 px)."""
    clipped = result(site_report, "desktop", page, "print")
    assert not clipped, f"{page}: printed code runs off the page: {clipped[:5]}"


def test_dark_mode_follows_the_system(site_report):
    theme, problems = result(site_report, "dark", "book/index.html", "dark")
    assert theme[0] == "dark", f"a reader whose system is dark gets data-theme={theme[0]!r} (mode {theme[1]!r})"
    assert not problems, "\n".join(problems)


def test_root_redirect_is_a_page():
    text = (SITE / "index.html").read_text(encoding="utf-8")
    assert text.lstrip().lower().startswith("<!doctype html>"), "root index.html has no doctype"
    assert re.search(r'<html[^>]*\blang="zh-CN"', text), "root index.html has no lang"
    assert re.search(r"<title>[^<]+</title>", text), "root index.html has no title"
    assert re.search(r'href="book/index.html"', text), "root index.html has no link for readers without redirects"


@pytest.mark.parametrize("query", SNIPPET_SEARCHES)
def test_search_snippets_have_no_tex(query, site_report):
    snippets = result(site_report, "desktop", f"?snippets-{query}", "snippets")
    raw = [s for s in snippets if RAW_TEX.search(s)]
    assert snippets and not raw, f"search {query}: snippets with raw TeX: {raw[:3]}"
