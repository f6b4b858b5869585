"""The real agreement site (both versions of content/) in Chromium, as a customer uses it.

Built from a copy of the project in a temporary folder (its cache included), served by
a plain static server, read on a desktop (1366×900) and a phone (390×844) screen.
"""

from __future__ import annotations

import re
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    SCREENS,
    axe_violations,
    compose_query,
    paste_query,
    results,
    type_query,
)

PUBLISHED, DRAFT = "2021-12-20", "2026-11-28"
CLAUSE = "obligations.sms.bombing"
ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


@pytest.fixture(scope="module")
def site(real_site) -> Path:
    return real_site.site  # the session's one build of the real project (tests/conftest.py)


def _pages(site: Path) -> list[str]:
    """Every page of every version, as URL paths."""
    return [str(index.parent.relative_to(site).as_posix()) + "/"
            for version in (PUBLISHED, DRAFT) for index in sorted((site / version).rglob("index.html"))
            if "search" not in index.parent.parts]


def test_root_opens_the_latest_published_version(page, base_url):
    page.goto(base_url)
    page.wait_for_url(f"{base_url}{PUBLISHED}/")
    assert "数据技术服务使用协议" in page.locator("article h1").first.inner_text()


# --------------------------------------------------------------------------
# Search


def _first_result_is_clause_4_2_5(page) -> None:
    first = results(page)[0]
    assert first.locator(".agreements-search__title").inner_text() == "「用户的权利与义务」第4.2.5条"
    assert "由于短信接口调用频次通常较大" in first.inner_text()  # its own text, unfolded
    assert first.get_attribute("href").endswith(f"#{CLAUSE}")


@SCREENS
def test_typing_finds_the_clause_itself_first_and_opens_it(open_page, base_url, screen):
    page = open_page(screen)
    type_query(page, f"{base_url}{PUBLISHED}/", "短信轰炸")
    _first_result_is_clause_4_2_5(page)
    assert page.locator(".agreements-search__status").inner_text() == f"找到 {len(results(page))} 条"
    page.keyboard.press("Enter")  # the first result
    page.wait_for_url(f"{base_url}{PUBLISHED}/#{CLAUSE}")
    clause = page.locator(f"[id='{CLAUSE}']")
    assert clause.inner_text().startswith("4.2.5") and clause.is_visible()
    assert page.locator("#agreements-search").is_hidden()


def test_an_input_method_commit_searches(page, base_url):
    compose_query(page, f"{base_url}{PUBLISHED}/", "短信轰炸", "duanxinhongzha")
    _first_result_is_clause_4_2_5(page)


def test_pasting_without_a_key_searches(page, base_url):
    paste_query(page, f"{base_url}{PUBLISHED}/", "短信轰炸")
    _first_result_is_clause_4_2_5(page)


@pytest.mark.parametrize(("query", "title", "target"), [
    ("第4.2.5条", "「用户的权利与义务」第4.2.5条", f"{PUBLISHED}/#{CLAUSE}"),
    ("附录二第3条", "附录二第3条", f"{PUBLISHED}/prohibited/#prohibited.national-honor"),
    ("附录一", "附录一 示范授权条款（信息主体签署）", f"{PUBLISHED}/consent/"),
    ("发票", "「服务开通、付款与扣费」第1条", f"{PUBLISHED}/#payment.prepaid"),
])
def test_citations_and_the_readers_words_land_on_the_clause(page, base_url, query, title, target):
    """A few of tests/fixtures/search-questions.yml (all run in tests/site/test_search.py), here in the UI."""
    type_query(page, f"{base_url}{PUBLISHED}/consent/", query)  # from another page than the hit's
    first = results(page)[0]
    assert first.locator(".agreements-search__title").inner_text() == title
    first.click()
    page.wait_for_url(base_url + target)


def test_a_query_the_agreement_does_not_cover_says_so(page, base_url):
    type_query(page, f"{base_url}{PUBLISHED}/", "火星移民")
    status = page.locator(".agreements-search__status")
    status.filter(has_text="本协议没有涉及").wait_for()
    assert "“火星移民”" in status.inner_text()
    assert page.locator("a.agreements-search__hit").count() == 0


