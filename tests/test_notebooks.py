"""The notebook path in a real browser: Binder's set-up, JupyterLab, the launch URL, Run All.

`make test-notebooks` runs this after `make book`, as a reader who clicks a chapter's launch
button meets it: binder/postBuild in a clean HOME (JupyterLab settings and the reader
notebooks), JupyterLab from .venv started through binder/start on 127.0.0.1, and headless
Chromium (Debian's) opening the URL the launch button opens, lab/tree/notebooks/<chapter>.ipynb.
For one chapter of each part it checks:

- the chapter opens as a notebook, not in the text editor, and is not marked changed; after
  JupyterLab's autosave interval (shortened here to AUTOSAVE seconds: what is tested is that
  nothing is changed, whatever the interval) neither book/<chapter>.md nor the notebook has
  changed by one byte;
- the rendered Markdown has no raw MyST (`{glue`, `{ref}`, `{eq}`, `{cite`, `:label:`,
  `(sec-`, `{exercise}`, `{solution}`, ...), the glued numbers of the site are there, every
  solution is collapsed (a closed <details>, or for a solution with code cells a collapsed
  heading that hides them), `hide-input` code is collapsed, and the hidden check cell
  (`remove-cell`) is absent;
- after "Clear Outputs of All Cells" and "Run All Cells" from the menus, every code cell has run,
  no output is an error, and the run drew at least as many figures as the book build did.

Other tests: README.md opens as Markdown (no kernel dialog), the file browser hides
d2lutil.egg-info, no news pop-up covers the chapter, and every reader notebook numbers its
equations, figures and exercises as the built page does. Run times go to the terminal (-s).
"""
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from myst_nb.core.variables import format_plain_text


ROOT = Path(__file__).resolve().parents[1]
import launch  # book/_ext/launch.py (on pytest's pythonpath): where the launch buttons point
from bookmodel import pages as book
from bookmodel.cache import current_run, open_cache
from bookmodel.glue import glued_text
from bookmodel.readernb.notebook import read_page
from bookmodel.settings import config as book_config

CHAPTERS = ["book/linear-regression-scratch", "book/softmax-regression-scratch"]  # one per part
CONFIG = book_config()
UI = {"jupyterlab": "lab/tree", "classic": "tree"}[CONFIG["launch_buttons"]["notebook_interface"]]
AUTOSAVE = 5  # seconds
RUN_TIMEOUT = 900  # seconds for Run All of one chapter
RAW_MYST = ["{glue", "{ref}", "{eq}", "{cite", "{doc}", "{numref}", "{term}", ":label:", "(sec-",
            "(eq-", "{exercise}", "{solution}", "{figure}", ":class: dropdown", "```"]
