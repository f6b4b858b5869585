"""版本比较: any two published versions, clause by clause, pre-rendered for every pair.

Each version has a 版本比较 page (compare/) listing every pair of published versions
(and, with scripts, two lists to pick them); the redline of a pair lives with the newer
version, at <newer>/compare/<older>/, made by the same diff as the 变更记录 page
(generator/content/diff.py's compare). n published versions → n(n−1)/2 redlines.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from generator.content.diff import Change, compare
from generator.content.model import Version
from generator.content.project import Project

COMPARE_PAGE = "compare.md"
PAIRS_DIR = "compare"  # <version>/compare/<older>.md; not in the navigation (mkdocs.yml: not_in_nav)


def published(project: Project) -> list[Version]:
    """Published versions, newest first."""
    return [v for v in reversed(project.versions) if not v.is_draft]


def pairs(project: Project) -> list[tuple[Version, Version]]:
    """(older, newer) for every two published versions, newest pair first."""
    versions = published(project)
    return [(older, newer) for i, newer in enumerate(versions) for older in versions[i + 1:]]


def write_compare_pages(project: Project, version: Version, docs: Path, render: Callable[..., None],
                        page_urls: dict[str, str], page_of: Callable[[Version], dict[str, str]]) -> None:
    """The 版本比较 page, and the redlines of ``version`` (if published) against each older one.

    ``render(page, template, **context)`` writes one page (see generator/site/pages.py).
    """
    render(COMPARE_PAGE, "site/compare.md.j2", pairs=pairs(project), versions=published(project))
    if version.is_draft:
        return
    pages = page_of(version)
    for older in published(project):
        if older.date >= version.date:
            continue
        render(f"{PAIRS_DIR}/{older.date}.md", "site/compare-pair.md.j2", older=older,
               changes=compare(older, version), change_href=_href(pages, page_urls))


def _href(pages: dict[str, str], page_urls: dict[str, str]) -> Callable[[Change], str]:
    """From <version>/compare/<older>/ to the clause in the newer version."""
    def change_href(change: Change) -> str:
        page = pages.get(change.id)
        if page is None or change.kind == "removed":
            return f"#change-{change.id}"
        return f"../../{page_urls[page]}#{change.id}"
    return change_href
