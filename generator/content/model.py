"""The resolved document: numbered, cross-referenced, ready to render.

Everything here is immutable and derived from the validated YAML by
:mod:`generator.content.resolve`; renderers read it and never change it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Mapping

from generator.content.inline import Run

Runs = tuple[Run, ...]


@dataclass(frozen=True)
class Clause:
    """A numbered clause (or an unnumbered paragraph, when ``number`` is empty)."""

    id: str
    number: str  # what a reference shows: "2", "2.1", "4.2.5"; "" when unnumbered
    label: str  # what precedes the clause: "1.", "2.1", "1、"; "" when unnumbered
    depth: int  # 1 for a section's clauses, 2 for their sub-clauses …
    title: Runs | None
    paragraphs: tuple[Runs, ...]
    children: tuple[Clause, ...] = ()
    separator: str = " "  # between label and text: "1. 本协议…" but "1、反对…"

    @property
    def prefix(self) -> str:
        """The label as it precedes the first line of text."""
        return f"{self.label}{self.separator}" if self.label else ""

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class Agreement:
    title: str
    notice: tuple[Runs, ...]
    sections: tuple[Section, ...]
    updated: Runs


@dataclass(frozen=True)
class Placeholder:
    """A fill-in of the consent template."""

    name: str
    title: str
    type: Literal["text", "list"]
    unfilled: str
    description: str
    example: str | tuple[str, ...] | None = None


@dataclass(frozen=True)
class Appendix:
    """附录一 (unnumbered paragraphs with placeholders) or 附录二 (a numbered list)."""

    id: str  # "consent" or "prohibited": the page and anchor name
    label: str
    title: str
    clauses: tuple[Clause, ...]
    placeholders: tuple[Placeholder, ...] = ()


@dataclass(frozen=True)
class Version:
    """One dated version of the agreement with its appendices."""

    date: str
    status: Literal["draft", "published"]
    folder: Path
    agreement: Agreement
    consent: Appendix
    prohibited: Appendix
    source_sha256: str  # over every source file of the version, see versions.source_digest
    effective: str | None = None  # 生效日期, YYYY-MM-DD, when version.yml gives one
    clauses: Mapping[str, Clause] = field(repr=False, default_factory=dict)

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    @property
    def appendices(self) -> tuple[Appendix, Appendix]:
        return (self.consent, self.prohibited)

    def placeholder(self, name: str) -> Placeholder:
        return next(p for p in self.consent.placeholders if p.name == name)

    def all_clauses(self):
        """Every clause in reading order, the appendices' paragraphs included."""
        for section in self.agreement.sections:
            for clause in section.clauses:
                yield from clause.walk()
        for appendix in self.appendices:
            yield from appendix.clauses
