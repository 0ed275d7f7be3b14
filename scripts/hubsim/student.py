"""The student in headless Chromium: the chapter page's JupyterHub entry, the hub's login,
nbgitpuller, JupyterLab and Run All (with tests/test_notebooks.py's JupyterLab helpers)."""
import re
import time
from pathlib import Path

from test_notebooks import (PANEL, book_run, format_plain_text,  # tests/ is on the path: scripts/hub_sim.py
                            markdown_text, run_all, unrun_cells, wait_rendered)

from bookmodel.glue import glued_text

ROOT = Path(__file__).resolve().parents[2]

HUB_ENTRY = ".dropdown-launch-buttons a.dropdown-item:has-text('JupyterHub')"


def launch_entry(page) -> str:
    """The href of the page's JupyterHub launch entry (opening the launch menu first)."""
    page.locator(".dropdown-launch-buttons button").first.click()
    entry = page.locator(HUB_ENTRY).first
    entry.wait_for(state="visible", timeout=10_000)
    return entry.get_attribute("href")


def follow_launch(context, site_page: str, user: str, password: str, notebook_url: re.Pattern,
                  timeout: float = 600):
    """Open the chapter page, click its JupyterHub entry (a new tab), log in if asked, wait for
    the notebook in JupyterLab; return (the tab, seconds from the click)."""
    page = context.new_page()
    page.goto(site_page)
    launch_entry(page)
    start = time.monotonic()
    with context.expect_page() as new_tab:
        page.locator(HUB_ENTRY).first.click()
    lab = new_tab.value
    page.close()
    lab.wait_for_load_state()
    if lab.locator("#username_input").count():
        lab.fill("#username_input", user)
        lab.fill("#password_input", password)
        lab.click("#login_submit")
    lab.wait_for_url(notebook_url, timeout=timeout * 1000)
    wait_rendered(lab)
    return lab, time.monotonic() - start


def check_chapter(page, docname: str) -> list[str]:
    """Glued numbers as on the site, then Run All: every cell run, no error, figures drawn."""
    built = book_run(docname)
    glue = glued_text(built)
    chapter = ROOT / f"{docname}.md"
    glued = re.findall(r"\{glue:text\}`([^`:]+):?([^`]*)`", chapter.read_text(encoding="utf-8"))
    shown = {key: format_plain_text(glue[key], spec) for key, spec in glued}
    for _ in range(6):  # the rendered text can lag behind wait_rendered on a busy machine
        text = markdown_text(page)
        missing = [f"{key} ({value})" for key, value in shown.items() if value not in text]
        if not missing:
            break
        page.wait_for_timeout(5000)
    else:
        page.screenshot(path=str(ROOT / "_build" / "hub-sim" / "glue-missing.png"), full_page=True)
    problems = [f"glued numbers not in the notebook as on the site: {', '.join(missing)}"] if missing else []
    seconds = run_all(page)
    print(f"  Run All in JupyterLab on the hub: {seconds:.1f} s")
    problems += [f"cell not run: {c!r}" for c in unrun_cells(page)]
    errors = page.locator(f"{PANEL} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    problems += [f"error output: {t[:300]}" for t in errors.all_text_contents() if re.search(r"Traceback|Error\b", t)]
    figures = page.locator(f"{PANEL} .jp-OutputArea-output img, {PANEL} .jp-OutputArea-output svg").count()
    expected = sum(1 for c in built for o in c.get("outputs", []) if {"image/svg+xml", "image/png"} & set(o.get("data", {})))
    if figures < expected or expected == 0:
        problems.append(f"{figures} figures after Run All, the book build drew {expected}")
    return problems


def edit_first_code_cell(page, line: str) -> None:
    """Type a line at the top of the first code cell and save the notebook."""
    editor = page.locator(f"{PANEL} .jp-CodeCell .cm-content").first
    editor.click()
    page.keyboard.press("Control+Home")
    page.keyboard.type(line + "\n")
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    page.wait_for_function("() => !document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')",
                           timeout=30_000)


def run_out_of_memory(page, gib: float) -> str:
    """Add a cell that fills `gib` GiB and run it; once the kernel has died and restarted,
    reload the page, run a cell and return what JupyterLab showed (the dialog, the output)."""
    add_cell(page, f"import numpy as np\nfill = np.ones(int({gib} * 2**30 / 8))")
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=300_000)
    shown = dialog.inner_text()
    page.locator(".jp-Dialog button").last.click()
    page.reload()
    wait_rendered(page)
    add_cell(page, "print('after the restart')")
    page.wait_for_function(f"() => [...document.querySelectorAll('{PANEL} .jp-OutputArea-output')]"
                           ".some(o => o.textContent.includes('after the restart'))", timeout=120_000)
    outputs = page.locator(f"{PANEL} .jp-OutputArea-output").all_text_contents()
    return shown + "\n" + "\n".join(outputs[-2:])


def add_cell(page, code: str) -> None:
    """A new code cell after the last one, with `code`, run."""
    page.locator(f"{PANEL} .jp-Cell").last.click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.type(code)
    page.keyboard.press("Shift+Enter")
