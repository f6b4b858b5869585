"""The agreements site's steps inside MkDocs (`plugins: [agreements]` in mkdocs.yml).

Everything the site needs beyond Markdown → HTML happens in MkDocs' own events,
so `mkdocs build` and `mkdocs serve` (and the live preview) give the same pages;
nothing edits the built site afterwards. The search index is not among these
steps: it is a file among the pages (generator/site/pages.py), copied as is.

- ``on_config``: extra CSS/JS must be files among the pages (a URL or a missing
  file would be a silent request elsewhere or a 404); ``mkdocs serve`` replaces
  ``site_url`` with its own address, which would put it into canonical links, so
  the version's own URL (``extra.agreements.site_url``, or none) is put back;
- ``on_files``: Material's search worker, lunr and source maps are not shipped, nor
  are the stylesheets: each page carries its own, purged and inlined
  (generator/site/page_css.py) where templates/site/overrides/main.html leaves its
  marker, in ``on_post_page`` and, for 404.html, ``on_post_template``;
- ``on_page_context`` (and ``on_template_context`` for 404.html): the name of Material's
  script, which main.html loads deferred: a script that blocks the parser counts as
  render-blocking for Lighthouse; deferred, it still runs before DOMContentLoaded, which
  is when it starts;
- ``on_env``: compiled templates are kept for the process (generator/site/template_cache.py);
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

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from generator.site import page_css, template_cache

SITEMAPS = ("sitemap.xml",)
UNUSED_THEME_FILES = ("assets/javascripts/lunr/", "assets/javascripts/workers/")
THEME_STYLESHEETS = re.compile(r"assets/stylesheets/(main|palette)\.[0-9a-f]+\.min\.css")
THEME_SCRIPT = re.compile(r"assets/javascripts/bundle\.[0-9a-f]+\.min\.js")
STYLES_MARKER = "<!--agreements:styles-->"  # left by templates/site/overrides/main.html
# Names Material's script uses only for features this site does not have (code blocks and their
# annotations, copy buttons, tooltips, content tabs, diagrams; its own search, repository facts,
# tags, page status): from the script's strings they would keep a third of the stylesheet in
# every page. A page that has such an element keeps the rules through its own HTML.
UNUSED_FEATURE_NAMES = re.compile(r"md-(annotation|code|clipboard|tooltip|search|source|tag|status)|tabbed|"
                                  r"mermaid|highlight")


class AgreementsPlugin(BasePlugin):
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        _check_extra_assets(config, Path(config.docs_dir))
        agreements = config.extra.get("agreements") or {}
        config.site_url = agreements.get("site_url") or None
        # Inlined into each page with the theme's (on_post_page), so the theme links none.
        self.extra_css = [str(path) for path in config.extra_css]
        config.extra_css = []
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        # Material's search worker and lunr (the site's search is its own) and source maps
        # (nothing to debug for a reader) are not shipped; nor the stylesheets, inlined.
        theme_css, scripts = {}, []
        for file in list(files):
            if sheet := THEME_STYLESHEETS.fullmatch(file.src_uri):
                theme_css[sheet.group(1)] = Path(file.abs_src_path)
                files.remove(file)
            elif file.src_uri in self.extra_css:
                files.remove(file)
            elif file.src_uri.startswith(UNUSED_THEME_FILES) or file.src_uri.endswith(".map"):
                files.remove(file)
            elif file.src_uri.endswith(".js"):
                bundle = bool(THEME_SCRIPT.fullmatch(file.src_uri))
                scripts.append((Path(file.abs_src_path), bundle))
                if bundle:
                    self.theme_script = file.src_uri  # deferred by main.html (on_page_context)
        # Without either, the pages' styles would be purged against the wrong sheets or names.
        if set(theme_css) != {"main", "palette"} or not any(bundle for _, bundle in scripts):
            raise PluginError(f"the theme's stylesheets and script were not found (stylesheets found: "
                              f"{sorted(theme_css)}, scripts: {[path.name for path, _ in scripts]})")
        docs_dir = Path(config.docs_dir)
        self.sheets = [page_css.stylesheet(theme_css["main"]), page_css.stylesheet(theme_css["palette"]),
                       *(page_css.stylesheet(docs_dir / path) for path in self.extra_css)]
        self.script_words = set().union(*(_script_words(path, bundle) for path, bundle in scripts))
        return files

    def on_env(self, env: Environment, config: MkDocsConfig, files: Files) -> Environment:
        env.bytecode_cache = template_cache.THEME_TEMPLATES  # compiled once per process
        return env

    def on_page_context(self, context: dict[str, Any], page: Page, config: MkDocsConfig, nav) -> dict:
        context["agreements_theme_script"] = self.theme_script
        return context

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        return self._inline_styles(output, page.file.src_uri)

    def _inline_styles(self, output: str, name: str) -> str:
        if output.count(STYLES_MARKER) != 1:
            raise PluginError(f"{name}: the page has no place for its styles ({STYLES_MARKER})")
        css = page_css.purged_css(self.sheets, page_css.page_words(output) | self.script_words)
        return output.replace(STYLES_MARKER, f"<style>{css}</style>")

    def on_post_template(self, output: str, template_name: str, config: MkDocsConfig) -> str:
        if template_name == "404.html":
            return self._inline_styles(output, template_name)
        # An empty output is not written (nor gzipped): no sitemap naming a fake host.
        return "" if template_name in SITEMAPS and not config.site_url else output

    def on_template_context(self, context: dict[str, Any], template_name: str, config: MkDocsConfig) -> dict:
        if template_name == "404.html":
            context["agreements_theme_script"] = self.theme_script
            agreements = config.extra.get("agreements") or {}
            base = agreements.get("base_path") or "/"
            context["base_url"] = base.rstrip("/") + "/" + str(agreements.get("version", "")).strip("/")
        return context


def _script_words(path: Path, bundle: bool) -> set[str]:
    if not bundle:
        return page_css.script_words(path.read_text(encoding="utf-8"))
    words = page_css.script_words(path.read_text(encoding="utf-8"), strings_only=True)
    return {word for word in words if not UNUSED_FEATURE_NAMES.match(word)}


def _check_extra_assets(config: MkDocsConfig, docs_dir: Path) -> None:
    for kind in ("extra_css", "extra_javascript"):
        for item in config[kind]:
            path = str(item)
            if re.match(r"^[a-z][a-z0-9+.-]*:|^//", path, re.I):
                raise PluginError(f"{kind} {path!r} is a URL; the site loads nothing from other hosts")
            if not (docs_dir / path).is_file():
                raise PluginError(f"{kind} {path!r} is not among the pages in {docs_dir}")
