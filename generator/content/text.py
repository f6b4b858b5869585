"""A version as plain text: the runs of a paragraph, and the whole version in reading order.

Plain text belongs to the content layer: `agreements text`, the diff and every
renderer (:mod:`generator.inline`) read a paragraph's words from here, so a
reference or a filled placeholder reads the same everywhere. :func:`paragraphs`
is the reading order itself, with each paragraph's role; `agreements text` joins
it into lines and the Word writer sets the same paragraphs with their styles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Iterator, Literal

from generator.content.inline import Run
from generator.content.model import Appendix, Clause, Runs, Version

Value = str | tuple[str, ...] | list[str]
Values = Mapping[str, Value]
LIST_SEPARATOR = "、"

Role = Literal["title", "notice", "section", "updated", "appendix-label", "appendix-title",
               "clause-title", "clause"]


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a version in reading order, as `agreements text` prints it."""

    role: Role
    key: str  # stable across versions: the owner's id (clause, section, "@notice" …) and "#index"
    runs: Runs
    prefix: str = ""  # the clause's label and separator before the first line: "2.1 ", "1、"
    anchor: str | None = None  # the clause or section id that starts here (a link target)
    depth: int = 0  # the clause's depth; 0 outside clauses


def format_value(value: Value) -> str:
    """A filled placeholder as it reads in the text: lists joined with 、."""
    return value if isinstance(value, str) else LIST_SEPARATOR.join(value)


def run_text(run: Run, version: Version, values: Values | None = None) -> str:
    """One run as text: a reference as the clause's number, a placeholder as its value or label."""
    if run.kind == "ref":
        return version.clauses[run.value].number
    if run.kind == "fill":
        if values is not None:
            return format_value(values[run.value])
        return version.placeholder(run.value).unfilled
    return run.value


def runs_text(runs: Runs, version: Version, values: Values | None = None) -> str:
    return "".join(run_text(run, version, values) for run in runs)


def paragraph_text(paragraph: Paragraph, version: Version, values: Values | None = None) -> str:
    return paragraph.prefix + runs_text(paragraph.runs, version, values)


def version_text(version: Version, values: Values | None = None, *, show_ids: bool = False) -> str:
    """Every paragraph separated by a blank line, numbers generated, markup removed."""
    return "\n\n".join(_line(p, version, values, show_ids) for p in paragraphs(version)) + "\n"


def _line(paragraph: Paragraph, version: Version, values: Values | None, show_ids: bool) -> str:
    text = paragraph_text(paragraph, version, values)
    show = show_ids and paragraph.anchor and paragraph.role in ("section", "clause-title", "clause")
    return f"[{paragraph.anchor}] {text}" if show else text


def _plain(text: str) -> Runs:
    return (Run("text", text),)


def paragraphs(version: Version) -> Iterator[Paragraph]:
    """Every paragraph of ``version`` in reading order: the agreement, then its appendices."""
    agreement = version.agreement
    yield Paragraph("title", "@title#0", _plain(agreement.title))
    for index, notice in enumerate(agreement.notice):
        yield Paragraph("notice", f"@notice#{index}", notice)
    for section in agreement.sections:
        yield Paragraph("section", f"{section.id}#0", _plain(section.title), anchor=section.id)
        for clause in section.clauses:
            yield from clause_paragraphs(clause)
    yield Paragraph("updated", "@updated#0", agreement.updated)
    for appendix in version.appendices:
        yield from appendix_paragraphs(appendix)


def appendix_paragraphs(appendix: Appendix) -> Iterator[Paragraph]:
    yield Paragraph("appendix-label", f"@{appendix.id}#0", _plain(appendix.label), anchor=appendix.id)
    yield Paragraph("appendix-title", f"@{appendix.id}#1", _plain(appendix.title))
    for clause in appendix.clauses:
        yield from clause_paragraphs(clause)


def clause_paragraphs(clause: Clause) -> Iterator[Paragraph]:
    """A clause's paragraphs: the number before its title or first paragraph, as in the source."""
    texts = [clause.title, *clause.paragraphs] if clause.title else list(clause.paragraphs)
    for index, runs in enumerate(texts):
        first = index == 0
        role: Role = "clause-title" if first and clause.title else "clause"
        yield Paragraph(role, f"{clause.id}#{index}", runs, clause.prefix if first else "",
                        clause.id if first else None, clause.depth)
    for child in clause.children:
        yield from clause_paragraphs(child)


def citations(version: Version) -> dict[str, str]:
    """How a reader cites each clause, by id: `4.2.5 用户的权利与义务`, `1. 服务范围` (the
    number as printed, then the section, since numbers restart in every section),
    `附录一 · 第 2 段` for an unnumbered paragraph, `附录二 · 第 3 项` for a numbered item."""
    cited = {each.id: f"{each.label} {section.title}"
             for section in version.agreement.sections
             for clause in section.clauses for each in clause.walk()}
    for appendix in version.appendices:
        for index, clause in enumerate(appendix.clauses, start=1):
            cited[clause.id] = (f"{appendix.label} · 第 {clause.number} 项" if clause.number
                                else f"{appendix.label} · 第 {index} 段")
    return cited
