"""The versioned agreement website: the one module that talks to MkDocs.

Each version of the agreement is a folder of generated Markdown pages. This
module turns one folder into one static site with MkDocs + Material for MkDocs
(:func:`build_version`); :mod:`generator.site.layout` sets the built versions
side by side the way `mike` would.

Nothing else in the project imports MkDocs, so the site engine can be swapped
(Material is in maintenance mode and MkDocs 2 drops plugins) by rewriting this
module alone.
"""

from __future__ import annotations

import contextlib
import gzip
import html
import io
import logging
import os
import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from generator.site import material
from generator.site.layout import SiteBuildError, check_name, write_text
from generator.site.search import SearchEntry

__all__ = ["build_version", "serve_version"]

#: The statuses a version can have; a draft carries the 草案 banner on every page.
STATUSES = ("draft", "published")

#: Origin used for the sitemap when no public ``site_url`` is known. Material's
#: version selector only compares paths (it replaces protocol and host with the
#: page's own), so any origin works; ``.invalid`` never resolves (RFC 2606).
_PLACEHOLDER_ORIGIN = "https://agreements.invalid/"


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
    check_name(version, "version")
    if status not in STATUSES:
        raise SiteBuildError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}", key="status")
    docs_dir, site_dir = Path(docs_dir).resolve(), Path(site_dir).resolve()
    if not docs_dir.is_dir():
        raise SiteBuildError("pages folder does not exist", file=docs_dir)
    version_url = site_url.rstrip("/") + "/" + version + "/" if site_url else None
    with _quiet_mkdocs_log() as messages, _source_date_epoch(_epoch_for(version)):
        _run_mkdocs(messages, version, dict(
            config_file=str(Path(project_root).resolve() / "mkdocs.yml"), docs_dir=str(docs_dir),
            site_dir=str(site_dir), site_name=html.escape(title), site_url=version_url,
            nav=list(navigation), strict=True), {**extra, "status": status, "version": version})
        if version_url is None:
            _write_sitemap(site_dir, version)
        material.write_search_index(site_dir, search)
        material.patch_javascript(site_dir)


def _run_mkdocs(messages: list[str], version: str, overrides: dict[str, Any],
                agreements: dict[str, Any]) -> None:
    """One strict MkDocs build of ``overrides['docs_dir']``; any warning or error raises."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    docs_dir = Path(overrides["docs_dir"])
    try:
        cfg = load_config(**overrides)
        _check_extra_assets(cfg, docs_dir)
        cfg.extra["agreements"] = {**(cfg.extra.get("agreements") or {}), **agreements}
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
        raise SiteBuildError(f"building the site for version {version} warned:\n" + "\n".join(messages),
                             file=docs_dir)


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
    write_text(site_dir / "sitemap.xml", xml)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="sitemap.xml", mode="wb", fileobj=buf, mtime=int(os.environ["SOURCE_DATE_EPOCH"])) as gz:
        gz.write(xml.encode("utf-8"))
    (site_dir / "sitemap.xml.gz").write_bytes(buf.getvalue())


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
