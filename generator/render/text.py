"""A version as plain text in reading order (`agreements text`)."""

from __future__ import annotations

from typing import Iterator

from generator.content.model import Appendix, Clause, Version
from generator.render.inline import InlineContext, Value, to_text


def version_text(version: Version, values: dict[str, Value] | None = None,
                 *, show_ids: bool = False) -> str:
    """Every paragraph separated by a blank line, numbers generated, markup removed."""
    ctx = InlineContext(version, values)
    return "\n\n".join(_blocks(version, ctx, show_ids)) + "\n"


def _blocks(version: Version, ctx: InlineContext, show_ids: bool) -> Iterator[str]:
    agreement = version.agreement
    yield agreement.title
    yield from (to_text(p, ctx) for p in agreement.notice)
    for section in agreement.sections:
        yield _with_id(section.title, section.id, show_ids)
        for clause in section.clauses:
            yield from clause_blocks(clause, ctx, show_ids)
    yield to_text(agreement.updated, ctx)
    for appendix in version.appendices:
        yield from appendix_blocks(appendix, ctx, show_ids)


def appendix_blocks(appendix: Appendix, ctx: InlineContext, show_ids: bool = False) -> Iterator[str]:
    yield appendix.label
    yield appendix.title
    for clause in appendix.clauses:
        yield from clause_blocks(clause, ctx, show_ids)


def clause_blocks(clause: Clause, ctx: InlineContext, show_ids: bool = False) -> Iterator[str]:
    """A clause's lines: the number before its title or first paragraph, as in the source."""
    paragraphs = [to_text(p, ctx) for p in clause.paragraphs]
    head = [to_text(clause.title, ctx)] if clause.title else paragraphs[:1]
    rest = paragraphs if clause.title else paragraphs[1:]
    if head:
        yield _with_id(clause.prefix + head[0], clause.id, show_ids)
    yield from rest
    for child in clause.children:
        yield from clause_blocks(child, ctx, show_ids)


def _with_id(line: str, ident: str, show_ids: bool) -> str:
    return f"[{ident}] {line}" if show_ids else line
