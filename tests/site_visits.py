"""Every page of the built site loaded once per kind of reader, in parallel tabs of one browser.

tests/test_site.py and tests/test_a11y.py register what they look at on a page (`check`):
an async function of a Visit that returns what the test then asserts on. `visit_site` opens
each page once for each kind of reader (a desktop, two phones), in its own browser context,
several pages at a time in one headless Chromium, runs every check registered for that kind in
order, and returns {(kind, target, check name): result, or the exception it raised}. Visits
that are not pages (a search, dark mode) register a target of their own.
"""
import asyncio
import re
import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

IDLE_TIMEOUT = 45_000  # ms for one load of a page to settle (Visit.open makes a stalled load once more)
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "accept_downloads": True}
KINDS = {
    "desktop": DESKTOP,
    "phone-390": {"viewport": {"width": 390, "height": 800}, "device_scale_factor": 2, "is_mobile": True,
                  "has_touch": True},
    "phone-320": {"viewport": {"width": 320, "height": 800}, "device_scale_factor": 2, "is_mobile": True,
                  "has_touch": True},
    "dark": {**DESKTOP, "color_scheme": "dark"},
}


@dataclass(order=True)
class Check:
    """One look at a loaded page: `order` among the checks of a visit (no interaction first)."""

    order: int
    name: str = field(compare=False)
    kind: str = field(compare=False)
    run: object = field(compare=False)  # async (visit, target) -> result
    targets: object = field(compare=False)  # () -> the targets (pages, "?queries") it looks at
    tests: tuple = field(compare=False)  # the tests that read its results


CHECKS: list[Check] = []


def check(name: str, kind: str, order: int, targets, tests: tuple):
    """Register an async check of every target of `targets()` for this kind of reader, read by `tests`."""
    def register(fn):
        CHECKS[:] = [c for c in CHECKS if c.name != name] + [Check(order, name, kind, fn, targets, tests)]
        return fn
    return register


def selected(items) -> set[tuple[str, str]]:
    """(test name, parameter) of the selected tests that read the checks ("" without a parameter),
    so that running one test visits only what it needs."""
    wanted = set()
    for item in items:
        if "site_report" in getattr(item, "fixturenames", ()):
            params = getattr(getattr(item, "callspec", None), "params", {})
            wanted |= {(item.originalname, str(v)) for v in params.values()} or {(item.originalname, "")}
    return wanted


def _wanted(c: Check, target: str, wanted: set | None) -> bool:
    """True if a selected test reads this check's result for this target."""
    if wanted is None:
        return True
    key = target.split("-", 1)[1] if target.startswith("?") else target  # "?search-交叉熵": 交叉熵
    return any((test, key) in wanted or (test, "") in wanted for test in c.tests)


class Visit:
    """A browser tab (its own context) on the served book that records everything that goes wrong."""

    def __init__(self, context, base: str, site: Path, screenshots: Path):
        self.context, self.base, self.site, self.screenshots = context, base, site, screenshots
        self.page = None
        self.problems: list[str] = []
        self.external: list[str] = []
        self.mathjax = False

    def _listen(self, page) -> None:
        """Record the page's errors, failed requests and error responses."""
        self.page = page
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console error: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"JavaScript error: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))
        self.in_flight: dict[int, str] = {}  # requests sent and not finished, by id
        page.on("request", lambda r: self.in_flight.__setitem__(id(r), r.url))
        page.on("requestfinished", lambda r: self.in_flight.pop(id(r), None))
        page.on("requestfailed", lambda r: self.in_flight.pop(id(r), None))

    @classmethod
    async def new(cls, browser, base: str, site: Path, screenshots: Path, **options) -> "Visit":
        """A new context (Playwright's browser.new_context options) with one tab."""
        context = await browser.new_context(**options)
        context.set_default_timeout(90_000)  # pages load slowly on a busy machine
        visit = cls(context, base, site, screenshots)
        await context.route("**/*", visit._route)  # before the tab opens: nothing escapes it
        visit._listen(await context.new_page())
        return visit

    async def _route(self, route):
        url = route.request.url
        if urlsplit(url).hostname != "127.0.0.1":
            self.external.append(url)
            await route.abort("blockedbyclient")
        else:
            await route.continue_()

    async def open(self, path: str) -> None:
        """Load a page of the site and wait for MathJax and the network to settle.

        A load whose network has not settled after IDLE_TIMEOUT is made once more (with many
        tabs at once, a load of a page that loads alone in seconds has been seen to stall); a
        second stall fails, naming the requests still in flight.
        """
        from playwright.async_api import TimeoutError as PlaywrightTimeout
        try:
            await self._load(path)
        except PlaywrightTimeout:
            stalled = sorted(set(self.in_flight.values()))
            self.problems.clear()  # the reload aborts the stalled requests: not the page's fault
            self.in_flight.clear()
            try:
                await self._load(path)
            except PlaywrightTimeout as error:
                raise TimeoutError(f"{path} did not settle twice; in flight the first time: {stalled}, "
                                   f"the second time: {sorted(set(self.in_flight.values()))}") from error

    async def _load(self, path: str) -> None:
        """One load of the page, until MathJax has typeset and the network is idle."""
        await self.page.goto(urljoin(self.base, path), wait_until="load", timeout=IDLE_TIMEOUT)
        source = self.site / urlsplit(path).path
        refresh = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"', source.read_text(encoding="utf-8"))
        if refresh:  # the root index.html only redirects to the book's home page
            await self.page.wait_for_url(urljoin(urljoin(self.base, path), refresh[1]), wait_until="load")
        self.mathjax = await self.page.evaluate("""async () => {
            if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) return false;
            await MathJax.startup.promise;
            return true;
        }""")
        await self.page.wait_for_load_state("networkidle", timeout=IDLE_TIMEOUT)

    def docname(self, url: str) -> str:
        """'book/softmax-regression' for any URL of that page on the served book."""
        path = unquote(urlsplit(url).path)[len(urlsplit(self.base).path):]
        return re.sub(r"\.html$", "", path or "index.html")

    async def screenshot(self, name: str) -> None:
        """The whole page; a window as tall as the page keeps the sticky sidebar and header in it.
        One image pixel per CSS pixel, also on a phone's 2x screen (a quarter of the pixels to encode)."""
        path = self.screenshots / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        viewport = self.page.viewport_size
        height = await self.page.evaluate("() => document.documentElement.scrollHeight")
        await self.page.set_viewport_size({"width": viewport["width"], "height": max(height, viewport["height"])})
        await self.page.screenshot(path=str(path), full_page=True, scale="css")
        await self.page.set_viewport_size(viewport)

    async def close(self) -> None:
        await self.context.close()


