"""The Markdown pages of one version of the site, and what its search finds.

Pages are generated from the model through the same clause partial as the PDF;
MkDocs only turns them into a themed site (see generator/site/mkdocs_build.py).
Titles and descriptions go into the front matter HTML-escaped, because the
theme prints them as HTML (MkDocs' page titles are HTML); everything else is
escaped by the templates.
"""

from __future__ import annotations

import functools
import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.content.diff import Change, compare
from generator.content.model import Version
from generator.content.project import Project
from generator.content.releases import load_releases
from generator.content.citation import citations, version_citation
from generator.content.text import runs_text
from generator.inline import InlineContext, to_html
from generator.site.compare import COMPARE_PAGE, write_compare_pages
from generator.site.search import SearchEntry, clause_entries, section_entries
from generator.site.search_index import build_index
from generator.content.synonyms import load_synonyms
from generator.templates import environment

# Page file of each part of a version, in the order of the navigation, and where each clause id lives.
AGREEMENT_PAGE, CONSENT_PAGE, PROHIBITED_PAGE, CHANGES_PAGE, HISTORY_PAGE = (
    "index.md", "consent.md", "prohibited.md", "changes.md", "history.md")
NAVIGATION = (AGREEMENT_PAGE, CONSENT_PAGE, PROHIBITED_PAGE, CHANGES_PAGE, COMPARE_PAGE, HISTORY_PAGE)
PAGE_URLS = {AGREEMENT_PAGE: "", CONSENT_PAGE: "consent/", PROHIBITED_PAGE: "prohibited/",
             CHANGES_PAGE: "changes/", COMPARE_PAGE: "compare/", HISTORY_PAGE: "history/"}
KIND_TITLES = {"added": "新增", "removed": "删除", "moved": "移动", "reworded": "修改",
               "bold": "加粗变化", "renumbered": "编号变动"}
ASSETS = Path("templates") / "site" / "assets"
SEARCH_INDEX = Path("search") / "index.json"  # read by assets/search.js


@dataclass(frozen=True)
class Download:
    """A file offered next to a version's pages (its PDF …), listed wherever downloads are."""

    name: str  # the file's name in the version's folder, e.g. agreement-2021-12-20.pdf
    label: str  # its link text, e.g. "PDF"
    render: Callable[[], bytes] = field(compare=False, repr=False)  # called only when the version is built
    note: str = ""  # what it is, when a reader needs telling: shown with its link on the 变更记录 page


# The downloads of a version; cheap to call: nothing is rendered until Download.render().
Downloads = Callable[[Project, Version], Sequence[Download]]


@dataclass(frozen=True)
class VersionRow:
    """A version as the 历史版本 page and the version selector show it."""

    date: str
    status: str  # 当前版本 | 草案 | 历史版本
    effective: str | None
    previous: str | None
    downloads: tuple[Download, ...]


def pdf_name(version: Version) -> str:
    return f"agreement-{version.date}.pdf"


def status_label(project: Project, version: Version) -> str:
    if version.is_draft:
        return "草案"
    return "当前版本" if version is project.latest_published else "历史版本"


@dataclass(frozen=True)
class Validity:
    """When a version is in force: from ``effective`` (00:00 北京时间) until ``superseded``,
    the effective date of the next published version (None: not yet known)."""

    effective: str | None
    superseded: str | None


def effective_date(project: Project, version: Version) -> str | None:
    """The release record's 生效日期, else the one version.yml gives (a draft's planned date)."""
    release = load_releases(project.root).get(version.date)
    return release.effective.isoformat() if release else version.effective


def validity(project: Project, version: Version) -> Validity:
    later = [v for v in project.versions if v.date > version.date and not v.is_draft]
    superseded = effective_date(project, later[0]) if later and not version.is_draft else None
    return Validity(effective_date(project, version), superseded)


def version_rows(project: Project, downloads: Downloads) -> list[VersionRow]:
    """Every version, newest first."""
    return [VersionRow(v.date, status_label(project, v), effective_date(project, v),
                       p.date if (p := project.previous(v)) else None, tuple(downloads(project, v)))
            for v in reversed(project.versions)]


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


