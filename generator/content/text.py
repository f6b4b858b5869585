"""A version as plain text: the runs of a paragraph, and the whole version in reading order.

Plain text belongs to the content layer: `agreements text`, the diff and every
renderer (:mod:`generator.inline`) read a paragraph's words from here, so a
reference or a filled placeholder reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Iterator

from generator.content.inline import Run
from generator.content.model import Appendix, Clause, Runs, Version

Value = str | tuple[str, ...] | list[str]
Values = Mapping[str, Value]
LIST_SEPARATOR = "、"


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


def version_text(version: Version, values: Values | None = None, *, show_ids: bool = False) -> str:
    """Every paragraph separated by a blank line, numbers generated, markup removed."""
    return "\n\n".join(_blocks(version, values, show_ids)) + "\n"


def _blocks(version: Version, values: Values | None, show_ids: bool) -> Iterator[str]:
    agreement = version.agreement
    yield agreement.title
    yield from (runs_text(p, version, values) for p in agreement.notice)
    for section in agreement.sections:
        yield _with_id(section.title, section.id, show_ids)
        for clause in section.clauses:
            yield from clause_blocks(clause, version, values, show_ids)
    yield runs_text(agreement.updated, version, values)
    for appendix in version.appendices:
        yield from appendix_blocks(appendix, version, values, show_ids)


def appendix_blocks(appendix: Appendix, version: Version, values: Values | None = None,
                    show_ids: bool = False) -> Iterator[str]:
    yield appendix.label
    yield appendix.title
    for clause in appendix.clauses:
        yield from clause_blocks(clause, version, values, show_ids)


def clause_blocks(clause: Clause, version: Version, values: Values | None = None,
                  show_ids: bool = False) -> Iterator[str]:
    """A clause's lines: the number before its title or first paragraph, as in the source."""
    paragraphs = [runs_text(p, version, values) for p in clause.paragraphs]
    head = [runs_text(clause.title, version, values)] if clause.title else paragraphs[:1]
    rest = paragraphs if clause.title else paragraphs[1:]
    if head:
        yield _with_id(clause.prefix + head[0], clause.id, show_ids)
    yield from rest
    for child in clause.children:
        yield from clause_blocks(child, version, values, show_ids)


def _with_id(line: str, ident: str, show_ids: bool) -> str:
    return f"[{ident}] {line}" if show_ids else line