def test_no_result_repeats_another_and_nothing_copyable_holds_a_zero_width_space(page, base_url):
    type_query(page, f"{base_url}{PUBLISHED}/", "服务")
    shown = results(page)
    count = int(re.search(r"\d+", page.locator(".agreements-search__status").inner_text()).group())
    texts = [r.inner_text() for r in shown]
    assert count > 30 and len(set(texts)) == len(texts) == count
    assert not ZERO_WIDTH.search(page.locator("#agreements-search").inner_text())
    assert not ZERO_WIDTH.search(page.locator("article.md-content__inner").inner_text())


# --------------------------------------------------------------------------
# Links to clauses


@SCREENS
def test_each_clause_has_a_visible_control_that_copies_its_link(open_page, base_url, screen):
    page = open_page(screen)
    page.goto(f"{base_url}{PUBLISHED}/?h=短信#obligations.sms.sender")
    link = page.locator(f"[id='{CLAUSE}'] a.clause-link")
    link.scroll_into_view_if_needed()
    assert link.is_visible()
    assert page.locator("a.clause-link").count() == page.locator("article .clause[id]").count()
    link.click()
    page.locator(f"[id='{CLAUSE}'] .clause-link__note", has_text="已复制").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    # how to cite it, then its absolute address without the ?h= of a search
    assert copied == f"《数据技术服务使用协议》（2021年12月20日版）「用户的权利与义务」第4.2.5条 {base_url}{PUBLISHED}/#{CLAUSE}"


def test_clause_anchor_opens_at_the_clause(page, base_url):
    page.goto(f"{base_url}{PUBLISHED}/#{CLAUSE}")
    clause = page.locator(f"[id='{CLAUSE}']")
    clause.wait_for()
    page.wait_for_function(
        "id => { const r = document.getElementById(id).getBoundingClientRect();"
        " return r.top >= 0 && r.top < window.innerHeight; }", arg=CLAUSE)
    assert page.evaluate("window.scrollY") > 0
    assert clause.inner_text().startswith("4.2.5")


# --------------------------------------------------------------------------
# Versions


@SCREENS
def test_the_version_selector_stays_reachable_at_a_clause_and_keeps_the_page(open_page, base_url, screen):
    page = open_page(screen)
    page.goto(f"{base_url}{PUBLISHED}/#{CLAUSE}")
    page.wait_for_function("window.scrollY > 1000")
    current = page.locator(".md-version__current")
    current.wait_for()
    assert current.is_visible() and current.inner_text().strip() == f"{PUBLISHED}（当前版本）"
    box = current.bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= 60  # in the header, on screen
    titles = [t.strip() for t in page.locator(".md-version__link").all_inner_texts()]
    assert titles == [f"{DRAFT}（草案）", f"{PUBLISHED}（当前版本）"]
    if screen == DESKTOP:
        page.locator(".md-version").hover()
    else:  # a tap focuses the button, which opens the list
        current.focus()
    page.locator(".md-version__link", has_text=DRAFT).click()
    page.wait_for_url(f"{base_url}{DRAFT}/#{CLAUSE}")  # the same clause in the other version


def test_the_phone_shows_the_whole_site_title(open_page, base_url):
    page = open_page(PHONE)
    page.goto(f"{base_url}{PUBLISHED}/")
    title = page.locator(".md-header__topic .md-ellipsis").first
    assert title.inner_text().strip() == "知数云 数据技术服务使用协议"
    assert title.evaluate("el => el.scrollWidth <= el.clientWidth"), "the title is cut"
    page.locator(".md-version__current").wait_for()
    assert page.locator(".md-version__current").is_visible()


def test_the_history_page_lists_every_version_with_its_downloads(page, base_url):
    page.goto(f"{base_url}{PUBLISHED}/history/")
    rows = page.locator("article table tbody tr")
    assert rows.count() == 2
    cells = [[c.strip() for c in rows.nth(i).locator("th, td").all_inner_texts()] for i in range(2)]
    assert cells[0][0] == DRAFT and cells[0][1:3] == ["草案", "2027-01-01"]
    assert cells[0][3] == f"与 {PUBLISHED} 相比"
    assert cells[1][0].startswith(PUBLISHED) and cells[1][1:3] == ["当前版本", "2021-12-20"]  # its release record
    for link in page.locator("article table a").all():  # every link leads somewhere real
        with urllib.request.urlopen(link.evaluate("a => a.href")) as response:  # loopback only
            assert response.status == 200
            if link.get_attribute("href").endswith(".pdf"):
                assert response.read(5) == b"%PDF-"


