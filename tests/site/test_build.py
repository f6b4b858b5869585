"""`agreements build` on the real content: fidelity, versions, self-contained, reproducible."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from helpers import ROOT, copy_site_project, fold, reference_bold_passages, reference_paragraphs, run_cli

PUBLISHED, DRAFT = "2021-12-20", "2026-11-28"
PAGES = ("index.html", "consent/index.html", "prohibited/index.html")


@pytest.fixture(scope="module")
def project_root(real_site) -> Path:
    """A copy of the project: a build writes its cache under the project's root, never the checkout's."""
    return real_site.root


@pytest.fixture(scope="module")
def built(real_site) -> Path:
    return real_site.site  # the session's one build of the real project, without the cache


def _text(markup: str) -> str:
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S)
    markup = re.sub(r'<a class="headerlink"[^>]*>.*?</a>', "", markup, flags=re.S)
    return fold(html.unescape(re.sub(r"<[^>]+>", "", markup)))


def _article(path: Path) -> str:
    page = path.read_text(encoding="utf-8")
    match = re.search(r"<article\b.*?</article>", page, re.S)
    assert match, f"no article in {path}"
    return match.group(0)


def test_every_reference_paragraph_is_on_the_published_pages(built):
    text = " ".join(_text(_article(built / PUBLISHED / page)) for page in PAGES)
    missing = [p for p in reference_paragraphs() if p not in text]
    assert not missing, missing[:3]


def test_every_bold_passage_is_one_strong_element(built):
    strong = set()
    for page in PAGES:
        for inner in re.findall(r"<strong>(.*?)</strong>", _article(built / PUBLISHED / page), re.S):
            strong.add(_text(inner))
    missing = [p for p in reference_bold_passages() if p not in strong]
    assert not missing, missing[:3]


def test_clause_numbers_are_text_and_clauses_have_stable_anchors(built):
    for version in (PUBLISHED, DRAFT):
        page = (built / version / "index.html").read_text(encoding="utf-8")
        match = re.search(r'<div class="clause depth-3" id="obligations\.sms\.bombing"><p><span class="num">4\.2\.5</span> 由于短信', page)
        assert match, version


def test_references_link_to_the_clause_with_its_number(built):
    page = (built / PUBLISHED / "index.html").read_text(encoding="utf-8")
    assert page.count('<a class="ref" href="#obligations.personal-info">2</a>') == 2


def test_versions_json_is_mike_format_with_latest_on_the_published_version(built):
    versions = json.loads((built / "versions.json").read_text(encoding="utf-8"))
    assert [v["version"] for v in versions] == [DRAFT, PUBLISHED]
    assert {v["version"]: v["aliases"] for v in versions} == {DRAFT: [], PUBLISHED: ["latest"]}
    root = (built / "index.html").read_text(encoding="utf-8")
    assert "latest/" in root
    assert (built / "latest" / "index.html").read_text(encoding="utf-8").count(f"../{PUBLISHED}/") >= 1


def test_draft_pages_carry_the_banner_and_published_pages_do_not(built):
    for page in PAGES + ("changes/index.html",):
        assert "草案，尚未生效" in (built / DRAFT / page).read_text(encoding="utf-8")
        assert 'data-agreements-status="draft"' not in (built / PUBLISHED / page).read_text(encoding="utf-8")


def test_every_page_of_a_version_links_its_generic_pdf(built):
    for version in (PUBLISHED, DRAFT):
        name = f"agreement-{version}.pdf"
        assert (built / version / name).read_bytes().startswith(b"%PDF-")
        for page in PAGES + ("changes/index.html",):
            path = built / version / page
            hrefs = re.findall(r'href="([^"]*' + re.escape(name) + ')"', path.read_text(encoding="utf-8"))
            assert hrefs, page
            for href in hrefs:  # each link resolves to the version's PDF from where the page is
                assert (path.parent / href).resolve() == (built / version / name).resolve(), (page, href)


def test_consent_page_shows_placeholder_labels_with_descriptions(built):
    page = _article(built / PUBLISHED / "consent" / "index.html")
    labels = re.findall(r'<mark class="placeholder" data-placeholder="(\w+)" title="([^"]+)">(【请填写[^<]+】)</mark>', page)
    assert {name for name, _, _ in labels} == {"purpose", "personal_fields", "source_name"}
    assert all(description.strip() for _, description, _ in labels)


def test_changes_page_redlines_the_typo_fixes_at_word_level(built):
    page = _article(built / DRAFT / "changes" / "index.html")
    assert "<del>款</del><ins>条款</ins>" in page.replace("\n", "")
    assert "<ins>服务</ins>" in page or "<del>服</del><ins>服务</ins>" in page
    assert "本协议更新日期" in page
    first = _article(built / PUBLISHED / "changes" / "index.html")
    assert "第一个版本" in first


def test_nothing_is_loaded_from_other_hosts(built):
    external = re.compile(r"""(?:<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//)""", re.I)
    css_external = re.compile(r"""(?:url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:url\()?\s*["']?(?:https?:)?//)""", re.I)
    offenders = []
    for path in built.rglob("*"):
        if path.suffix == ".html" and external.search(path.read_text(encoding="utf-8")):
            offenders.append(path)
        if path.suffix == ".css" and css_external.search(path.read_text(encoding="utf-8")):
            offenders.append(path)
    assert not offenders, offenders[:5]


def test_two_builds_are_byte_identical(built, project_root, tmp_path):
    from generator.build import build
    from generator.content.project import load_project

    import shutil

    root = shutil.copytree(project_root, tmp_path / "project")  # a build writes its cache: not the shared one
    build(load_project(root), tmp_path / "site", use_cache=False)
    first = {p.relative_to(built): p.read_bytes() for p in built.rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path / "site"): p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_build_command_reports_the_rebuilt_versions(tmp_path, capsys, real_site):
    """From the session build's cache, an edit of the draft rebuilds the draft alone, and says so."""
    import shutil

    root = shutil.copytree(real_site.root, tmp_path / "project")
    agreement = root / "content" / "versions" / DRAFT / "agreement.yml"
    agreement.write_text(agreement.read_text(encoding="utf-8").replace("短信轰炸", "短信攻击", 1), encoding="utf-8")
    code, out, err = run_cli(["--root", str(root), "build", "--out", str(tmp_path / "s")], capsys)
    assert code == 0, err
    assert "built 2 version(s)" in out and f"(rebuilt: {DRAFT})" in out
    assert (tmp_path / "s" / "versions.json").is_file()
    # site_config.yml names an acceptance service: the 【立即申请】 block is a page of the site
    assert "立即申请" in (tmp_path / "s" / "acceptance" / "index.html").read_text(encoding="utf-8")
    # ... which every page of the version in force links, and no other version's
    for page in ("index.html", "history/index.html"):
        path = tmp_path / "s" / PUBLISHED / page
        href = re.search(r'<a href="([^"]+)">在线同意本协议</a>', path.read_text(encoding="utf-8")).group(1)
        assert (path.parent / href / "index.html").resolve() == (tmp_path / "s" / "acceptance" / "index.html")
    assert "在线同意本协议" not in (tmp_path / "s" / DRAFT / "index.html").read_text(encoding="utf-8")


def test_titles_with_markup_characters_read_literally(tmp_path, real_site):
    """A title is plain text: Markdown, HTML and YAML syntax in it show as typed. (The copy keeps
    the session build's cache: only the edited draft is built again.)"""
    import shutil

    from generator.build import build
    from generator.content.project import load_project

    root = shutil.copytree(real_site.root, tmp_path / "project")
    title = "知数云 API-服务: (v2) <b>x</b> &amp; *y* | ~z~"
    for path in (root / "content" / "versions" / DRAFT / "agreement.yml",):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("title: 数据技术服务使用协议", f"title: '{title}'", 1)
                        .replace("title: 服务范围", f"title: '{title}'", 1), encoding="utf-8")
    out = tmp_path / "site"
    assert build(load_project(root), out) == [DRAFT]
    page = (out / DRAFT / "index.html").read_text(encoding="utf-8")
    article = _article(out / DRAFT / "index.html")
    h1 = re.search(r"<h1[^>]*>(.*?)<a class=\"headerlink\"", article, re.S).group(1)
    h2 = re.search(r'<h2 id="scope">(.*?)<a class="headerlink"', article, re.S).group(1)
    assert html.unescape(re.sub(r"<[^>]+>", "", h1)).strip() == title
    assert html.unescape(h2).strip() == title
    assert "<b>x</b>" not in article
    assert html.unescape(re.search(r"<title>(.*?)</title>", page).group(1)).startswith(title)


