"""The inline markup of the legal team's text, parsed into runs.

The grammar is deliberately tiny, so that text stays data and never code:

- ``**bold**``          bold; the markers must balance within one paragraph
- ``{ref:CLAUSE_ID}``   a cross-reference, shown as that clause's current number
- ``{fill:NAME}``       a placeholder of the consent template
- ``\\*``, ``\\{``, ``\\\\``  a literal ``*``, ``{`` or backslash

Anything else, including HTML, Markdown and Jinja syntax, is literal text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from generator.characters import shown
from generator.i18n import _

RunKind = Literal["text", "ref", "fill"]


@dataclass(frozen=True)
class Run:
    """A piece of a paragraph: literal text, a reference or a placeholder."""

    kind: RunKind
    value: str
    bold: bool = False


class InlineSyntaxError(ValueError):
    """Raised with a message meant for the legal team (the caller adds the place)."""


_TOKEN = re.compile(r"\\(.)|(\*\*)|\{(ref|fill):([^{}\s]*)\}|(\{(?:ref|fill)\b[^}]*\}?)", re.S)
ID_PATTERN = r"[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*"
NAME_PATTERN = r"[a-z][a-z0-9_]*"
_VALID = {"ref": re.compile(ID_PATTERN), "fill": re.compile(NAME_PATTERN)}


def parse_inline(text: str) -> tuple[Run, ...]:
    """Split one paragraph into runs; raise InlineSyntaxError on bad markup."""
    runs: list[Run] = []
    bold = False
    bold_opened_at = 0
    buffer: list[str] = []
    pos = 0

    def flush() -> None:
        if buffer:
            runs.append(Run("text", "".join(buffer), bold))
            buffer.clear()

    for match in _TOKEN.finditer(text):
        buffer.append(text[pos : match.start()])
        pos = match.end()
        escaped, star, kind, target, broken = match.groups()
        if escaped is not None:
            buffer.append(escaped)
        elif star:
            flush()
            bold = not bold
            bold_opened_at = match.start()
        elif kind:
            if not _VALID[kind].fullmatch(target):
                raise InlineSyntaxError(_bad_token_message(match.group(0), kind))
            flush()
            runs.append(Run(kind, target, bold))  # type: ignore[arg-type]
        else:
            raise InlineSyntaxError(_bad_token_message(broken, "ref"))
    buffer.append(text[pos:])
    flush()
    if bold:
        excerpt = text[bold_opened_at : bold_opened_at + 12]
        raise InlineSyntaxError(
            _("unbalanced bold marker: `**` opened at “{excerpt}…” is never closed; "
              "add the closing `**` (or write `\\*\\*` for literal asterisks)").format(excerpt=shown(excerpt))
        )
    return tuple(_merge(runs))


def _bad_token_message(token: str, kind: str) -> str:
    example = "{ref:obligations.sms.bombing}" if kind == "ref" else "{fill:purpose}"
    return _("malformed markup `{token}`; write references as {example} "
             "(lower-case id, no spaces) or escape a literal brace as `\\{{`").format(
                 token=shown(token), example=example)


def _merge(runs: list[Run]) -> list[Run]:
    """Join neighbouring text runs of the same weight; drop empty ones."""
    merged: list[Run] = []
    for run in runs:
        if run.kind == "text" and not run.value:
            continue
        last = merged[-1] if merged else None
        if last and last.kind == run.kind == "text" and last.bold == run.bold:
            merged[-1] = Run("text", last.value + run.value, run.bold)
        else:
            merged.append(run)
    return merged


def split_paragraphs(text: str) -> list[str]:
    """Blank lines separate paragraphs; a single line break is a space, as in Markdown."""
    blocks = re.split(r"\n[ \t]*\n", text.strip())
    return [" ".join(line.strip() for line in block.splitlines()) for block in blocks if block.strip()]

