"""The versioned static site (generator/site/mkdocs_build.py), built from small fixture pages."""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from pathlib import Path

import pytest

from generator.site.layout import (
    SiteBuildError,
    VersionEntry,
    write_alias_redirects,
    write_root_index,
    write_versions_json,
)
from generator.site.mkdocs_build import build_version

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PUBLISHED, DRAFT = "2021-12-20", "2025-01-01"
BANNER = "草案，尚未生效"
EXTRA = {"company": "北京静觅网络科技有限公司", "product": "知数云"}
TITLE = "知数云数据技术服务使用协议"
CLAUSE_ID = "obligations.sms.bombing"

INDEX_MD = """\
# 数据技术服务使用协议

**特别提醒：**用户在确认签署本服务条款之前，请务必仔细阅读本服务条款之全部内容。

## 服务范围

本协议是用户使用北京静觅网络科技有限公司子产品知数云 API、代理、数据服务技术服务所订立的协议。

相关条款见[用户义务](obligations.md#{clause})。
"""

OBLIGATIONS_MD = """\
# 用户义务

## 一般义务

{filler}

## 短信接口使用规范

<p class="clause" id="{clause}"><span class="num">4.2.5</span> 由于短信接口调用频次通常较大，\
用户应当合理设置调用频率，避免被用于短信轰炸或用于其他非基于用户真实需求的不合理行为。</p>

## 其他义务

用户应遵守中华人民共和国法律法规。{extra}
"""


def write_fixture_pages(docs: Path, *, extra_text: str = "") -> Path:
    """Two pages of Chinese text; the clause sits far enough down to need scrolling."""
    docs.mkdir(parents=True, exist_ok=True)
    assets = PROJECT_ROOT / "templates" / "site" / "assets"  # as generator/site/pages.py does
    if assets.is_dir():
        shutil.copytree(assets, docs / "assets", dirs_exist_ok=True)
    filler = "\n\n".join(f"{i}. 用户应当妥善保管账号信息，并对账号下的全部行为承担责任。" for i in range(1, 41))
    (docs / "index.md").write_text(INDEX_MD.format(clause=CLAUSE_ID), encoding="utf-8")
    (docs / "obligations.md").write_text(
        OBLIGATIONS_MD.format(clause=CLAUSE_ID, filler=filler, extra=extra_text), encoding="utf-8"
    )
    return docs


NAVIGATION = ("index.md", "obligations.md")


def build_one(docs: Path, out: Path, *, version: str = PUBLISHED, status: str = "published",
              project_root: Path = PROJECT_ROOT, site_url: str | None = None) -> None:
    build_version(docs, out, version=version, title=TITLE, status=status, extra=EXTRA,
                  project_root=project_root, navigation=NAVIGATION, site_url=site_url)


def build_fixture_site(work: Path) -> Path:
    """Build a published and a draft version side by side in ``work/site``; return it."""
    out = work / "site"
    for version, status, text in ((PUBLISHED, "published", ""), (DRAFT, "draft", "本版本新增数据安全条款。")):
        docs = write_fixture_pages(work / "pages" / version, extra_text=text)
        build_one(docs, out / version, version=version, status=status)
    write_versions_json(out, [VersionEntry(PUBLISHED, aliases=("latest",)), VersionEntry(DRAFT, title=f"{DRAFT}（草案）")])
    write_alias_redirects(out, "latest", PUBLISHED)
    write_root_index(out, "latest/")
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_fixture_site(tmp_path_factory.mktemp("site-a"))