ALL_PAGES = PAGES + ("changes/index.html", "history/index.html")


def test_every_page_has_its_own_meta_description(built):
    for version in (PUBLISHED, DRAFT):
        descriptions = []
        for page in ALL_PAGES:
            text = (built / version / page).read_text(encoding="utf-8")
            [description] = re.findall(r'<meta name="description" content="([^"]+)">', text)
            descriptions.append(html.unescape(description))
        assert len(set(descriptions)) == len(ALL_PAGES), descriptions
        assert all(20 <= len(d) <= 160 and version in d for d in descriptions[:4]), descriptions


def test_search_finds_every_clause_once_under_the_name_a_reader_cites(built):
    from generator.content.citation import citations
    from generator.content.project import load_project

    for version in (PUBLISHED, DRAFT):
        docs = json.loads((built / version / "search" / "index.json").read_text(encoding="utf-8"))["docs"]
        assert len({doc["url"] for doc in docs}) == len(docs)  # every place once
        by_anchor = {doc["url"].partition("#")[2]: doc for doc in docs}
        cited = citations(load_project(ROOT).version(version))
        for clause_id, citation in cited.items():
            assert by_anchor[clause_id]["title"].startswith(citation.text)
        assert by_anchor["obligations.sms.bombing"]["title"] == "「用户的权利与义务」第4.2.5条"
        assert by_anchor["consent.acknowledge"]["title"] == "附录一第2段"
        texts = [tuple(doc["text"]) for doc in docs if doc["text"]]
        assert len(set(texts)) == len(texts), "an entry repeats another's text"