HIDDEN_CELL = "from d2lutil.expected import check"
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def sha(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab as Binder runs it: postBuild in a clean HOME, then binder/start ... jupyter lab."""
    home = tmp_path_factory.mktemp("home")
    venv_bin = Path(sys.executable).parent
    env = {**os.environ, "HOME": str(home), "PATH": f"{venv_bin}:{os.environ['PATH']}"}
    subprocess.run(["bash", "binder/postBuild"], cwd=ROOT, env=env, check=True, timeout=1800)
    settings = home / ".jupyter/lab/user-settings/@jupyterlab/docmanager-extension/plugin.jupyterlab-settings"
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps({"autosaveInterval": AUTOSAVE}))
    port = free_port()
    log = open(home / "jupyterlab.log", "w")
    server = subprocess.Popen(
        [str(ROOT / "binder/start"), "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         "--ServerApp.token=", "--ServerApp.password=", "--allow-root", f"--ServerApp.root_dir={ROOT}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{base}/api/status", timeout=2)
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited: see {log.name}", pytrace=False)
            time.sleep(1)
    yield base
    server.terminate()
    server.wait(timeout=30)
    log.close()


def open_page(browser, lab: str, path: str):
    """A new browser tab on the launch URL of `path`, with JavaScript errors in page.errors.

    Each tab gets a JupyterLab workspace of its own (lab/workspaces/<name>/tree/... instead of
    lab/tree/...), so it starts as a fresh Binder session does, without the tabs of the others.
    """
    assert UI == "lab/tree", "the tests drive JupyterLab"
    workspace = re.sub(r"\W", "-", path)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(f"{lab}/lab/workspaces/{workspace}/tree/{path}")
    return page


def wait_rendered(page) -> None:
    """Wait until the notebook is shown, its kernel idle, and every Markdown cell rendered."""
    page.wait_for_selector(f"{PANEL} .jp-Notebook", timeout=120_000)
    page.wait_for_selector(f'{PANEL} .jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=120_000)
    page.wait_for_function(
        f"""() => {{
            const cells = document.querySelectorAll('{PANEL} .jp-MarkdownCell');
            return cells.length > 0 && [...cells].every(c => c.querySelector('.jp-RenderedMarkdown'));
        }}""", timeout=60_000)


def markdown_text(page) -> str:
    """The text of every rendered Markdown cell of the open notebook."""
    return page.evaluate(f"""[...document.querySelectorAll('{PANEL} .jp-RenderedMarkdown')]
        .map(e => e.textContent).join('\\n')""")


def run_all(page) -> float:
    """Clear all outputs and run all cells through the menus; return the seconds the run took.

    Done when the kernel is idle again and no cell is queued ([*]); cells whose input is
    collapsed (hide-input) show no prompt, so only shown prompts are read.
    """
    page.click("#jp-MainMenu >> text=Edit")
    page.click("li[data-command='editmenu:clear-all']")
    start = time.monotonic()
    page.click("#jp-MainMenu >> text=Run")
    page.click("li[data-command='runmenu:run-all']")
    prompts = f"[...document.querySelectorAll('{PANEL} .jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim())"
    status = f"document.querySelector('{PANEL} .jp-Notebook-ExecutionIndicator').dataset.status"
    page.wait_for_function(f"() => {prompts}.some(p => p === '[*]:') || {status} === 'busy'", timeout=60_000)
    page.wait_for_function(f"() => {status} === 'idle' && !{prompts}.some(p => p === '[*]:')",
                           timeout=RUN_TIMEOUT * 1000, polling=1000)
    return time.monotonic() - start


def unrun_cells(page) -> list[str]:
    """The first lines of the shown code cells that have no execution count after Run All."""
    return page.evaluate(f"""[...document.querySelectorAll('{PANEL} .jp-CodeCell')]
        .filter(c => c.querySelector('.jp-InputPrompt') && c.querySelector('.jp-InputPrompt').textContent.trim()
                     && !/\\[\\d+\\]/.test(c.querySelector('.jp-InputPrompt').textContent))
        .map(c => (c.querySelector('.cm-content') || c).textContent.slice(0, 80))""")


def book_run(docname: str) -> list:
    """The code cells, with outputs, of the chapter's run in the book's execution cache."""
    page = next(p for p in book.pages() if p.docname == docname)
    run = current_run(open_cache(), read_page(page))
    if run is None:
        pytest.fail(f"no run of {docname} in the execution cache: run `make book` first", pytrace=False)
    return [c for c in run.cells if c.cell_type == "code"]


def follow_chapter_link(page) -> list[str]:
    """Click the first link to another chapter: its notebook must open in JupyterLab."""
    link = page.locator(f"{PANEL} .jp-RenderedMarkdown a[href*='.ipynb']").first
    if not link.count():
        return ["no link to another chapter"]
    target = re.search(r"([\w-]+\.ipynb)", link.get_attribute("href"))[1]
    link.scroll_into_view_if_needed()
    link.click()
    try:
        page.wait_for_selector(f".lm-TabBar-tab[title*='{target}'], .lm-TabBar-tab:has-text('{target}')",
                               timeout=60_000)
    except Exception:
        return [f"the link to {target} did not open it in JupyterLab"]
    return []


@pytest.mark.parametrize("docname", CHAPTERS)
def test_chapter_in_jupyterlab(lab, browser, docname):
    chapter, notebook = ROOT / f"{docname}.md", ROOT / launch.notebook_path(docname)
    before = {chapter: sha(chapter), notebook: sha(notebook)}
    built = book_run(docname)
    page = open_page(browser, lab, launch.notebook_path(docname))
    wait_rendered(page)
    problems = []

    # Opening and reading changes nothing, even past the autosave interval.
    time.sleep(AUTOSAVE * 2 + 2)
    if page.locator(".lm-TabBar-tab.jp-mod-dirty").count():
        problems.append("the notebook is marked changed right after opening")
    problems += [f"{p.relative_to(ROOT)} changed while it was only read" for p, h in before.items() if sha(p) != h]

    # The Markdown reads like the site.
    text = markdown_text(page)
    problems += [f"raw MyST in the rendered Markdown: {tok!r}" for tok in RAW_MYST if tok in text]
    glue = glued_text(built)
    glued = re.findall(r"\{glue:text\}`([^`:]+):?([^`]*)`", chapter.read_text(encoding="utf-8"))  # keys may hold dots
    if not glued:
        problems.append("the chapter glues no numbers into its prose: pick a chapter that does")
    for key, spec in glued:  # each number as the site prints it
        shown = format_plain_text(glue[key], spec)
        if shown not in text:
            problems.append(f"glued {key} ({shown}) is not in the rendered Markdown")
    # Solutions: text-only ones are <details>; ones with code cells (solution-start) are
    # collapsed headings whose cells JupyterLab hides.
    source = chapter.read_text(encoding="utf-8")
    gated = source.count("{solution-start}")
    plain = source.count(":class: dropdown") - gated  # solutions, and boxes such as a source listing
    details = page.locator(f"{PANEL} .jp-RenderedMarkdown details").count()
    collapsed = page.locator(f"{PANEL} .jp-MarkdownCell .jp-collapseHeadingButton.jp-mod-collapsed").count()
    if (details, collapsed) != (plain, gated) or source.count("{solution") == 0:
        problems.append(f"{details} <details> and {collapsed} collapsed solutions, the chapter has {plain} dropdowns "
                        f"and {gated} solutions with code")
    if page.locator(f"{PANEL} .jp-RenderedMarkdown details[open]").count():
        problems.append("a solution is open before the reader asks for it")
    if gated and page.locator(f"{PANEL} .jp-Cell.lm-mod-hidden").count() < gated:
        problems.append("the cells of the solutions with code are not hidden")
    hidden = source.count("hide-input")
    if page.locator(f"{PANEL} .jp-CodeCell .jp-InputPlaceholder").count() < hidden:
        problems.append(f"fewer than the chapter's {hidden} hide-input cells show collapsed")
    code = page.evaluate(f"[...document.querySelectorAll('{PANEL} .jp-CodeCell .cm-content')].map(e => e.textContent).join('\\n')")
    if HIDDEN_CELL in code:
        problems.append("the hidden check cell (remove-cell) is in the notebook")

    # Run All: no error, the figures drawn again.
    seconds = run_all(page)
    print(f"\n{docname}: Run All took {seconds:.1f} s in JupyterLab")
    problems += [f"cell not run: {c!r}" for c in unrun_cells(page)]
    errors = page.locator(f"{PANEL} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    tracebacks = [t for t in errors.all_text_contents() if re.search(r"Traceback|Error\b", t)]
    problems += [f"error output: {t[:300]}" for t in tracebacks]
    figures = page.locator(f"{PANEL} .jp-OutputArea-output img, {PANEL} .jp-OutputArea-output svg").count()
    expected = sum(1 for c in built for o in c.get("outputs", [])
                   if {"image/svg+xml", "image/png"} & set(o.get("data", {})))
    if figures < expected or expected == 0:
        problems.append(f"{figures} figures after Run All, the book build drew {expected}")
    problems += [f"JavaScript error: {e}" for e in page.errors]
    if sha(chapter) != before[chapter]:
        problems.append(f"running the notebook changed {chapter.relative_to(ROOT)}")
    problems += follow_chapter_link(page)
    page.context.close()
    assert not problems, "\n".join(problems)


def test_markdown_files_open_as_markdown(lab, browser):
    page = open_page(browser, lab, "README.md")
    page.wait_for_selector(".jp-RenderedMarkdown h1", timeout=120_000)
    assert page.locator(f"{PANEL} .jp-Notebook").count() == 0, "README.md opened as a notebook"
    assert page.locator(".jp-Dialog").count() == 0, "a dialog (kernel choice?) covers README.md"
    page.context.close()


def test_file_browser_and_no_popups(lab, browser):
    listing = json.load(urllib.request.urlopen(f"{lab}/api/contents/"))
    names = {item["name"] for item in listing["content"]}
    assert "notebooks" in names and not any(n.endswith(".egg-info") for n in names), names
    page = open_page(browser, lab, launch.notebook_path(CHAPTERS[0]))
    wait_rendered(page)
    time.sleep(3)
    toasts = page.locator(".Toastify__toast").all_text_contents()
    assert not toasts, f"pop-ups over the chapter: {toasts}"
    page.context.close()


@pytest.mark.parametrize("docname", [f"book/{p.stem}" for p in sorted((ROOT / "book").glob("*.md"))])
def test_numbers_match_the_site(docname):
    """Equation, figure and exercise numbers in the reader notebook are those of the built page."""
    page, notebook = ROOT / "_build/html" / f"{docname}.html", ROOT / launch.notebook_path(docname)
    if not page.is_file() or not notebook.is_file():
        pytest.fail(f"{page} or {notebook} is missing: run `make notebooks` first", pytrace=False)
    html = page.read_text(encoding="utf-8")
    markdown = "\n".join(c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "markdown")
    site = {"equations": re.findall(r'class="eqno">\(([\d.]+)\)', html),
            "figures and exercises": [n.replace("\xa0", " ").strip()
                                      for n in re.findall(r'caption-number">([^<]+)<', html)]}
    ours = {"equations": re.findall(r"\\tag\{([\d.]+)\}", markdown),
            "figures and exercises": re.findall(r"(图 [\d.]+(?=：)|(?<=### )练习 [\d.]+(?=\n|$))", markdown)}
    assert ours == site
