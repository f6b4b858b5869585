"""The versioned agreement website: the one module that talks to MkDocs.

Each version of the agreement is a folder of generated Markdown pages. This
module turns one folder into one static site with MkDocs + Material for MkDocs
(:func:`build_version`), and lays out the versions side by side the way `mike`
would, without mike or a gh-pages branch::

    out/
      index.html            -> latest/            (write_root_index)
      versions.json         mike's format          (write_versions_json)
      2021-12-20/ ...       one built version      (build_version)
      2025-01-01/ ...       another (e.g. a draft)
      latest/ ...           one redirect per page  (write_alias_redirects)

The result works from any static web server (``python -m http.server``):
every link is relative, Material's version selector reads ``../versions.json``
and, when switching, requests the same page in the other version (using that
version's ``sitemap.xml``) and falls back to its home page.

Nothing else in the project imports MkDocs, so the site engine can be swapped
(Material is in maintenance mode and MkDocs 2 drops plugins) by rewriting this
module alone.
"""

from __future__ import annotations

import contextlib
import gzip
import html
import io
import json
import logging
import os
import re
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from generator.errors import AgreementsError
from generator.site import material
from generator.site.search import SearchEntry

__all__ = [
    "SiteBuildError",
    "VersionEntry",
    "build_version",
    "write_alias_redirects",
    "write_root_index",
    "write_versions_json",
    "serve_version",
]

#: The statuses a version can have; a draft carries the 草案 banner on every page.
STATUSES = ("draft", "published")

#: Origin used for the sitemap when no public ``site_url`` is known. Material's
#: version selector only compares paths (it replaces protocol and host with the
#: page's own), so any origin works; ``.invalid`` never resolves (RFC 2606).
_PLACEHOLDER_ORIGIN = "https://agreements.invalid/"


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
# Building one version
# --------------------------------------------------------------------------


def build_version(
    docs_dir: Path,
    site_dir: Path,
    *,
    version: str,
    title: str,
    status: str,
    extra: dict[str, Any],
    project_root: Path,
    navigation: Sequence[str],
    search: Sequence[SearchEntry],
    site_url: str | None = None,
) -> None:
    """Build the Markdown pages in ``docs_dir`` into the static site ``site_dir``.

    ``site_dir`` is emptied first; it is meant to be ``<out>/<version>``.

    Loads ``project_root/mkdocs.yml`` and overrides, for this version only:
    ``site_name`` (= ``title``, escaped: the theme prints it as HTML), ``nav``
    (= ``navigation``, page files in order), ``extra.agreements`` (= ``extra``
    plus ``status`` and ``version``; see templates/site/overrides/main.html) and,
    if ``site_url`` (the public URL of the *whole* versioned site, e.g.
    ``https://example.com/agreement/``) is given, ``site_url`` =
    ``<site_url><version>/`` so canonical links and the sitemap are real.
    The search finds exactly ``search``, one result per entry.

    The build is strict (any MkDocs warning raises :class:`SiteBuildError`),
    quiet, and reproducible: the same input gives byte-identical output. Page
    dates come from ``$SOURCE_DATE_EPOCH`` if set, else from ``version`` when
    it is an ISO date, else 1970-01-01; nothing depends on the clock.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    _check_name(version, "version")
    if status not in STATUSES:
        raise SiteBuildError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}", key="status")
    docs_dir, site_dir = Path(docs_dir).resolve(), Path(site_dir).resolve()
    config_file = Path(project_root).resolve() / "mkdocs.yml"
    if not docs_dir.is_dir():
        raise SiteBuildError("pages folder does not exist", file=docs_dir)

    version_url = None
    if site_url:
        version_url = site_url.rstrip("/") + "/" + version + "/"

    with _quiet_mkdocs_log() as messages, _source_date_epoch(_epoch_for(version)):
        try:
            cfg = load_config(
                config_file=str(config_file),
                docs_dir=str(docs_dir),
                site_dir=str(site_dir),
                site_name=html.escape(title),
                site_url=version_url,
                nav=list(navigation),
                strict=True,
            )
            _check_extra_assets(cfg, docs_dir)
            cfg.extra["agreements"] = {
                **(cfg.extra.get("agreements") or {}),
                **extra,
                "status": status,
                "version": version,
            }
            _quiet_jieba()
            cfg.plugins.on_startup(command="build", dirty=False)
            try:
                build(cfg)
            finally:
                cfg.plugins.on_shutdown()
        except MkDocsException as exc:  # Abort (strict warnings), BuildError, ConfigurationError
            detail = "\n".join(messages) or str(exc)
            raise SiteBuildError(f"building the site for version {version} failed:\n{detail}", file=docs_dir) from None
        if messages:  # strict mode should already have aborted; be sure
            raise SiteBuildError(f"building the site for version {version} warned:\n" + "\n".join(messages), file=docs_dir)

        if version_url is None:
            _write_sitemap(site_dir, version)
        material.write_search_index(site_dir, search)
        material.patch_javascript(site_dir)


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
        _check_name(entry.version, "version")
        if entry.version in seen_versions:
            raise SiteBuildError(f"version {entry.version!r} listed twice", key="versions")
        seen_versions.add(entry.version)
        for alias in entry.aliases:
            _check_name(alias, "alias")
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
    _write_text(Path(out_dir) / "versions.json", text)


def write_alias_redirects(out_dir: Path, alias: str, version: str) -> None:
    """Make ``out_dir/<alias>/`` redirect to ``out_dir/<version>/``, page by page.

    Like mike's ``--alias-type=redirect``: for every HTML page of the version a
    small page at the same path under the alias sends the reader on, keeping
    the query string and ``#fragment`` (JavaScript ``location.replace``; a
    ``<meta http-equiv=refresh>`` without them when scripts are off). Works on
    any static server, unlike symlinks. The alias folder is replaced.
    """
    _check_name(alias, "alias")
    _check_name(version, "version")
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
        _write_text(source, _redirect_page(href))


def write_root_index(out_dir: Path, target: str = "latest/") -> None:
    """Write ``out_dir/index.html`` sending the reader to ``target`` (relative).

    The query string and ``#fragment`` are kept, so ``/#some.clause`` ends up
    at ``/<latest version>/#some.clause``.
    """
    if re.match(r"^[a-z][a-z0-9+.-]*:|^/", target, re.I):
        raise SiteBuildError(f"root index target {target!r} must be a relative path", key="target")
    _write_text(Path(out_dir) / "index.html", _redirect_page(target))


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _check_extra_assets(cfg: Any, docs_dir: Path) -> None:
    """extra_css / extra_javascript must be files among the pages, not URLs.

    MkDocs links them without checking (a missing one is a silent 404), and a
    URL would load something from another host.
    """
    for kind in ("extra_css", "extra_javascript"):
        for item in cfg[kind]:
            path = str(item)
            if re.match(r"^[a-z][a-z0-9+.-]*:|^//", path, re.I):
                raise SiteBuildError(f"{kind} {path!r} is a URL; the site loads nothing from other hosts", key=kind)
            if not (docs_dir / path).is_file():
                raise SiteBuildError(f"{kind} {path!r} is not among the pages", file=docs_dir, key=kind)


def _check_name(name: str, kind: str) -> None:
    """A version or alias becomes a folder name and a URL path segment."""
    if not name or name in (".", "..") or re.search(r"[\\/\s#?%]", name):
        raise SiteBuildError(f"{name!r} is not a valid {kind} name (a single URL path segment)", key=kind)


def _mike_order(entry: VersionEntry) -> tuple[int, list[tuple[int, Any]]]:
    """mike's sort key: development names (no leading digit) count as newer."""
    natural = [(0, int(p)) if p.isdigit() else (1, p) for p in re.findall(r"\d+|[^\d]+", entry.version)]
    return (0 if re.match(r"v?\d", entry.version) else 1, natural)


