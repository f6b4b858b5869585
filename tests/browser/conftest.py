"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright, against a plain static server.

Each test module provides a module-scoped ``site`` fixture (the folder to serve);
``base_url``, ``browser``, ``page`` (desktop) and ``open_page`` (any screen) come
from here. A page fails its test if it requests anything from another host or
raises a JavaScript error. Without Chromium the tests are skipped on a
developer's machine and fail on CI (the ``CI`` environment variable is set).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

import pytest

from helpers import ROOT, serving

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Without the background-networking flags Chromium keeps trying hosts this machine cannot reach.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENS = pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=["desktop", "phone"])


def missing(what: str, fix: str) -> None:
    """Skip on a developer's machine, fail on CI, where every test must run."""
    message = f"{what} is missing; {fix}"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists() and not os.environ.get("CI"):  # on CI, `browser` fails instead
                item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} is not installed"))


class _QuietHandler(SimpleHTTPRequestHandler):
    """A static host as GitHub Pages or nginx's error_page: a missing path gets the site's 404.html."""

    def log_message(self, format, *args):  # noqa: A002 - http.server's signature
        pass

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    with serving(partial(_QuietHandler, directory=str(site))) as url:
        yield url


class _Chromium:
    """One Chromium at a time, launched by the first browser test and closed after the last of a
    run of them: while it is open, Playwright's sync API keeps an asyncio loop running in this
    thread, and pyHanko's signing (asyncio.run) cannot run inside it. Serially the browser tests
    come last (tests/conftest.py), so one Chromium serves them all; under pytest-xdist the worker
    that runs them goes on with other tests afterwards, with Chromium closed."""

    def __init__(self) -> None:
        self._playwright = self._browser = None

    def get(self):
        if self._browser is None:
            if not CHROMIUM.exists():
                missing(str(CHROMIUM), "install Debian's chromium (`make setup`)")
            try:
                from playwright.sync_api import sync_playwright
            except ImportError:
                missing("playwright", "install the locked environment (`make setup`)")
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                            args=CHROMIUM_ARGS)
        return self._browser

    def close(self) -> None:
        if self._browser is not None:
            try:
                self._browser.close()
            finally:
                self._playwright.stop()
                self._playwright = self._browser = None


_CHROMIUM = _Chromium()


def _is_browser_test(item) -> bool:
    return item is not None and "tests/browser/" in item.path.as_posix()


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    """Chromium closes once the next test is not a browser test (or there is none)."""
    if not _is_browser_test(nextitem):
        _CHROMIUM.close()


@pytest.fixture
def browser() -> object:
    """The open Chromium (see _Chromium); each test opens its own context (open_page)."""
    return _CHROMIUM.get()


@pytest.fixture
def open_page(browser, base_url):
    """``open_page(screen)``: a fresh page of that size; checked for other hosts and errors at the end."""
    opened = []

    def open_page(screen: dict = DESKTOP):
        context = browser.new_context(viewport=screen, locale="zh-CN")
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url.rstrip("/"))
        page = context.new_page()
        page.set_default_timeout(10_000)
        requests, errors = [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
        opened.append((context, requests, errors))
        return page

    yield open_page
    for context, requests, errors in opened:
        context.close()
        foreign = [u for u in requests if not u.startswith((base_url, "data:", "blob:"))]
        assert not foreign, f"requests to other hosts: {foreign}"
        assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture
def page(open_page):
    return open_page(DESKTOP)


# --------------------------------------------------------------------------
# What a reader does


def open_search(page, url: str):
    """Open ``url`` and the site's search panel (the magnifier in the header), focused."""
    page.goto(url)
    page.locator("button.agreements-search__toggle").click()
    box = page.locator("#agreements-search-input")
    box.wait_for()
    assert page.evaluate("document.activeElement.id") == "agreements-search-input"
    return box


def type_query(page, url: str, query: str) -> None:
    """Type ``query`` key by key (each character a keydown, an input event and a keyup)."""
    open_search(page, url)
    page.keyboard.type(query, delay=30)


def compose_query(page, url: str, query: str, pinyin: str) -> None:
    """Enter ``query`` through an input method: composition events while the pinyin is typed,
    then the commit (compositionend and the input event), then the key released after it."""
    open_search(page, url)
    cdp = page.context.new_cdp_session(page)
    for end in range(1, len(pinyin) + 1):
        cdp.send("Input.imeSetComposition", {"text": pinyin[:end], "selectionStart": end, "selectionEnd": end})
    cdp.send("Input.insertText", {"text": query})
    page.keyboard.up("Enter")


def paste_query(page, url: str, query: str) -> None:
    """Paste ``query`` as the mouse does: one input event, no key at all."""
    open_search(page, url)
    page.keyboard.insert_text(query)


def results(page) -> list:
    """The search results shown (links holding the title and the whole text), once there are some."""
    page.locator("a.agreements-search__hit").first.wait_for()
    return page.locator("a.agreements-search__hit").all()


def axe_violations(page, *, impacts=("serious", "critical")) -> list[str]:
    """axe-core (from npm, see package.json) run on the page as it is now."""
    if not AXE.is_file():
        missing(str(AXE), "run `make setup` (npm ci installs axe-core)")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]} {v['help']}"
            for v in found if v["impact"] in impacts]
