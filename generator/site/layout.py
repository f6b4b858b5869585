"""The built versions side by side, laid out the way `mike` lays them out on gh-pages.

    out/
      index.html            -> latest/            (write_root_index)
      404.html              the version in force's not-found page (write_root_404)
      versions.json         mike's format          (write_versions_json)
      2021-12-20/ ...       one built version      (mkdocs_build.build_version)
      2026-11-28/ ...       another (e.g. a draft)
      latest/ ...           one redirect per page  (write_alias_redirects)

The result works from any static web server (``python -m http.server``):
every link is relative, Material's version selector reads ``../versions.json``
and, when switching, requests the same page in the other version (using that
version's ``sitemap.xml``) and falls back to its home page. Nothing here needs
MkDocs or mike.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import AgreementsError

__all__ = ["SiteBuildError", "VersionEntry", "check_name", "write_alias_redirects", "write_root_index",
           "write_root_404", "write_root_sitemap", "write_text", "write_versions_json"]


class SiteBuildError(AgreementsError):
    """The site could not be built: MkDocs reported a warning or an error.

    The build is strict, so a broken link or anchor in the generated pages is
    an error; ``message`` lists every MkDocs message, one per line.
    """


@dataclass(frozen=True)
class VersionEntry:
    """One entry of ``versions.json`` (mike's format).

    ``version`` is the folder name, ``title`` what the selector shows
    (defaults to ``version``), ``aliases`` e.g. ``("latest",)``.
    """

    version: str
    title: str | None = None
    aliases: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "title": self.title if self.title is not None else self.version,
            "aliases": list(dict.fromkeys(self.aliases)),
        }


# --------------------------------------------------------------------------
# The versions around the builds
# --------------------------------------------------------------------------


def write_versions_json(out_dir: Path, versions: Sequence[VersionEntry]) -> None:
    """Write ``out_dir/versions.json`` in mike's format, newest first.

    Material's version selector (``extra.version.provider: mike``) fetches it
    as ``../versions.json`` from every version folder. Versions are ordered as
    mike orders them: names not starting with a digit first, then by natural
    order, descending (so ISO dates come newest first). Each alias may be used
    by one version only, and no alias may be a version name.
    """
    seen_versions: set[str] = set()
    seen_aliases: dict[str, str] = {}
    for entry in versions:
        check_name(entry.version, "version")
        if entry.version in seen_versions:
            raise SiteBuildError(f"version {entry.version!r} listed twice", key="versions")
        seen_versions.add(entry.version)
        for alias in entry.aliases:
            check_name(alias, "alias")
            if alias in seen_aliases and seen_aliases[alias] != entry.version:
                raise SiteBuildError(
                    f"alias {alias!r} given to both {seen_aliases[alias]!r} and {entry.version!r}", key="aliases"
                )
            seen_aliases[alias] = entry.version
    clash = seen_versions & set(seen_aliases)
    if clash:
        raise SiteBuildError(f"alias(es) {', '.join(sorted(clash))} are also version names", key="aliases")

    ordered = sorted(versions, key=_mike_order, reverse=True)
    text = json.dumps([v.to_json() for v in ordered], ensure_ascii=False, indent=2) + "\n"
    write_text(Path(out_dir) / "versions.json", text)


def write_alias_redirects(out_dir: Path, alias: str, version: str) -> None:
    """Make ``out_dir/<alias>/`` redirect to ``out_dir/<version>/``, page by page.

    Like mike's ``--alias-type=redirect``: for every HTML page of the version a
    small page at the same path under the alias sends the reader on, keeping
    the query string and ``#fragment`` (JavaScript ``location.replace``; a
    ``<meta http-equiv=refresh>`` without them when scripts are off). Works on
    any static server, unlike symlinks. The alias folder is replaced.
    """
    check_name(alias, "alias")
    check_name(version, "version")
    if alias == version:
        raise SiteBuildError(f"alias {alias!r} is the version's own name", key="aliases")
    out_dir = Path(out_dir)
    version_dir, alias_dir = out_dir / version, out_dir / alias
    if not version_dir.is_dir():
        raise SiteBuildError(f"version {version!r} has not been built", file=version_dir)
    if alias_dir.is_symlink() or alias_dir.is_file():
        alias_dir.unlink()
    elif alias_dir.exists():
        shutil.rmtree(alias_dir)

    for page in sorted(version_dir.rglob("*.html")):
        rel = page.relative_to(version_dir)
        source = alias_dir / rel
        href = os.path.relpath(page, source.parent).replace(os.sep, "/")
        if page.name == "index.html":  # use_directory_urls: link the folder
            href = href[: -len("index.html")] or "./"
        write_text(source, _redirect_page(href))


def write_root_index(out_dir: Path, target: str = "latest/") -> None:
    """Write ``out_dir/index.html`` sending the reader to ``target`` (relative).

    The query string and ``#fragment`` are kept, so ``/#some.clause`` ends up
    at ``/<latest version>/#some.clause``.
    """
    if re.match(r"^[a-z][a-z0-9+.-]*:|^/", target, re.I):
        raise SiteBuildError(f"root index target {target!r} must be a relative path", key="target")
    write_text(Path(out_dir) / "index.html", _redirect_page(target))


def write_root_404(out_dir: Path, version: str) -> None:
    """``out_dir/404.html``: the version's not-found page, whose links are absolute paths
    under the site's base path (generator/site/plugin.py), so it works at any depth."""
    check_name(version, "version")
    source = Path(out_dir) / version / "404.html"
    if not source.is_file():
        raise SiteBuildError(f"version {version!r} has no 404.html", file=source)
    shutil.copyfile(source, Path(out_dir) / "404.html")


def write_root_sitemap(out_dir: Path, locations: Sequence[str]) -> None:
    """``out_dir/sitemap.xml``: every page's absolute URL when the site's URL is known, else
    none (a sitemap may only name real addresses). Material's version selector requests it."""
    body = "".join(f"  <url><loc>{html.escape(loc)}</loc></url>\n" for loc in locations)
    write_text(Path(out_dir) / "sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?>\n'
               '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + body + "</urlset>\n")


def check_name(name: str, kind: str) -> None:
    """A version or alias becomes a folder name and a URL path segment."""
    if not name or name in (".", "..") or re.search(r"[\\/\s#?%]", name):
        raise SiteBuildError(f"{name!r} is not a valid {kind} name (a single URL path segment)", key=kind)


def _mike_order(entry: VersionEntry) -> tuple[int, list[tuple[int, Any]]]:
    """mike's sort key: development names (no leading digit) count as newer."""
    natural = [(0, int(p)) if p.isdigit() else (1, p) for p in re.findall(r"\d+|[^\d]+", entry.version)]
    return (0 if re.match(r"v?\d", entry.version) else 1, natural)


def _redirect_page(href: str) -> str:
    attr = html.escape(href, quote=True)
    script = json.dumps(href).replace("</", "<\\/")
    return (
        "<!doctype html>\n"
        '<html lang="zh">\n'
        "<head>\n"
        '  <meta charset="utf-8">\n'
        '  <meta name="robots" content="noindex">\n'
        "  <title>正在跳转…</title>\n"
        f'  <noscript><meta http-equiv="refresh" content="0; url={attr}"></noscript>\n'
        f"  <script>location.replace({script} + location.search + location.hash)</script>\n"
        "</head>\n"
        f'<body><p>正在跳转到 <a href="{attr}">{attr}</a>…</p></body>\n'
        "</html>\n"
    )


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
