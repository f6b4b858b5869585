"""The whole versioned site: every version built, cached and laid out side by side.

for each version: pages + its downloads (given by the caller) → MkDocs → DIR/<version>/
→ versions.json (mike's format), the `latest` alias, the root index.

The downloads (the version's generic PDF) come from the contracts job through
:func:`generator.build.build`, so this package never imports it.

A built version is cached under .cache/site/ keyed by a hash of everything
its output depends on (its sources, the previous version's sources for the
redline, the list of versions with their status and 生效日期 for the 历史版本
page, templates, mkdocs.yml, site_config.yml, the generator's code and the
rendering libraries' versions), so after an edit only the edited versions are
rebuilt (publishing or adding a version changes every version's 历史版本 page).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from generator.content.citation import chinese_date
from generator.content.model import Version
from generator.content.project import Project
from generator.content.versions import version_folders
from generator.fingerprint import code_digest, files_digest
from generator.site import feed, layout, mkdocs_build, pages
from generator.site.pages import Downloads

CACHE_DIR = Path(".cache") / "site"
KEPT_VARIANTS = 2  # cache entries kept per version (see _prune_cache)
LATEST = "latest"


def build_site(project: Project, out: Path, downloads: Downloads, *, use_cache: bool = True) -> list[str]:
    """Build every version into ``out``; returns the versions that were rebuilt."""
    out.mkdir(parents=True, exist_ok=True)
    shared = files_digest(project.root, SITE_INPUTS) + _versions_digest(project)
    keys = {version.date: cache_key(project, version, shared) for version in project.versions}
    rebuilt = []
    for version in project.versions:
        cached = project.root / CACHE_DIR / version.date / keys[version.date]
        if not (use_cache and cached.is_dir()):
            _build_version(project, version, cached, downloads)
            rebuilt.append(version.date)
        os.utime(cached)  # most recently used: kept by _prune_cache
        _replace_tree(cached, out / version.date)
    _write_navigation(project, out)
    _prune_cache(project.root, keys)
    return rebuilt


# Besides a version's own sources and its predecessor's (the redline), a built
# version depends on these files, on the generator's code and on the libraries.
SITE_INPUTS = ("mkdocs.yml", "site_config.yml", "templates", "content/search-synonyms.yml",
               "content/releases.yml")


def cache_key(project: Project, version: Version, shared: str) -> str:
    """Everything a version's built folder depends on, hashed."""
    previous = project.previous(version)
    parts = [code_digest(), shared, version.source_sha256, previous.source_sha256 if previous else ""]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _versions_digest(project: Project) -> str:
    """What the 历史版本 page and the draft notice show of the other versions."""
    rows = [(v.date, v.status, v.effective) for v in project.versions]
    latest = project.latest_published
    return hashlib.sha256(json.dumps([rows, latest and latest.date]).encode()).hexdigest()


def page_extra(project: Project, version: Version) -> dict:
    """What the theme shows around a version's pages (see templates/site/overrides/main.html)."""
    config = project.config
    dates = pages.validity(project, version)
    return {"company": config.provider.name, "product": config.product,
            "copyright": config.site.copyright, "label": pages.status_label(project, version),
            "has_current": project.latest_published is not None,
            # The 【立即申请】 page (DIR/acceptance/, written by `agreements build` when the service is
            # configured) accepts the version in force: only that version's pages link it.
            "acceptance": bool(config.acceptance.service) and version is project.latest_published,
            "effective": dates.effective, "superseded": dates.superseded,
            "effective_text": chinese_date(dates.effective) if dates.effective else None,
            "superseded_text": chinese_date(dates.superseded) if dates.superseded else None}


def _build_version(project: Project, version: Version, destination: Path, downloads: Downloads) -> None:
    """Pages and downloads into a scratch folder, MkDocs into another, then move into the cache."""
    with tempfile.TemporaryDirectory(prefix="agreements-") as scratch:
        docs, built = Path(scratch) / "docs", Path(scratch) / "site"
        pages.write_pages(project, version, docs, downloads)
        for download in downloads(project, version):
            (docs / download.name).write_bytes(download.render())
        mkdocs_build.build_version(
            docs, built, version=version.date, title=project.config.site.title, status=version.status,
            extra=page_extra(project, version), project_root=project.root,
            site_url=project.config.site.url, navigation=pages.NAVIGATION,
        )
        _replace_tree(built, destination)


def _replace_tree(source: Path, target: Path) -> None:
    """Copy ``source`` over ``target`` via a sibling, so a reader never sees half a folder."""
    staging = target.with_name(f".{target.name}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, staging)
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)


def _write_navigation(project: Project, out: Path) -> None:
    latest = project.latest_published
    entries = [layout.VersionEntry(v.date, f"{v.date}（{pages.status_label(project, v)}）",
                                 (LATEST,) if v is latest else ()) for v in project.versions]
    layout.write_versions_json(out, entries)
    target = latest or project.newest
    layout.write_alias_redirects(out, LATEST, target.date)
    layout.write_root_index(out, f"{LATEST}/")
    layout.write_root_404(out, target.date)
    feed.write_feed(project, out)
    layout.write_root_sitemap(out, _page_urls(project, out))
    known = {v.date for v in project.versions} | {LATEST}
    for stale in out.iterdir():  # versions removed from the sources leave the site too
        if stale.is_dir() and stale.name not in known and not stale.name.startswith("."):
            if (stale / "index.html").is_file() and (stale / "search").is_dir():
                shutil.rmtree(stale)


def _page_urls(project: Project, out: Path) -> list[str]:
    """Every built page's public URL, when site.url is set (else none: no fake host)."""
    site_url = project.config.site.url
    if not site_url:
        return []
    base = site_url.rstrip("/") + "/"
    return [base + page.parent.relative_to(out).as_posix().rstrip(".") + "/"
            for version in project.versions for page in sorted((out / version.date).rglob("index.html"))
            if "search" not in page.parts]


def _prune_cache(root: Path, keys: dict[str, str]) -> None:
    """Keep, per built version, the entry just used and the one used before it, none for
    versions gone from content/. Two, because a public build (`--published-only`) and a
    full one differ in the 历史版本 page and may alternate."""
    cache = root / CACHE_DIR
    if not cache.is_dir():
        return
    existing = {folder.name for folder in version_folders(root)}
    for entry in cache.iterdir():
        if entry.name not in existing:
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name in keys:
            others = sorted((e for e in entry.iterdir() if e.name != keys[entry.name]),
                            key=lambda e: e.stat().st_mtime_ns, reverse=True)
            for stale in others[KEPT_VARIANTS - 1:]:
                shutil.rmtree(stale, ignore_errors=True)
