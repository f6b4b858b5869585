"""The real agreement site (both versions of content/) in Chromium, from a plain static server."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from tests.browser.conftest import search

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED, DRAFT = "2021-12-20", "2026-11-28"
CLAUSE = "obligations.sms.bombing"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from generator.build import build
    from generator.content.project import load_project

    out = tmp_path_factory.mktemp("real-site")
    build(load_project(ROOT), out)
    return out


def test_root_opens_the_latest_published_version(page, base_url):
    page.goto(base_url)
    page.wait_for_url(f"{base_url}{PUBLISHED}/")
    assert "数据技术服务使用协议" in page.locator("article h1").first.inner_text()


def test_selector_lists_both_versions_and_switching_keeps_the_page(page, base_url):
    page.goto(f"{base_url}{PUBLISHED}/consent/")
    page.locator(".md-version").wait_for()
    titles = page.locator(".md-version__link").all_inner_texts()
    assert any(PUBLISHED in t for t in titles) and any(DRAFT in t for t in titles)
    page.locator(".md-version").hover()
    page.locator(".md-version__link", has_text=DRAFT).click()
    page.wait_for_url(f"{base_url}{DRAFT}/consent/")


def test_search_for_sms_bombing_finds_clause_4_2_5(page, base_url):
    search(page, f"{base_url}{PUBLISHED}/", "短信轰炸")
    page.locator("a.md-search-result__link").first.wait_for()
    # Results on the same page as the best one are folded under "more on this page".
    for more in page.locator("details.md-search-result__more summary").all():
        more.click()
    result = page.locator(f"a.md-search-result__link[href*='#{CLAUSE}']").first
    result.wait_for()
    assert "4.2.5" in result.inner_text()
    assert set(result.locator("mark").all_inner_texts()) >= {"短信", "轰炸"}
    assert f"/{PUBLISHED}/" in result.get_attribute("href")
    result.click()
    page.wait_for_url(f"**/{PUBLISHED}/?h=*#{CLAUSE}")


def test_clause_anchor_opens_at_the_clause(page, base_url):
    page.goto(f"{base_url}{PUBLISHED}/#{CLAUSE}")
    clause = page.locator(f"[id='{CLAUSE}']")
    clause.wait_for()
    page.wait_for_function(
        "id => { const r = document.getElementById(id).getBoundingClientRect();"
        " return r.top >= 0 && r.top < window.innerHeight; }", arg=CLAUSE)
    assert page.evaluate("window.scrollY") > 0
    assert clause.inner_text().startswith("4.2.5")


def test_pdf_link_serves_a_pdf(page, base_url):
    page.goto(f"{base_url}{PUBLISHED}/")
    href = page.locator("a[href$='.pdf']").first.get_attribute("href")
    with urllib.request.urlopen(f"{base_url}{PUBLISHED}/{href}") as response:  # loopback only
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.read(5) == b"%PDF-"


def test_draft_shows_its_banner_and_published_does_not(page, base_url):
    page.goto(f"{base_url}{DRAFT}/")
    assert page.locator(".md-banner", has_text="草案，尚未生效").is_visible()
    page.goto(f"{base_url}{PUBLISHED}/")
    assert page.locator(".md-banner", has_text="草案，尚未生效").count() == 0
