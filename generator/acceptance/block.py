"""The acceptance block for the site: a page (DIR/acceptance/index.html) and a paste-in snippet
(DIR/acceptance/snippet.html), with their script and style beside them.

The block shows the version in force and its bold (提示) passages, each linked to its clause on
the site; the page's content security policy lets it connect to the acceptance service's origin
and to nothing else, and loads script and style only from the site itself.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

from generator.acceptance.catalog import Catalog, bold_passages
from generator.content.citation import chinese_date, version_citation
from generator.content.project import Project
from generator.errors import AgreementsError
from generator.i18n import _
from generator.files import write_text_atomically
from generator.templates import TEMPLATES_DIR, render_template

ASSETS = ("accept.js", "acceptance.css")
FOLDER = "acceptance"


def content_security_policy(service: str) -> str:
    return ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            f"connect-src {service}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def _origin(service: str) -> str:
    parts = urlsplit(service)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise AgreementsError(_("acceptance.service must be an origin such as https://accept.example.com "
                                "(no path)"), key="acceptance.service")
    return f"{parts.scheme}://{parts.netloc}"


def _page_of(entry) -> dict[str, str]:
    """The site page (relative to the version's folder) that holds each appendix clause."""
    pages = {c.id: "consent/" for c in entry.version.consent.clauses}
    return pages | {c.id: "prohibited/" for c in entry.version.prohibited.clauses}


def write_block(project: Project, out: Path, service: str | None = None) -> Path:
    """Write the block into ``out/acceptance/``; ``service`` defaults to site_config.yml's."""
    service = _origin(service or project.config.acceptance.service or "")
    entry = Catalog(project).current()
    if entry is None:
        raise AgreementsError(_("no published version is in force yet; the acceptance block needs one"))
    context = dict(entry=entry, service=service, title=version_citation(entry.version),
                   effective=chinese_date(entry.effective), passages=bold_passages(entry.version),
                   page_of=_page_of(entry), site_base="../", site_title=project.config.site.title)
    folder = out / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    write_text_atomically(folder / "index.html", render_template(
        project.root, "acceptance/page.html.j2", csp=content_security_policy(service), **context))
    # pasted into another site's page, the snippet links back to this one by its address
    site = (project.config.site.url or "").rstrip("/")
    snippet = {**context, "site_base": f"{site}/" if site else "../"}
    write_text_atomically(folder / "snippet.html", render_template(
        project.root, "acceptance/snippet.html.j2", asset_base=f"{site}/{FOLDER}/" if site else "", **snippet))
    for name in ASSETS:
        shutil.copyfile(project.root / TEMPLATES_DIR / FOLDER / name, folder / name)
    return folder / "index.html"
