"""The built site in real Chromium, served by a plain static server (http.server)."""

from __future__ import annotations

from pathlib import Path

import pytest

# The fixture pages and the two-version build are shared with the offline tests.
from tests.site.test_mkdocs_build import (  # noqa: E402
    BANNER,
    CLAUSE_ID,
    DRAFT,
    PUBLISHED,
    build_fixture_site,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_fixture_site(tmp_path_factory.mktemp("site-browser"))


def test_root_opens_the_latest_version(page, base_url):
    page.goto(base_url)
    page.wait_for_url(f"{base_url}{PUBLISHED}/")
    assert "数据技术服务使用协议" in page.locator("article h1").first.inner_text()
    assert page.locator(".md-banner", has_text=BANNER).count() == 0


def test_version_selector_lists_both_and_keeps_the_page(page, base_url):
    page.goto(f"{base_url}{PUBLISHED}/obligations/")
    selector = page.locator(".md-version")
    selector.wait_for()  # rendered after ../versions.json is fetched
    assert page.locator(".md-version__current").inner_text().strip() == PUBLISHED
    links = page.locator(".md-version__link")
    titles = [t.strip() for t in links.all_inner_texts()]
    assert any(t.startswith(DRAFT) for t in titles) and any(t.startswith(PUBLISHED) for t in titles)

    selector.hover()
    page.locator(".md-version__link", has_text=DRAFT).click()
    page.wait_for_url(f"{base_url}{DRAFT}/obligations/")
    assert page.locator(".md-banner", has_text=BANNER).is_visible()

    page.locator(".md-version").hover()
    page.locator(".md-version__link", has_text=PUBLISHED).click()
    page.wait_for_url(f"{base_url}{PUBLISHED}/obligations/")


def test_clause_anchor_scrolls_into_view(page, base_url):
    page.goto(f"{base_url}latest/obligations/#{CLAUSE_ID}")  # through the alias redirect
    page.wait_for_url(f"{base_url}{PUBLISHED}/obligations/#{CLAUSE_ID}")
    clause = page.locator(f"[id='{CLAUSE_ID}']")
    clause.wait_for()
    page.wait_for_function(
        """id => { const r = document.getElementById(id).getBoundingClientRect();
                   return r.top >= 0 && r.bottom <= window.innerHeight; }""",
        arg=CLAUSE_ID,
    )
    assert page.evaluate("window.scrollY") > 0  # it really had to scroll
    assert "短信轰炸" in clause.inner_text()


def test_draft_shows_its_banner_and_its_own_notice(page, base_url):
    page.goto(f"{base_url}{DRAFT}/obligations/")
    banner = page.locator(".md-banner", has_text=BANNER)
    assert banner.is_visible()
    # a draft says what it is, not the notice meant for versions that are no longer in force
    assert "尚未生效" in page.locator(".agreements-draft-notice").inner_text()
    page.locator(".md-version").wait_for()
    assert page.locator(".agreements-outdated").count() == 0


def test_published_latest_has_no_outdated_notice(page, base_url):
    page.goto(f"{base_url}{PUBLISHED}/obligations/")
    page.locator(".md-version").wait_for()  # versions.json has been read
    page.wait_for_timeout(500)
    assert not page.locator(".agreements-outdated").is_visible()