def write_pages(project: Project, version: Version, docs: Path, downloads: Downloads) -> list[SearchEntry]:
    """Write the version's Markdown pages and assets into ``docs``; return its search entries.

    ``downloads`` names the files offered with each version (only their names and
    labels are used here); the 历史版本 page lists every version's.
    """
    root, previous = project.root, project.previous(version)
    docs.mkdir(parents=True, exist_ok=True)
    changes = compare(previous, version) if previous else []
    common = dict(version=version, agreement=version.agreement, citations=citations(version),
                  document=version_citation(version), validity=validity(project, version),
                  downloads=tuple(downloads(project, version)), status=status_label(project, version))
    render = functools.partial(_write, root, docs, common)
    render(AGREEMENT_PAGE, "site/agreement.md.j2")
    for page, appendix in ((CONSENT_PAGE, version.consent), (PROHIBITED_PAGE, version.prohibited)):
        render(page, "site/appendix.md.j2", appendix=appendix)
    render(CHANGES_PAGE, "site/changes.md.j2", previous=previous, changes=changes,
           change_href=_change_href(version), kind_titles=KIND_TITLES)
    rows = version_rows(project, downloads)
    render(HISTORY_PAGE, "site/history.md.j2", rows=rows)
    write_compare_pages(project, version, docs, functools.partial(render, kind_titles=KIND_TITLES), PAGE_URLS, page_of)
    shutil.copytree(root / ASSETS, docs / "assets", dirs_exist_ok=True)
    entries = _search_entries(version, previous, changes, rows)
    write_search_index(root, version, entries, docs / SEARCH_INDEX)
    return entries


def write_search_index(root: Path, version: Version, entries: Sequence[SearchEntry], path: Path) -> None:
    """The version's search index (see generator/site/search_index.py), a file among the pages."""
    sections = [(s.id, s.title) for s in version.agreement.sections]
    appendices = [(a.label, PAGE_URLS[p]) for p, a in ((CONSENT_PAGE, version.consent),
                                                       (PROHIBITED_PAGE, version.prohibited))]
    index = build_index(entries, citations(version), sections, appendices, load_synonyms(root, version))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _write(root: Path, docs: Path, common: dict, page: str, template: str, **context) -> None:
    inline_page = page if page in PAGE_URLS else COMPARE_PAGE  # a pair's redline: only its own links
    text = environment(root).get_template(template).render(
        **common, **context, inline=_inline_for(common["version"], inline_page))
    (docs / page).parent.mkdir(parents=True, exist_ok=True)
    (docs / page).write_text(text, encoding="utf-8")


def _change_href(version: Version) -> Callable[[Change], str]:
    pages = page_of(version)

    def change_href(change: Change) -> str:
        page = pages.get(change.id)
        if page is None or change.kind == "removed":
            return f"#change-{change.id}"
        return _href(CHANGES_PAGE, page, change.id)

    return change_href


def _search_entries(version: Version, previous: Version | None, changes: Sequence[Change],
                    rows: Sequence[VersionRow]) -> list[SearchEntry]:
    """Every clause, then the texts outside clauses, each page's once."""
    agreement, consent = version.agreement, version.consent
    urls = {clause_id: PAGE_URLS[page] for clause_id, page in page_of(version).items()}
    entries = [SearchEntry("", "", agreement.title, tuple(runs_text(p, version) for p in agreement.notice))]
    entries += section_entries(version)
    entries += clause_entries(version, urls)
    for page, appendix in ((CONSENT_PAGE, consent), (PROHIBITED_PAGE, version.prohibited)):
        unit = "项" if appendix.clauses[0].number else "段"
        extra = f"，另有 {len(appendix.placeholders)} 个待填写项" if appendix.placeholders else ""
        entries.append(SearchEntry(PAGE_URLS[page], "", f"{appendix.label} {appendix.title}",
                                   (f"共 {len(appendix.clauses)} {unit}{extra}。",)))
    if consent.placeholders:
        entries.append(SearchEntry(PAGE_URLS[CONSENT_PAGE], "_placeholders", f"{consent.label} · 待填写项", tuple(
            f"{p.unfilled} {p.title}：{p.description}" for p in consent.placeholders)))
    summary = (f"与上一版本 {previous.date} 相比，共有 {len(changes)} 处变更：" if previous
               else "这是本协议的第一个版本。")
    entries.append(SearchEntry(PAGE_URLS[CHANGES_PAGE], "", "变更记录", (summary, *(
        change.summary or f"{change.place}（{KIND_TITLES[change.kind]}）" for change in changes))))
    entries.append(SearchEntry(PAGE_URLS[HISTORY_PAGE], "", "历史版本", tuple(
        f"{row.date} {row.status}" + (f"，{row.effective} 生效" if row.effective else "") for row in rows)))
    return entries
