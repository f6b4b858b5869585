"""版本比较 in Chromium: a pair's redline page (two published versions), axe in both schemes.

Only the newer version is built (no downloads): the pair page lives with it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import copy_site_project
from tests.browser.conftest import DESKTOP, axe_violations

OLD, NEW = "2021-12-20", "2026-11-28"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from generator.content import lifecycle
    from generator.content.project import load_project
    from generator.site import pages
    from generator.site.build import page_extra
    from generator.site.mkdocs_build import build_version

    work = tmp_path_factory.mktemp("compare-site")
    root = copy_site_project(work / "project")
    lifecycle.publish(root, NEW)
    project = load_project(root)
    version = project.version(NEW)
    pages.write_pages(project, version, work / "docs", lambda p, v: ())
    build_version(work / "docs", work / "site" / NEW, version=NEW, title=project.config.site.title,
                  status=version.status, extra=page_extra(project, version), project_root=root,
                  navigation=pages.NAVIGATION)
    return work / "site"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_pairs_redline_reads_and_is_accessible(browser, base_url, scheme):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(f"{base_url}{NEW}/compare/")
        page.locator(".compare-picker").wait_for()  # the two lists, shown by the script
        page.locator(".compare-picker button").click()
        page.wait_for_url(f"{base_url}{NEW}/compare/{OLD}/")
        assert page.locator("article h1").inner_text().startswith(f"{OLD} 与 {NEW} 比较")
        assert page.locator(".redline ins, .redline del").count() > 0
        assert axe_violations(page, impacts=("moderate", "serious", "critical")) == []
    finally:
        context.close()
