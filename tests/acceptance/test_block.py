"""The acceptance block in Chromium, against a running service: 同意 starts unticked and 立即申请
disabled; the reader scrolls, opens the explanation, ticks and accepts; the receipt fetched
verifies offline; the page talks to the service's origin only (its CSP refuses any other); axe clean."""

from __future__ import annotations

import importlib.util
from functools import partial
from http.server import SimpleHTTPRequestHandler

import pytest

from acceptance_support import ADMIN_TOKEN, free_port, start_service, token
from generator.acceptance.block import write_block
from generator.acceptance.verify import outcome, verify_receipt
from generator.content.project import load_project
from helpers import ROOT, serving

pytestmark = pytest.mark.browser


def _browser_settings():
    """Chromium's path, flags and the axe helper, as the site's browser tests have them."""
    spec = importlib.util.spec_from_file_location("browser_settings", ROOT / "tests" / "browser" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BROWSER = _browser_settings()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def block(tmp_path_factory, account_key):
    """The built block page on a static server, and a service that allows that origin."""
    from generator.acceptance.service import Settings

    if not BROWSER.CHROMIUM.exists():
        BROWSER.missing(str(BROWSER.CHROMIUM), "install Debian's chromium (`make setup`)")
    site = tmp_path_factory.mktemp("block-site")
    with serving(partial(_Quiet, directory=str(site))) as base_url:
        origin = base_url.rstrip("/")
        folder = tmp_path_factory.mktemp("block-service")
        url, service, stop = start_service(Settings(
            root=ROOT, database=f"sqlite:///{folder / 'db.sqlite'}", keys_dir=folder / "keys",
            account_key=account_key[1], admin_token=ADMIN_TOKEN, site_origins=[origin]))
        try:
            write_block(load_project(ROOT), site, service=url)
            yield base_url + "acceptance/index.html", url, service, site
        finally:
            stop()


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(BROWSER.CHROMIUM), args=BROWSER.CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def test_accept_in_the_block_and_verify_the_receipt_offline(block, chromium, account_key):
    import httpx

    page_url, service_url, service, _ = block
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_url + "#token=" + token(account_key[0], "acct-browser"))
    box, button = page.locator("#agreements-accept-agree"), page.locator("button.agreements-accept-submit")
    assert not box.is_checked() and button.is_disabled()
    assert button.inner_text() == "立即申请"
    page.locator(".agreements-accept-passages [data-end]").scroll_into_view_if_needed()
    page.locator(".agreements-accept-explanation summary").click()
    box.check()
    assert button.is_enabled()
    button.click()
    page.wait_for_selector("[data-acceptance-id]")
    acceptance_id = page.locator(".agreements-accept").get_attribute("data-acceptance-id")
    assert "已同意" in page.locator(".agreements-accept-status").inner_text()
    refused = page.evaluate("""async (other) => {
        try { await fetch(other); return false; } catch (error) { return true; } }""",
                            f"http://127.0.0.1:{free_port()}/")
    context.close()
    assert refused, "the content security policy let the block connect to another origin"
    assert not errors, errors
    foreign = [u for u in requests if not u.startswith((page_url.rsplit("/", 2)[0], service_url, "data:", "blob:"))]
    assert not foreign, foreign

    receipt = httpx.get(f"{service_url}/v1/acceptances/{acceptance_id}").json()
    shown = receipt["presentation"]["data"]
    assert shown["scrolled_to_end"] and shown["explanation_opened"] and shown["displayed_clauses"]
    assert receipt["account_id"] == "acct-browser"
    assert outcome(verify_receipt(receipt, keys_doc=service.keyring.published(), root=ROOT)) == "ok"


def test_the_block_is_axe_clean(block, chromium):
    page_url, _, _, _ = block
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                   bypass_csp=True)  # axe is injected as an inline script
    page = context.new_page()
    page.goto(page_url)
    violations = BROWSER.axe_violations(page, impacts=("moderate", "serious", "critical"))
    context.close()
    assert not violations, violations


def test_the_snippet_is_the_same_block_with_its_script(block):
    _, service_url, _, site = block
    snippet = (site / "acceptance" / "snippet.html").read_text(encoding="utf-8")
    page = (site / "acceptance" / "index.html").read_text(encoding="utf-8")
    assert f'data-service="{service_url}"' in snippet and '<script src="accept.js"></script>' in snippet
    assert f"connect-src {service_url};" in page.replace("&#39;", "'")
    start = page.index('<section class="agreements-accept"')
    assert page[start:page.index("</section>") + 10] in snippet