def test_the_effective_date_is_shown_for_every_version(page, base_url):
    page.goto(f"{base_url}{DRAFT}/")
    assert "生效日期 2027-01-01" in page.locator(".version-facts").inner_text()
    page.goto(f"{base_url}{PUBLISHED}/")
    assert "生效日期 2021-12-20" in page.locator(".version-facts").inner_text()


def test_pdf_link_serves_a_pdf(page, base_url):
    page.goto(f"{base_url}{PUBLISHED}/")
    href = page.locator(".version-facts a[href$='.pdf']").get_attribute("href")
    with urllib.request.urlopen(f"{base_url}{PUBLISHED}/{href}") as response:  # loopback only
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.read(5) == b"%PDF-"


# --------------------------------------------------------------------------
# Drafts


def test_a_draft_says_so_and_links_to_the_same_clause_in_force(page, base_url):
    page.goto(f"{base_url}{DRAFT}/")
    assert page.locator(".md-banner", has_text="草案，尚未生效").is_visible()
    notice = page.locator(".agreements-draft-notice")
    assert "草案" in notice.inner_text() and "仅供审阅" in notice.inner_text()
    page.locator(".md-version").wait_for()
    assert page.locator(".agreements-outdated").count() == 0
    page.goto(f"{base_url}{DRAFT}/consent/#consent.grant")
    page.locator(".agreements-draft-notice a").click()
    page.wait_for_url(f"{base_url}{PUBLISHED}/consent/#consent.grant")
    page.goto(f"{base_url}{PUBLISHED}/")
    assert page.locator(".md-banner", has_text="草案").count() == 0