class Failed:
    """What a check raised, kept for the test that reads its result."""

    def __init__(self, error: BaseException):
        self.text = "".join(traceback.format_exception(error))


async def _visit(browser, semaphore, kind: str, target: str, checks: list[Check], base, site, screenshots) -> dict:
    """One target for one kind of reader: open it once, run its checks in order."""
    results = {}
    async with semaphore:
        visit = await Visit.new(browser, base, site, screenshots, **KINDS[kind])
        try:
            if not target.startswith("?"):  # "?name": a check that opens what it needs itself
                await visit.open(target)
            for c in sorted(checks):
                try:
                    results[(kind, target, c.name)] = await c.run(visit, target)
                except Exception as error:  # the test of this check fails with it; the others go on
                    results[(kind, target, c.name)] = Failed(error)
        except Exception as error:
            for c in checks:
                results.setdefault((kind, target, c.name), Failed(error))
        finally:
            await visit.close()
    return results


async def _visit_all(executable: str, args: list[str], base: str, site: Path, screenshots: Path, parallel: int,
                     wanted: set | None) -> dict:
    from playwright.async_api import async_playwright

    visits: dict[tuple[str, str], list[Check]] = {}
    for c in CHECKS:
        for target in c.targets():
            if _wanted(c, target, wanted):
                visits.setdefault((c.kind, target), []).append(c)
    semaphore = asyncio.Semaphore(parallel)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=args, headless=True)
        try:
            done = await asyncio.gather(*(_visit(browser, semaphore, kind, target, checks, base, site, screenshots)
                                          for (kind, target), checks in visits.items()))
        finally:
            await browser.close()
    return {key: value for result in done for key, value in result.items()}


_DONE: dict = {}  # the results of this test session's visits, by base URL


def visit_site(executable: str, args: list[str], base: str, site: Path, screenshots: Path, parallel: int,
               wanted: set | None = None) -> dict:
    """Run the registered checks that the `wanted` tests read (`selected`; None: all of them), in
    a thread of its own (pytest's thread may hold an event loop), once per session: test_a11y.py
    imports the fixture of test_site.py, which pytest then sets up once per module."""
    if base in _DONE:
        return _DONE[base]
    box: dict = {}

    def work():
        try:
            box["results"] = asyncio.run(_visit_all(executable, args, base, site, screenshots, parallel, wanted))
        except BaseException as error:  # noqa: BLE001  (re-raised in the caller's thread)
            box["error"] = error

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    _DONE[base] = box["results"]
    return box["results"]


def result(results: dict, kind: str, target: str, name: str):
    """The result of one check, or the test fails with what the check raised."""
    import pytest

    value = results.get((kind, target, name))
    if value is None and (kind, target, name) not in results:
        pytest.fail(f"{name} did not run for {target} ({kind})", pytrace=False)
    if isinstance(value, Failed):
        pytest.fail(f"{name} on {target} ({kind}) raised:\n{value.text}", pytrace=False)
    return value
