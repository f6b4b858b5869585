"""What the site's search finds: one entry per clause, titled the way a reader cites it.

A reader who searches 短信轰炸 wants clause 4.2.5, not the section around it,
so every clause is an entry of its own (`4.2.5 用户的权利与义务`) with its own
words as the snippet, not its sub-clauses' (they are entries too). The few
texts outside clauses (the 特别提醒 notice, each appendix's title with its
size, 附录一's 待填写项, the summary of the 变更记录, the list of 历史版本)
are entries of their own, so no entry repeats another's text.

Entries are plain text; the site engine (:mod:`generator.site.mkdocs_build`)
turns them into its own index and escapes them there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from generator.content.model import Version
from generator.content.text import citations, runs_text


@dataclass(frozen=True)
class SearchEntry:
    """One search result: where it leads, its title and its text, all plain text."""

    page: str  # the page's URL relative to the version's root: "", "consent/", "changes/"
    anchor: str  # the id of the element on the page; "" for the top of the page
    title: str
    paragraphs: tuple[str, ...]

    @property
    def location(self) -> str:
        return f"{self.page}#{self.anchor}" if self.anchor else self.page


def clause_entries(version: Version, page_of: Mapping[str, str]) -> Iterator[SearchEntry]:
    """Every clause of ``version`` in reading order; ``page_of`` maps a clause id to its page URL."""
    cited = citations(version)
    for clause in version.all_clauses():
        paragraphs = [runs_text(clause.title, version)] if clause.title else []
        paragraphs += [runs_text(p, version) for p in clause.paragraphs]
        yield SearchEntry(page_of[clause.id], clause.id, cited[clause.id], tuple(paragraphs))