def test_the_copy_link_carries_the_full_citation(built):
    page = (built / PUBLISHED / "index.html").read_text(encoding="utf-8")
    assert ('data-cite="《数据技术服务使用协议》（2021年12月20日版）「用户的权利与义务」第4.2.5条"') in page


def test_interface_strings_are_chinese(built):
    for version in (PUBLISHED, DRAFT):
        for page in ALL_PAGES + ("404.html",):
            text = (built / version / page).read_text(encoding="utf-8")
            assert "Permanent link" not in text and "Not found" not in text, page
            assert 'title="本节的链接"' in text or page == "404.html", page
    versions = json.loads((built / "versions.json").read_text(encoding="utf-8"))
    assert [v["title"] for v in versions] == [f"{DRAFT}（草案）", f"{PUBLISHED}（当前版本）"]


# These tests assert messages in English, the msgids (tests/test_i18n.py checks the Chinese).
pytestmark = pytest.mark.usefixtures("english_messages")
def test_the_root_sitemap_names_no_address_without_a_site_url(built):
    """Material's version selector requests /sitemap.xml; it may only list real addresses."""
    text = (built / "sitemap.xml").read_text(encoding="utf-8")
    assert "<urlset" in text and "<loc>" not in text
    assert not list(built.glob("*/sitemap.xml*"))
    assert (built / "feed.xml").is_file() and (built / "404.html").is_file()


def test_with_a_site_url_the_root_sitemap_lists_every_page(built, tmp_path):
    from generator.content.project import load_project
    from generator.site.build import _page_urls

    root = copy_site_project(tmp_path / "project")
    config = root / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  title:", "  url: https://example.com/terms/\n  title:", 1), encoding="utf-8")
    urls = _page_urls(load_project(root), built)
    assert f"https://example.com/terms/{PUBLISHED}/" in urls
    assert f"https://example.com/terms/{DRAFT}/compare/" in urls and len(urls) == 12
