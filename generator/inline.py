"""One inline renderer shared by the site and the contracts: bold, references, placeholders.

The site's pages, the contract PDF and the consent snippets all go through here,
so a clause can never be formatted two different ways; the words themselves come
from :mod:`generator.content.text`. Text is escaped before it is wrapped in
markup: the legal team's text and the customers' values are data, never HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

from markupsafe import Markup, escape

from generator.content.inline import Run
from generator.content.model import Placeholder, Runs, Version
from generator.content.text import Value, format_value, run_text, runs_text


@dataclass(frozen=True)
class InlineContext:
    """What a paragraph needs to render: the version, and the customer's values if any."""

    version: Version
    values: Mapping[str, Value] | None = None
    ref_href: Callable[[str], str] = field(default=lambda clause_id: f"#{clause_id}")

    def ref_number(self, clause_id: str) -> str:
        return self.version.clauses[clause_id].number

    def placeholder(self, name: str) -> Placeholder:
        return self.version.placeholder(name)

    def filled(self, name: str) -> str | None:
        if self.values is None:
            return None
        return format_value(self.values[name])


def to_text(runs: Runs, ctx: InlineContext) -> str:
    """Plain text: references as numbers, placeholders as values or their labels."""
    return runs_text(runs, ctx.version, ctx.values)


def to_html(runs: Runs, ctx: InlineContext) -> Markup:
    """HTML with consecutive bold runs in one <strong>, so bold reads as one passage."""
    out: list[str] = []
    open_bold = False
    for run in runs:
        if run.bold != open_bold:
            out.append("<strong>" if run.bold else "</strong>")
            open_bold = run.bold
        out.append(_run_html(run, ctx))
    if open_bold:
        out.append("</strong>")
    return Markup("".join(out))


def _run_html(run: Run, ctx: InlineContext) -> str:
    if run.kind == "ref":
        return f'<a class="ref" href="{escape(ctx.ref_href(run.value))}">{escape(ctx.ref_number(run.value))}</a>'
    if run.kind == "fill":
        placeholder = ctx.placeholder(run.value)
        filled = ctx.filled(run.value)
        if filled is not None:
            return (f'<span class="filled" data-placeholder="{escape(placeholder.name)}" '
                    f'title="{escape(placeholder.title)}">{escape(filled)}</span>')
        return (f'<mark class="placeholder" data-placeholder="{escape(placeholder.name)}" '
                f'title="{escape(placeholder.description)}">{escape(placeholder.unfilled)}</mark>')
    return str(escape(run.value))


# What both Python-Markdown (the site) and CommonMark (customers' apps) accept after a
# backslash; the rest of Markdown's specials become HTML character references, which both read.
_BACKSLASHED = set("\\`*_{}[]()>#+-.!")
_REFERENCED = {"<": "&lt;", "&": "&amp;", "|": "&#124;", "~": "&#126;"}


def escape_markdown(text: str) -> str:
    """Text that any Markdown renderer shows literally, never as markup."""
    return "".join(f"\\{c}" if c in _BACKSLASHED else _REFERENCED.get(c, c) for c in text)


def to_markdown(runs: Runs, ctx: InlineContext) -> str:
    """Markdown with bold as **…**; every text, the customer's values included, escaped."""
    out: list[str] = []
    open_bold = False
    for run in runs:
        if run.bold != open_bold:
            out.append("**")
            open_bold = run.bold
        out.append(escape_markdown(run_text(run, ctx.version, ctx.values)))
    if open_bold:
        out.append("**")
    return "".join(out)
