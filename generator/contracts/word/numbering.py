"""Clause numbers as Word's own automatic numbering (``w:numPr``), for the redline.

In a redline, a clause inserted near the top renumbers every clause after it.
Were the numbers typed text, each of them would be a tracked change ("1" deleted,
"2" inserted) — noise that hides the real edits. With Word's list numbering the
numbers are computed from the paragraphs that are there, so accepting or
rejecting the insertion renumbers the clauses by itself, and the redline
tracks only what changed. `agreements diff` reports the renumbering once.

The labels reproduce the model's (:mod:`generator.content.numbering`): a
section's clauses ``1.``, their sub-clauses ``2.1``, ``4.2.5``, followed by a
space; the items of a numbered list (附录二) ``1、`` with no space. Each list (a
section, 附录二) has an abstract numbering of its own, so each starts at 1.
python-docx has no API for numbering definitions: they are raw WordprocessingML.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Iterator

from docx.document import Document
from docx.oxml.parser import parse_xml

from generator.content.model import Clause, Version
from generator.content.text import Paragraph

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
LEVELS = 9  # what Word allows


@dataclass(frozen=True)
class Level:
    """Where a numbered paragraph sits: its list (section id, appendix id) and depth (0-based)."""

    list_id: str
    level: int
    item: bool  # a numbered list's item (1、) rather than a section's clause (1.)


def clause_levels(version: Version) -> dict[str, Level]:
    """Clause id → its list and level, for every numbered clause of ``version``."""
    found: dict[str, Level] = {}

    def walk(clauses: Iterable[Clause], list_id: str) -> None:
        for clause in clauses:
            if clause.number:
                found[clause.id] = Level(list_id, clause.depth - 1, clause.separator == "")
            walk(clause.children, list_id)

    for section in version.agreement.sections:
        walk(section.clauses, section.id)
    for appendix in version.appendices:
        walk(appendix.clauses, appendix.id)
    return found


def unnumbered(items: Iterable[Paragraph], version: Version) -> Iterator[tuple[Paragraph, Level | None]]:
    """Each paragraph without its typed number, with the list level that numbers it instead."""
    levels = clause_levels(version)
    for paragraph in items:
        level = levels.get(paragraph.anchor or "") if paragraph.prefix else None
        yield (replace(paragraph, prefix="") if level else paragraph), level


class Numbering:
    """The document's numbering definitions, one per list, made when first used."""

    def __init__(self, document: Document) -> None:
        self.element = document.part.numbering_part.element
        taken = [int(e.get(f"{{{_W}}}abstractNumId")) for e in self.element.iterchildren(f"{{{_W}}}abstractNum")]
        taken += [int(e.get(f"{{{_W}}}numId")) for e in self.element.iterchildren(f"{{{_W}}}num")]
        self._next = max(taken, default=0) + 1
        self.ids: dict[str, int] = {}

    def number(self, p, level: Level | None) -> None:
        """Raw XML: number paragraph ``p`` (a ``w:p`` or a ``w:pPr``'s owner) at ``level``."""
        if level is None:
            return
        num_pr = p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = level.level
        num_pr.get_or_add_numId().val = self._num_id(level)

    def _num_id(self, level: Level) -> int:
        if level.list_id not in self.ids:
            ident = self._next
            self._next += 1
            self.ids[level.list_id] = ident
            abstract = parse_xml(_abstract_xml(ident, level.item))
            first_num = next(self.element.iterchildren(f"{{{_W}}}num"), None)
            if first_num is not None:
                first_num.addprevious(abstract)  # every w:abstractNum before the first w:num
            else:
                self.element.append(abstract)
            self.element.append(parse_xml(
                f'<w:num xmlns:w="{_W}" w:numId="{ident}"><w:abstractNumId w:val="{ident}"/></w:num>'))
        return self.ids[level.list_id]


def _abstract_xml(ident: int, item: bool) -> str:
    levels = []
    for index in range(LEVELS):
        if item:
            text, suffix = f"%{index + 1}、", "nothing"
        else:
            text = ".".join(f"%{n + 1}" for n in range(index + 1)) + ("." if index == 0 else "")
            suffix = "space"
        levels.append(f'<w:lvl w:ilvl="{index}"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
                      f'<w:suff w:val="{suffix}"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/></w:lvl>')
    return (f'<w:abstractNum xmlns:w="{_W}" w:abstractNumId="{ident}">'
            f'<w:multiLevelType w:val="multilevel"/>{"".join(levels)}</w:abstractNum>')
