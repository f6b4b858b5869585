"""`agreements build`: the whole versioned site, read as the pipeline.

load the project → for each version: pages + generic PDF → MkDocs → DIR/<version>/
→ versions.json (mike's format), the `latest` alias, the root index.

A built version is cached under .cache/site/ keyed by a hash of everything
its output depends on (its sources, the previous version's sources for the
redline, templates, mkdocs.yml, site_config.yml, the generator's version and
the list of versions), so after an edit only the edited versions are rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

from generator import __version__
from generator.content.model import Version
from generator.content.project import Project
from generator.render import pages, site
from generator.render.contract import render_pdf

CACHE_DIR = Path(".cache") / "site"
LATEST = "latest"


def build(project: Project, out: Path, *, use_cache: bool = True) -> list[str]:
    """Build every version into ``out``; returns the versions that were rebuilt."""
    out.mkdir(parents=True, exist_ok=True)
    rebuilt = []
    for version in project.versions:
        target = out / version.date
        key = cache_key(project, version)
        cached = project.root / CACHE_DIR / key
        if not (use_cache and cached.is_dir()):
            _build_version(project, version, cached)
            rebuilt.append(version.date)
        _replace_tree(cached, target)
    _write_navigation(project, out)
    _prune_cache(project.root / CACHE_DIR, keep={cache_key(project, v) for v in project.versions})
    return rebuilt


def cache_key(project: Project, version: Version) -> str:
    """Everything a version's built folder depends on, hashed."""
    previous = project.previous(version)
    digest = hashlib.sha256()
    parts = [__version__, version.source_sha256, previous.source_sha256 if previous else "",
             json.dumps([(v.date, v.status) for v in project.versions])]
    for path in sorted(_inputs(project.root)):
        parts.append(f"{path.relative_to(project.root)}:{hashlib.sha256(path.read_bytes()).hexdigest()}")
    digest.update("\n".join(parts).encode())
    return digest.hexdigest()[:32]


def _inputs(root: Path) -> list[Path]:
    files = [root / "mkdocs.yml", root / "site_config.yml"]
    files += [p for p in (root / "templates").rglob("*") if p.is_file()]
    return files


def _build_version(project: Project, version: Version, destination: Path) -> None:
    """Pages and PDF into a scratch folder, MkDocs into another, then move into the cache."""
    config = project.config
    with tempfile.TemporaryDirectory(prefix="agreements-") as scratch:
        docs, built = Path(scratch) / "docs", Path(scratch) / "site"
        pages.write_pages(project.root, version, project.previous(version), docs)
        (docs / pages.pdf_name(version)).write_bytes(render_pdf(project.root, config, version))
        site.build_version(
            docs, built, version=version.date, title=config.site.title, status=version.status,
            extra={"company": config.provider.name, "product": config.product,
                   "copyright": config.site.copyright, "pdf": pages.pdf_name(version)},
            project_root=project.root, site_url=config.site.url,
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
    entries = [site.VersionEntry(v.date, f"{v.date}{'（草案）' if v.is_draft else ''}",
                                 (LATEST,) if v is latest else ()) for v in project.versions]
    site.write_versions_json(out, entries)
    target = latest or project.newest
    site.write_alias_redirects(out, LATEST, target.date)
    site.write_root_index(out, f"{LATEST}/")
    known = {v.date for v in project.versions} | {LATEST}
    for stale in out.iterdir():  # versions removed from the sources leave the site too
        if stale.is_dir() and stale.name not in known and not stale.name.startswith("."):
            if (stale / "index.html").is_file() and (stale / "search").is_dir():
                shutil.rmtree(stale)


def _prune_cache(cache: Path, keep: set[str]) -> None:
    if cache.is_dir():
        for entry in cache.iterdir():
            if entry.name not in keep:
                shutil.rmtree(entry, ignore_errors=True)


