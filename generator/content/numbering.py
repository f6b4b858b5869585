"""Numbers in the source's own style, generated from position, never typed.

- a section's clauses:          ``1.``  ``2.``    (a reference shows ``2``)
- their sub-clauses:            ``2.1`` ``4.2.1`` (a reference shows the same)
- the items of a numbered list: ``1、`` ``2、``   (a reference shows ``1``)
"""

from __future__ import annotations


def clause_number(parent_number: str, position: int) -> str:
    """The number a reference shows; ``position`` counts from 1."""
    return f"{parent_number}.{position}" if parent_number else str(position)


def clause_label(number: str, depth: int) -> str:
    """What precedes the clause in the text: ``1.`` at the top, ``2.1`` below."""
    return f"{number}." if depth == 1 else number


def list_item_label(number: str) -> str:
    return f"{number}、"


LIST_ITEM_SEPARATOR = ""  # the source writes "1、反对…", with no space
