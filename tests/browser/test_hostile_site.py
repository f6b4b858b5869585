"""The legal team's text is text everywhere: markup and template syntax in titles and clauses
show literally on the page and in search results, and no script of theirs ever runs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from helpers import copy_site_project
from tests.browser.conftest import results, type_query

DRAFT = "2026-11-28"
HOSTILE = '<img src=x onerror="window.__injected=1"><script>window.__injected=2</script>{{ 7*7 }}'
SITE_TITLE = f"知数云{HOSTILE}"
TITLE = f"数据技术服务使用协议{HOSTILE}"
SECTION = f"服务范围{HOSTILE}"
CLAUSE_TEXT = f"注入测试{HOSTILE}本协议是用户使用静觅科技子产品所订立的协议。"
CONSENT_TITLE = f"示范授权条款{HOSTILE}"


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _hostile_agreement(data: dict) -> None:
    data["title"] = TITLE
    scope = data["sections"][0]
    scope["title"] = SECTION
    scope["clauses"][0]["text"] = CLAUSE_TEXT


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from generator.build import build
    from generator.content.project import load_project

    work = tmp_path_factory.mktemp("hostile-site")
    root = copy_site_project(work / "project")
    folder = root / "content" / "versions" / DRAFT  # the published version is locked; the draft is not
    _edit(folder / "agreement.yml", _hostile_agreement)
    _edit(folder / "consent.yml", lambda data: data.update(title=CONSENT_TITLE))
    _edit(root / "site_config.yml", lambda data: data["site"].update(title=SITE_TITLE))
    build(load_project(root), work / "site")
    return work / "site"


def _heading(page, selector: str) -> str:
    return page.locator(selector).inner_text().strip().removesuffix("¶").strip()  # ¶: its permalink


def _nothing_ran(page) -> None:
    assert page.evaluate("typeof window.__injected") == "undefined"
    assert page.locator("img[src='x'], article script").count() == 0


def test_titles_and_clauses_read_literally_on_the_pages(page, base_url):
    page.goto(f"{base_url}{DRAFT}/")
    page.locator(".md-version__current").wait_for()
    assert _heading(page, "article h1") == TITLE
    assert _heading(page, "article h2#scope") == SECTION
    assert page.locator("[id='scope.supplement']").inner_text().startswith(f"1. {CLAUSE_TEXT}")
    assert page.locator(".md-header__topic .md-ellipsis").first.inner_text().strip() == SITE_TITLE
    assert page.title().startswith(f"{TITLE} - {SITE_TITLE}")
    assert page.locator(".md-nav__link", has_text=CONSENT_TITLE).count() >= 1  # the navigation
    assert "49" not in page.locator("article h1").inner_text()  # {{ }} was never evaluated
    _nothing_ran(page)
    page.goto(f"{base_url}{DRAFT}/consent/")
    assert _heading(page, "article h1") == f"附录一 {CONSENT_TITLE}"
    _nothing_ran(page)


def test_titles_and_clauses_read_literally_in_search_results(page, base_url):
    type_query(page, f"{base_url}{DRAFT}/", "注入测试")
    first = results(page)[0]
    assert first.locator(".agreements-search__title").inner_text() == f"「{SECTION}」第1条"
    assert CLAUSE_TEXT in first.inner_text()
    _nothing_ran(page)
    page.locator("#agreements-search-input").fill("")
    page.keyboard.type("示范授权条款")  # the consent page's title
    page.locator(".agreements-search__title", has_text="示范授权条款").first.wait_for()
    assert results(page)[0].locator(".agreements-search__title").inner_text() == f"附录一 {CONSENT_TITLE}"
    _nothing_ran(page)
