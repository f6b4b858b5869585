"""The reference text of version 2021-12-20, parsed in one place for every test.

``tests/fixtures/reference-2021-12-20.md`` is the legal record the YAML must
reproduce (where it came from and its SHA-256: ``tests/fixtures/README.md``). It
is Markdown: blank lines separate paragraphs, ``#`` marks headings, ``**…**``
bold and a backslash escapes the next character.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent / "fixtures" / "reference-2021-12-20.md"
REFERENCE_SHA256 = "703a43f4488f498a3ee55ba60e00702f9d509dfcc8c46ec2d4908b34386b1ba6"

_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)


def unmark(markdown: str) -> str:
    """Markdown markup removed: heading marks, ``**`` and backslash escapes; spacing as written."""
    text = re.sub(r"^#+[ \t]*", "", markdown.strip()).replace("**", "")
    return re.sub(r"\\(.)", r"\1", text)


@dataclass(frozen=True)
class Block:
    """One paragraph or heading of the reference."""

    markdown: str  # as written, stripped

    @property
    def is_heading(self) -> bool:
        return self.markdown.startswith("#")

    @property
    def text(self) -> str:
        return unmark(self.markdown)

    @property
    def bold(self) -> list[str]:
        """Each ``**…**`` passage, markup removed."""
        return [unmark(m.group(1)) for m in _BOLD.finditer(self.markdown)]

    @property
    def regular_pieces(self) -> list[str]:
        """The text between bold passages, markup removed."""
        return [unmark(piece) for piece in _BOLD.split(self.markdown)[::2]]


@functools.cache
def blocks() -> tuple[Block, ...]:
    text = REFERENCE.read_text(encoding="utf-8")
    return tuple(Block(b.strip()) for b in re.split(r"\n[ \t]*\n", text.strip()) if b.strip())
