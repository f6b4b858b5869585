"""What the site's search finds: one entry per clause, titled the way a reader cites it.

A reader who searches 短信轰炸 wants clause 4.2.5, not the section around it,
so every clause is an entry of its own (「用户的权利与义务」第4.2.5条, the citation
of generator/content/citation.py, then the clause's own title) with its own
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
from generator.content.citation import citations
from generator.content.text import runs_text


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
        title = cited[clause.id].text + (f" {runs_text(clause.title, version)}" if clause.title else "")
        paragraphs = tuple(runs_text(p, version) for p in clause.paragraphs)
        yield SearchEntry(page_of[clause.id], clause.id, title, paragraphs)


def section_entries(version: Version) -> Iterator[SearchEntry]:
    """Each section of the agreement, so its title finds the section itself."""
    for section in version.agreement.sections:
        numbers = [c.number for c in section.clauses if c.number]
        size = f"第{numbers[0]}条至第{numbers[-1]}条" if numbers else f"共 {len(section.clauses)} 段"
        yield SearchEntry("", section.id, section.title, (f"「{section.title}」一节，{size}。",))