def _redirect_target(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    script = re.search(r'location\.replace\(("[^"]*")', text)
    meta = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', text)
    assert script and meta, f"{page} is not a redirect page"
    assert json.loads(script.group(1)) == unescape(meta.group(1))
    assert "location.search + location.hash" in text  # keeps ?q= and #clause
    return json.loads(script.group(1))


# --------------------------------------------------------------------------


def test_versions_json_is_mikes_format(site: Path):
    data = json.loads((site / "versions.json").read_text(encoding="utf-8"))
    assert isinstance(data, list)
    assert [d["version"] for d in data] == [DRAFT, PUBLISHED]  # newest first
    for entry in data:
        assert set(entry) == {"version", "title", "aliases"}
        assert isinstance(entry["title"], str) and isinstance(entry["aliases"], list)
    by_version = {d["version"]: d for d in data}
    assert by_version[PUBLISHED]["aliases"] == ["latest"]
    assert by_version[DRAFT]["aliases"] == []
    assert by_version[PUBLISHED]["title"] == PUBLISHED


def test_root_index_and_latest_redirect_to_the_published_version(site: Path):
    assert _redirect_target(site / "index.html") == "latest/"
    assert _redirect_target(site / "latest" / "index.html") == f"../{PUBLISHED}/"
    assert _redirect_target(site / "latest" / "obligations" / "index.html") == f"../../{PUBLISHED}/obligations/"
    # every page of the version has its redirect, and every redirect lands on a page
    pages = {p.relative_to(site / PUBLISHED) for p in (site / PUBLISHED).rglob("*.html")}
    aliases = {p.relative_to(site / "latest") for p in (site / "latest").rglob("*.html")}
    assert pages == aliases
    for rel in aliases:
        target = (site / "latest" / rel).parent / _redirect_target(site / "latest" / rel)
        assert (target / "index.html" if target.is_dir() else target).is_file()


def test_draft_pages_carry_the_banner_and_published_ones_do_not(site: Path):
    draft_pages = sorted((site / DRAFT).rglob("*.html"))
    published_pages = sorted((site / PUBLISHED).rglob("*.html"))
    assert len(draft_pages) == len(published_pages) == 3  # index, obligations, 404
    for page in draft_pages:
        assert 'data-agreements-status="draft"' in page.read_text(encoding="utf-8"), page
    for page in published_pages:
        text = page.read_text(encoding="utf-8")
        assert BANNER not in text, page
        assert '<aside class="md-banner">' not in text, page  # no empty announcement bar


def test_header_footer_and_clause_markup(site: Path):
    page = (site / PUBLISHED / "obligations" / "index.html").read_text(encoding="utf-8")
    assert "© 北京静觅网络科技有限公司 · 知数云" in page
    assert f"版本 {PUBLISHED}" in page
    assert f"<title>用户义务 - {TITLE}</title>" in page
    assert f'<p class="clause" id="{CLAUSE_ID}"><span class="num">4.2.5</span>' in page
    # the version selector is configured for mike's versions.json
    config = json.loads(re.search(r'<script id="__config" type="application/json">(.*?)</script>', page, re.S).group(1))
    assert config["version"]["provider"] == "mike"


RESOURCE_URL = re.compile(
    r"""(?:\b(?:src|href|srcset|poster|data|action)\s*=\s*["']?\s*|url\(\s*["']?|@import\s+["'])(?:https?:)?//""",
    re.I,
)


def test_nothing_is_loaded_from_other_hosts(site: Path):
    offenders = []
    for path in sorted(site.rglob("*")):
        if path.suffix not in (".html", ".css", ".js"):
            continue
        text = path.read_text(encoding="utf-8")
        for m in RESOURCE_URL.finditer(text):
            offenders.append(f"{path.relative_to(site)}: {text[m.start():m.end() + 60]!r}")
    assert not offenders, "\n".join(offenders)
    page = (site / PUBLISHED / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis.com" not in page and "fonts.gstatic.com" not in page


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_two_builds_are_byte_identical(site: Path, tmp_path: Path):
    again = build_fixture_site(tmp_path)
    first, second = _tree(site), _tree(again)
    assert sorted(first) == sorted(second)
    differing = [name for name in first if first[name] != second[name]]
    assert not differing, differing
    assert "2021-12-20/index.html" in first


def test_no_sitemap_without_a_real_site_url(site: Path, tmp_path: Path):
    """A sitemap could only name a fake host; with the site's URL it names the real pages."""
    for version in (PUBLISHED, DRAFT):
        assert not (site / version / "sitemap.xml").exists() and not (site / version / "sitemap.xml.gz").exists()
    build_one(write_fixture_pages(tmp_path / "pages"), tmp_path / "out", site_url="https://example.com/agreement/")
    locs = re.findall(r"<loc>([^<]+)</loc>", (tmp_path / "out" / "sitemap.xml").read_text(encoding="utf-8"))
    assert locs == [f"https://example.com/agreement/{PUBLISHED}/", f"https://example.com/agreement/{PUBLISHED}/obligations/"]
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="https://example.com/agreement/{PUBLISHED}/">' in page


def test_materials_search_and_source_maps_are_not_shipped(site: Path):
    """The site's own search (assets/search.js) replaces Material's worker, which is never patched."""
    scripts = site / PUBLISHED / "assets" / "javascripts"
    assert not (scripts / "workers").exists() and not (scripts / "lunr").exists()
    assert not list((site / PUBLISHED).rglob("*.map"))
    page = (site / PUBLISHED / "index.html").read_text(encoding="utf-8")
    assert 'data-md-component="search"' not in page
    assert '<div id="agreements-search"' in page and 'src="assets/search.js" defer' in page


def test_404_links_are_absolute_paths_under_the_base(site: Path, tmp_path: Path):
    """Shown at any depth, the not-found page's links and assets must not be relative."""
    page = (site / PUBLISHED / "404.html").read_text(encoding="utf-8")
    assert f'src="/{PUBLISHED}/assets/agreements.js"' in page
    assert not re.search(r'(?:href|src)="(?!/|#|https?:|data:)', page)
    build_one(write_fixture_pages(tmp_path / "pages"), tmp_path / "out", site_url="https://example.com/agreement/")
    page = (tmp_path / "out" / "404.html").read_text(encoding="utf-8")
    assert f'src="/agreement/{PUBLISHED}/assets/agreements.js"' in page


# --------------------------------------------------------------------------
# Failures


def test_a_broken_anchor_fails_the_build(tmp_path: Path):
    docs = write_fixture_pages(tmp_path / "pages", extra_text="\n\n见[不存在的条款](obligations.md#no.such.clause)。")
    with pytest.raises(SiteBuildError) as info:
        build_one(docs, tmp_path / "out")
    assert "no.such.clause" in str(info.value)


def test_extra_css_must_be_among_the_pages(tmp_path: Path):
    docs = write_fixture_pages(tmp_path / "pages")
    config = (PROJECT_ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    root = tmp_path / "project"
    shutil.copytree(PROJECT_ROOT / "templates" / "site" / "overrides", root / "templates" / "site" / "overrides")
    assert "  - path: assets/agreements.js\n" in config
    (root / "mkdocs.yml").write_text(config.replace("  - path: assets/agreements.js\n", "  - path: https://unpkg.com/x.js\n"),
                                     encoding="utf-8")
    with pytest.raises(SiteBuildError, match="is a URL"):
        build_one(docs, tmp_path / "out", project_root=root)


def test_unknown_status_is_rejected(tmp_path: Path):
    docs = write_fixture_pages(tmp_path / "pages")
    with pytest.raises(SiteBuildError, match="status"):
        build_one(docs, tmp_path / "out", status="final")


@pytest.mark.parametrize(
    "versions",
    [
        [VersionEntry("a", aliases=("latest",)), VersionEntry("b", aliases=("latest",))],
        [VersionEntry("a", aliases=("b",)), VersionEntry("b")],
        [VersionEntry("a"), VersionEntry("a")],
        [VersionEntry("../a")],
    ],
)
def test_versions_json_rejects_ambiguous_entries(tmp_path: Path, versions):
    with pytest.raises(SiteBuildError):
        write_versions_json(tmp_path, versions)
