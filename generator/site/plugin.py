"""The agreements site's steps inside MkDocs (`plugins: [agreements]` in mkdocs.yml).

Everything the site needs beyond Markdown → HTML happens in MkDocs' own events,
so `mkdocs build` and `mkdocs serve` (and the live preview) give the same pages;
nothing edits the built site afterwards. The search index is not among these
steps: it is a file among the pages (generator/site/pages.py), copied as is.

- ``on_config``: extra CSS/JS must be files among the pages (a URL or a missing
  file would be a silent request elsewhere or a 404); ``mkdocs serve`` replaces
  ``site_url`` with its own address, which would put it into canonical links, so
  the version's own URL (``extra.agreements.site_url``, or none) is put back;
- ``on_files``: Material's search worker, lunr and source maps are not shipped;
- ``on_post_template``: without a real site URL no sitemap is written (it could
  only name a fake host).
- ``on_template_context`` for 404.html: a not-found page is shown at whatever
  depth the missing address had, so its links and assets are absolute paths
  under the site's base path (``extra.agreements.base_path``, "/" by default).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files

SITEMAPS = ("sitemap.xml",)
UNUSED_THEME_FILES = ("assets/javascripts/lunr/", "assets/javascripts/workers/")


class AgreementsPlugin(BasePlugin):
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        _check_extra_assets(config, Path(config.docs_dir))
        agreements = config.extra.get("agreements") or {}
        config.site_url = agreements.get("site_url") or None
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        # Material's search worker and lunr (the site's search is its own) and source maps
        # (nothing to debug for a reader) are not shipped.
        for file in list(files):
            if file.src_uri.startswith(UNUSED_THEME_FILES) or file.src_uri.endswith(".map"):
                files.remove(file)
        return files

    def on_post_template(self, output: str, template_name: str, config: MkDocsConfig) -> str:
        # An empty output is not written (nor gzipped): no sitemap naming a fake host.
        return "" if template_name in SITEMAPS and not config.site_url else output

    def on_template_context(self, context: dict[str, Any], template_name: str, config: MkDocsConfig) -> dict:
        if template_name == "404.html":
            agreements = config.extra.get("agreements") or {}
            base = agreements.get("base_path") or "/"
            context["base_url"] = base.rstrip("/") + "/" + str(agreements.get("version", "")).strip("/")
        return context


def _check_extra_assets(config: MkDocsConfig, docs_dir: Path) -> None:
    for kind in ("extra_css", "extra_javascript"):
        for item in config[kind]:
            path = str(item)
            if re.match(r"^[a-z][a-z0-9+.-]*:|^//", path, re.I):
                raise PluginError(f"{kind} {path!r} is a URL; the site loads nothing from other hosts")
            if not (docs_dir / path).is_file():
                raise PluginError(f"{kind} {path!r} is not among the pages in {docs_dir}")