def _epoch_for(version: str) -> int:
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env is not None and env.strip().isdigit():
        return int(env)
    try:
        day = date.fromisoformat(version)
    except ValueError:
        return 0
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())


@contextlib.contextmanager
def _source_date_epoch(epoch: int) -> Iterator[None]:
    """MkDocs reads SOURCE_DATE_EPOCH for page dates and the sitemap's gzip mtime."""
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


class _Collect(logging.Handler):
    def __init__(self, messages: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.messages = messages

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


@contextlib.contextmanager
def _quiet_mkdocs_log() -> Iterator[list[str]]:
    """Keep MkDocs' INFO chatter off the console; collect warnings and errors."""
    logger = logging.getLogger("mkdocs")
    messages: list[str] = []
    handler = _Collect(messages)
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


def _quiet_jieba() -> None:
    """jieba logs "Building prefix dict ..." to stderr at DEBUG level."""
    try:
        import jieba
    except ImportError:  # pragma: no cover - jieba is a dependency
        return
    jieba.setLogLevel(logging.WARNING)


def _write_sitemap(site_dir: Path, version: str) -> None:
    """Write sitemap.xml(.gz) listing every page, when MkDocs has no site_url.

    Without ``site_url`` MkDocs writes an empty sitemap, and Material's version
    selector needs one (absolute ``<loc>`` URLs; it compares paths only) to
    open the same page in the version switched to.
    """
    urls = []
    for index in sorted(site_dir.rglob("index.html")):
        rel = index.parent.relative_to(site_dir).as_posix()
        if rel.split("/")[0] in ("assets", "search"):
            continue
        urls.append(_PLACEHOLDER_ORIGIN + version + "/" + ("" if rel == "." else rel + "/"))
    lastmod = datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), timezone.utc).strftime("%Y-%m-%d")
    body = "".join(
        f"    <url>\n         <loc>{html.escape(u)}</loc>\n         <lastmod>{lastmod}</lastmod>\n    </url>\n"
        for u in urls
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + body + "</urlset>\n"
    )
    _write_text(site_dir / "sitemap.xml", xml)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="sitemap.xml", mode="wb", fileobj=buf, mtime=int(os.environ["SOURCE_DATE_EPOCH"])) as gz:
        gz.write(xml.encode("utf-8"))
    (site_dir / "sitemap.xml.gz").write_bytes(buf.getvalue())


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


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


# --------------------------------------------------------------------------
# Live preview
# --------------------------------------------------------------------------


def serve_version(docs_dir: Path, *, version: str, title: str, status: str, extra: dict[str, Any],
                  navigation: Sequence[str], project_root: Path, host: str = "127.0.0.1",
                  port: int = 8000) -> None:
    """Serve ``docs_dir`` with live reload until interrupted (MkDocs' dev server).

    MkDocs watches ``docs_dir`` and reloads the browser when a page changes;
    the caller regenerates the pages there when the sources change.
    """
    from mkdocs.commands.serve import serve
    from mkdocs.config import load_config

    config_file = str(Path(project_root).resolve() / "mkdocs.yml")
    base = load_config(config_file=config_file, docs_dir=str(docs_dir))
    merged = dict(base.extra)
    merged["agreements"] = {**(base.extra.get("agreements") or {}), **extra,
                            "status": status, "version": version}
    _quiet_jieba()
    serve(config_file=config_file, livereload=True, docs_dir=str(Path(docs_dir).resolve()),
          site_name=html.escape(title), nav=list(navigation), dev_addr=f"{host}:{port}", extra=merged)
