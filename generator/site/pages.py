"""The Markdown pages of one version of the site.

Pages are generated from the model through the same clause partial as the PDF;
MkDocs only turns them into a themed site (see generator/site/mkdocs_build.py).
"""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

from generator.content.diff import Change, compare
from generator.content.model import Version
from generator.inline import InlineContext, to_html
from generator.templates import environment

# Page file of each part of a version, and where each clause id lives.
AGREEMENT_PAGE, CONSENT_PAGE, PROHIBITED_PAGE, CHANGES_PAGE = (
    "index.md", "consent.md", "prohibited.md", "changes.md")
PAGE_URLS = {AGREEMENT_PAGE: "", CONSENT_PAGE: "consent/", PROHIBITED_PAGE: "prohibited/",
             CHANGES_PAGE: "changes/"}
KIND_TITLES = {"added": "新增", "removed": "删除", "moved": "移动（编号变化）", "reworded": "修改"}
ASSETS = Path("templates") / "site" / "assets"


def pdf_name(version: Version) -> str:
    return f"agreement-{version.date}.pdf"


def page_of(version: Version) -> dict[str, str]:
    """Clause id → the page it is on."""
    pages = {c.id: AGREEMENT_PAGE for s in version.agreement.sections for t in s.clauses for c in t.walk()}
    pages |= {c.id: CONSENT_PAGE for c in version.consent.clauses}
    pages |= {c.id: PROHIBITED_PAGE for c in version.prohibited.clauses}
    return pages


def _href(from_page: str, to_page: str, anchor: str) -> str:
    """A relative link between pages built with directory URLs."""
    up = "../" if PAGE_URLS[from_page] else ""
    target = PAGE_URLS[to_page]
    if to_page == from_page:
        return f"#{anchor}"
    return f"{up}{target}#{anchor}" if (up or target) else f"#{anchor}"


def _inline_for(version: Version, page: str):
    pages = page_of(version)
    ctx = InlineContext(version, ref_href=lambda cid: _href(page, pages[cid], cid))
    return functools.partial(to_html, ctx=ctx)


def _render(root: Path, name: str, **context) -> str:
    return environment(root).get_template(name).render(**context)


def write_pages(root: Path, version: Version, previous: Version | None, docs: Path) -> None:
    """Write the version's Markdown pages and assets into ``docs``."""
    docs.mkdir(parents=True, exist_ok=True)
    (docs / AGREEMENT_PAGE).write_text(_render(
        root, "site/agreement.md.j2", version=version, agreement=version.agreement,
        pdf_name=pdf_name(version), inline=_inline_for(version, AGREEMENT_PAGE)), encoding="utf-8")
    for page, appendix in ((CONSENT_PAGE, version.consent), (PROHIBITED_PAGE, version.prohibited)):
        (docs / page).write_text(_render(root, "site/appendix.md.j2", appendix=appendix,
                                         inline=_inline_for(version, page)), encoding="utf-8")
    changes = compare(previous, version) if previous else []
    pages = page_of(version)

    def change_href(change: Change) -> str:
        page = pages.get(change.id)
        if page is None or change.kind == "removed":
            return f"#change-{change.id}"
        return _href(CHANGES_PAGE, page, change.id)

    (docs / CHANGES_PAGE).write_text(_render(
        root, "site/changes.md.j2", version=version, previous=previous, changes=changes,
        change_href=change_href, kind_titles=KIND_TITLES,
        inline=_inline_for(version, CHANGES_PAGE)), encoding="utf-8")
    shutil.copytree(root / ASSETS, docs / "assets", dirs_exist_ok=True)
