"""The site offers each version's redline from its predecessor as .docx, linked on 变更记录."""

from __future__ import annotations

import re
import urllib.parse

import pytest

from word_helpers import NEW, OLD

REDLINE = f"redline_{OLD}_{NEW}.docx"


@pytest.fixture(scope="module")
def site(real_site):
    return real_site.site  # the session's one build of the real project (tests/conftest.py)


def test_the_redline_sits_next_to_the_versions_pdf(site, word_files):
    folder = site / NEW
    assert (folder / f"agreement-{NEW}.pdf").is_file()
    assert (folder / REDLINE).read_bytes() == word_files.redline.read_bytes()  # what `redline` writes
    assert not list((site / OLD).glob("redline_*.docx"))  # the first version has nothing to compare


def test_the_changes_page_links_it(site):
    page = site / NEW / "changes" / "index.html"
    hrefs = re.findall(r'<a href="([^"]+\.docx)"[^>]*\bdownload\b', page.read_text(encoding="utf-8"))
    assert len(hrefs) == 1
    target = (page.parent / urllib.parse.unquote(hrefs[0])).resolve()
    assert target == (site / NEW / REDLINE).resolve()
