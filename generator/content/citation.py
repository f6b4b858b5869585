"""How a reader cites a clause, in one form that cannot collide.

The seed restarts clause numbers in every section (seven clauses are "1.",
"2.2" exists twice), so a bare number is ambiguous. Every output that names a
clause for a reader — diff, redline, search, copy-link, receipts — uses the
forms below; the text's own ``{ref:…}`` keeps printing the bare number, as the
seed does.

- a section's clause:        「用户的权利与义务」第4.2.5条
- an unnumbered paragraph:   「附则」第2段 (its position among the section's paragraphs)
- 附录一's paragraphs:        附录一第2段
- 附录二's items:             附录二第3条
- the document itself:       《数据技术服务使用协议》（2021年12月20日版）
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from generator.content.model import Clause, Version


def chinese_date(iso: str) -> str:
    """``2021-12-20`` → ``2021年12月20日``: how a date reads in prose."""
    year, month, day = (int(part) for part in iso.split("-"))
    return f"{year}年{month}月{day}日"


def version_citation(version: Version) -> str:
    """《数据技术服务使用协议》（2021年12月20日版）."""
    return f"《{version.agreement.title}》（{chinese_date(version.date)}版）"


@dataclass(frozen=True)
class Citation:
    """Where a clause sits and how a reader cites it."""

    clause_id: str
    scope: str  # the section title, or the appendix label (附录一, 附录二)
    number: str  # "4.2.5"; for an unnumbered paragraph its 1-based position
    unit: str  # 条 for numbered clauses and list items, 段 for paragraphs
    is_appendix: bool

    @property
    def text(self) -> str:
        where = self.scope if self.is_appendix else f"「{self.scope}」"
        return f"{where}第{self.number}{self.unit}"

    def full(self, version: Version) -> str:
        """《数据技术服务使用协议》（2021年12月20日版）「用户的权利与义务」第4.2.5条."""
        return version_citation(version) + self.text


def _section_citations(scope: str, clauses, is_appendix: bool) -> Iterator[Citation]:
    paragraph = 0
    for top in clauses:
        for clause in top.walk():
            if clause.number:
                yield Citation(clause.id, scope, clause.number, "条", is_appendix)
            else:
                paragraph += 1
                yield Citation(clause.id, scope, str(paragraph), "段", is_appendix)


def citations(version: Version) -> dict[str, Citation]:
    """Every clause's citation by id, in reading order; each text is unique in the version."""
    found: dict[str, Citation] = {}
    for section in version.agreement.sections:
        for citation in _section_citations(section.title, section.clauses, False):
            found[citation.clause_id] = citation
    for appendix in version.appendices:
        for citation in _section_citations(appendix.label, appendix.clauses, True):
            found[citation.clause_id] = citation
    return found


def cite(version: Version, clause: Clause | str) -> str:
    """The citation text of one clause (by object or id)."""
    clause_id = clause if isinstance(clause, str) else clause.id
    return citations(version)[clause_id].text