def _printed_pages(page, url: str, tmp_path: Path) -> list[str]:
    page.goto(url)
    pdf = tmp_path / "printed.pdf"
    page.pdf(path=str(pdf), format="A4")
    count = int(re.search(r"Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout).group(1))
    return [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout for n in range(1, count + 1)]


def test_every_printed_page_of_a_draft_says_draft(page, base_url, tmp_path):
    printed = _printed_pages(page, f"{base_url}{DRAFT}/", tmp_path)
    assert len(printed) > 3
    assert all("草案" in text for text in printed), [i for i, t in enumerate(printed, 1) if "草案" not in t]
    assert not any("草案" in text for text in _printed_pages(page, f"{base_url}{PUBLISHED}/", tmp_path))


# --------------------------------------------------------------------------
# Accessibility and language


@SCREENS
def test_no_serious_accessibility_problem_on_any_page(open_page, base_url, site, screen):
    page = open_page(screen)
    problems = {}
    for path in _pages(site):
        page.goto(base_url + path)
        page.locator(".md-version__current").wait_for()  # the selector is part of the page
        problems[path] = axe_violations(page)
    assert len(problems) == 12  # six pages (版本比较 included) of each version
    assert not any(problems.values()), {k: v for k, v in problems.items() if v}


def test_no_serious_accessibility_problem_with_search_results_open(page, base_url):
    type_query(page, f"{base_url}{DRAFT}/", "短信")
    results(page)
    assert axe_violations(page) == []


def test_every_interface_string_is_chinese(page, base_url, site):
    english = re.compile(r"\b(?!PDF\b|API\b|Word\b|WPS\b)[A-Za-z]{3,}\b")  # names, not words
    for path in _pages(site)[:5]:
        page.goto(base_url + path)
        page.locator(".md-version__current").wait_for()
        labels = page.evaluate("""() => [...document.querySelectorAll('[title], [aria-label], [placeholder]')]
            .flatMap(el => [el.title, el.getAttribute('aria-label'), el.placeholder].filter(Boolean))""")
        chrome = page.locator(".md-header, .md-sidebar--primary, .md-footer, .agreements-search").all_inner_texts()
        found = {word for text in [*labels, *chrome] for word in english.findall(text)}
        assert not found, (path, found)


# --------------------------------------------------------------------------
# Round 2: the 404 page, phones, the dark scheme, print, dates from the reader's clock


@pytest.mark.parametrize("missing", ["no-such-page", "2021-12-20/consent/no/such/deep/page/"])
def test_the_404_page_is_styled_and_its_links_work_at_any_depth(page, base_url, missing):
    response = page.goto(base_url + missing)
    assert response.status == 404
    assert "页面不存在" in page.locator("article h1").inner_text()
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") in ("sticky", "fixed")
    for link in page.locator(".md-nav__link[href]").all()[:6]:  # the navigation leads to real pages
        with urllib.request.urlopen(link.evaluate("a => a.href")) as reached:  # loopback only
            assert reached.status == 200
    assert axe_violations(page, impacts=("minor", "moderate", "serious", "critical")) == []


def test_the_history_table_fits_a_360_px_phone_with_dates_unbroken(open_page, base_url):
    page = open_page({"width": 360, "height": 740})
    page.goto(f"{base_url}{PUBLISHED}/history/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for cell in page.locator("table.version-history tbody th a").all():
        box = cell.bounding_box()
        assert box["height"] < 30, "a date wraps"


def test_titles_have_no_gap_and_touch_targets_are_24_px(open_page, base_url):
    page = open_page(PHONE)
    page.goto(f"{base_url}{PUBLISHED}/")
    gap = page.evaluate("""() => { const h = document.querySelector('article h1');
        return h.nextElementSibling.getBoundingClientRect().top - h.getBoundingClientRect().bottom; }""")
    assert gap < 20, gap
    link = page.locator(f"[id='{CLAUSE}'] a.clause-link").bounding_box()
    assert link["width"] >= 24 and link["height"] >= 24


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_scheme_follows_the_system_and_the_toggle_and_stays_accessible(browser, base_url, scheme):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", color_scheme=scheme)
    page = context.new_page()
    try:
        for path in (f"{PUBLISHED}/", f"{DRAFT}/changes/", f"{PUBLISHED}/history/", f"{PUBLISHED}/compare/",
                     "no/such/page"):
            page.goto(base_url + path)
            expected = "slate" if scheme == "dark" else "default"
            assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == expected
            assert axe_violations(page, impacts=("moderate", "serious", "critical")) == [], path
        page.goto(f"{base_url}{PUBLISHED}/")
        page.locator("form[data-md-component=palette] label:visible").first.click()
        flipped = "default" if scheme == "dark" else "slate"
        page.wait_for_function("s => document.body.getAttribute('data-md-color-scheme') === s", arg=flipped)
    finally:
        context.close()


@pytest.mark.parametrize(("now", "label"), [
    ("2021-12-19T15:59:00Z", "将于2021年12月20日生效"),  # 23:59 北京时间 the day before
    ("2021-12-19T16:00:00Z", "现行有效"),  # 00:00 北京时间: in force
])
def test_the_status_comes_from_the_readers_clock(page, base_url, now, label):
    page.clock.set_fixed_time(now)
    page.goto(f"{base_url}{PUBLISHED}/")
    assert page.locator(".agreements-validity__label").inner_text().startswith(label)


def test_without_scripts_the_dates_alone_say_it(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{base_url}{PUBLISHED}/")
        assert page.locator(".agreements-validity").inner_text() == "生效日期：2021年12月20日（北京时间零时起）。"
    finally:
        context.close()


def test_every_page_links_the_feed(page, base_url, site):
    for path in _pages(site)[:5]:
        page.goto(base_url + path)
        href = page.locator("link[rel=alternate][type='application/atom+xml']").evaluate("l => l.href")
        assert href == f"{base_url}feed.xml"


def test_printed_pages_carry_the_version_effective_date_and_page_numbers(page, base_url, tmp_path):
    printed = _printed_pages(page, f"{base_url}{PUBLISHED}/", tmp_path)
    for number, text in enumerate(printed, start=1):
        flat = " ".join(text.split())
        assert f"第 {number} 页，共 {len(printed)} 页" in flat, number
        assert "版本 2021-12-20 · 生效日期 2021-12-20 · 2021-12-20/" in flat, number


def test_a_superseded_version_says_so_with_its_period_of_validity(page, base_url):
    """As a page of 2021-12-20 will read once a successor takes effect on 2027-01-04 (the
    page as the build would write it then: only data-superseded differs)."""
    def successor_recorded(route):
        body = route.fetch().text().replace('data-superseded=""', 'data-superseded="2027-01-04"')
        route.fulfill(body=body, headers={"content-type": "text/html; charset=utf-8"})

    page.route(f"{base_url}{PUBLISHED}/", successor_recorded)
    page.clock.set_fixed_time("2027-01-03T16:00:00Z")  # 00:00 北京时间 on 2027-01-04
    page.goto(f"{base_url}{PUBLISHED}/")
    label = page.locator(".agreements-validity__label").inner_text()
    assert label == "已被新版本替代：有效期为2021年12月20日至2027年1月3日，依本版本签订的合同继续有效。"
