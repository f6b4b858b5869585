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
import html
import logging
import os
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator.site.layout import SiteBuildError, check_name

__all__ = ["build_version", "serve_version"]

#: The statuses a version can have; a draft carries the 草案 banner on every page.
STATUSES = ("draft", "published")



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
    site_url: str | None = None,
) -> None:
    """Build the Markdown pages in ``docs_dir`` into the static site ``site_dir``.

    ``site_dir`` is emptied first; it is meant to be ``<out>/<version>``.

    Loads ``project_root/mkdocs.yml`` and overrides, for this version only:
    ``site_name`` (= ``title``, escaped: the theme prints it as HTML), ``nav``
    (= ``navigation``, page files in order) and ``extra.agreements`` (= ``extra``
    plus ``status``, ``version``, ``site_url`` and ``base_path``; see
    templates/site/overrides/main.html and generator/site/plugin.py). ``site_url``
    is the public URL of the *whole* versioned site (e.g.
    ``https://example.com/agreement/``); the version's pages get
    ``<site_url><version>/`` so canonical links and the sitemap are real. Without
    it there is no sitemap. Everything beyond MkDocs' own work is done by the
    ``agreements`` plugin inside the build, exactly as in :func:`serve_version`.

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
    overrides = mkdocs_overrides(docs_dir, version=version, title=title, status=status, extra=extra,
                                 project_root=project_root, navigation=navigation, site_url=site_url)
    with _quiet_mkdocs_log() as messages, _source_date_epoch(_epoch_for(version)):
        _run_mkdocs(messages, version, dict(overrides, site_dir=str(site_dir), strict=True))


def mkdocs_overrides(docs_dir: Path, *, version: str, title: str, status: str, extra: dict[str, Any],
                     project_root: Path, navigation: Sequence[str], site_url: str | None = None) -> dict:
    """What `build` and `serve` both give MkDocs' load_config for one version: the same pages."""
    from mkdocs.config import load_config

    config_file = str(Path(project_root).resolve() / "mkdocs.yml")
    base = load_config(config_file=config_file, docs_dir=str(docs_dir))
    version_url = site_url.rstrip("/") + "/" + version + "/" if site_url else None
    base_path = urlsplit(site_url).path if site_url else "/"
    merged = dict(base.extra)
    merged["agreements"] = {**(base.extra.get("agreements") or {}), **extra, "status": status,
                            "version": version, "site_url": version_url, "base_path": base_path}
    return dict(config_file=config_file, docs_dir=str(Path(docs_dir).resolve()), site_name=html.escape(title),
                nav=list(navigation), extra=merged)


def _run_mkdocs(messages: list[str], version: str, overrides: dict[str, Any]) -> None:
    """One strict MkDocs build of ``overrides['docs_dir']``; any warning or error raises."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    docs_dir = Path(overrides["docs_dir"])
    try:
        cfg = load_config(**overrides)
        cfg.plugins.on_startup(command="build", dirty=False)
        try:
            build(cfg)
        finally:
            cfg.plugins.on_shutdown()
    except MkDocsException as exc:  # Abort (strict warnings), BuildError, ConfigurationError, PluginError
        detail = "\n".join(messages) or str(exc)
        raise SiteBuildError(f"building the site for version {version} failed:\n{detail}", file=docs_dir) from None
    if messages:  # strict mode should already have aborted; be sure
        raise SiteBuildError(f"building the site for version {version} warned:\n" + "\n".join(messages),
                             file=docs_dir)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# Live preview
# --------------------------------------------------------------------------


def serve_version(docs_dir: Path, *, version: str, title: str, status: str, extra: dict[str, Any],
                  navigation: Sequence[str], project_root: Path, host: str = "127.0.0.1",
                  port: int = 8000, site_url: str | None = None) -> None:
    """Serve ``docs_dir`` with live reload until interrupted (MkDocs' dev server).

    The configuration is :func:`build_version`'s, so the pages are the same as
    built (apart from the live-reload script MkDocs adds). MkDocs watches
    ``docs_dir`` and reloads the browser when a page changes; the caller
    regenerates the pages there when the sources change.
    """
    overrides = mkdocs_overrides(docs_dir, version=version, title=title, status=status, extra=extra,
                                 project_root=project_root, navigation=navigation, site_url=site_url)
    # Mounted at /<version>/ as in the built site, so the not-found page's absolute links
    # work; the plugin puts the version's own site_url back before anything is rendered.
    with _source_date_epoch(_epoch_for(version)):
        _live_reload(overrides, host, port, f"http://{host}:{port}/{version}/")


#: How often the live-reload server looks at the pages (MkDocs' `serve` looks every 0.5 s,
#: half of the 1 s an edited clause may take to show).
POLLING_INTERVAL = 0.1


def _live_reload(overrides: dict[str, Any], host: str, port: int, serve_url: str) -> None:
    """MkDocs' `serve` (mkdocs/commands/serve.py) with its public parts, polling more often:
    build into a scratch folder, rebuild ("dirty": only pages whose files changed, not the
    theme's assets) when the pages or mkdocs.yml change, reload the browser."""
    import shutil
    import tempfile

    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.livereload import LiveReloadServer

    site_dir = tempfile.mkdtemp(prefix="mkdocs_")

    def builder(config=None) -> None:
        config = config or load_config(**overrides, site_dir=site_dir, dev_addr=f"{host}:{port}")
        config.site_url = serve_url
        build(config, serve_url=serve_url, dirty=True)

    config = load_config(**overrides, site_dir=site_dir, dev_addr=f"{host}:{port}")
    config.plugins.on_startup(command="serve", dirty=True)
    server = LiveReloadServer(builder=builder, host=host, port=port, root=site_dir,
                              mount_path=urlsplit(serve_url).path, polling_interval=POLLING_INTERVAL)
    server.error_handler = lambda code: _error_page(site_dir, code)
    try:
        builder(config)  # the first build is whole
        server.watch(config.docs_dir)
        server.watch(config.config_file_path)
        server = config.plugins.on_serve(server, config=config, builder=builder)
        try:
            server.serve()
        except KeyboardInterrupt:
            pass
        finally:
            server.shutdown()
    finally:
        config.plugins.on_shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)


def _error_page(site_dir: str, code: int) -> bytes | None:
    page = Path(site_dir) / f"{code}.html"
    return page.read_bytes() if code in (404, 500) and page.is_file() else None
