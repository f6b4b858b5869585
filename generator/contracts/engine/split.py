"""A contract's HTML cut into ``head``, the top-level parts of its body and ``tail``.

The contract template marks the parts every customer of a version shares with a
``data-shared`` attribute; :mod:`generator.contracts.engine.assemble` lays those out
once. Cutting uses Python's HTML tokenizer (``html.parser``), ~2.5 ms for a 16 KB
contract, nearly all of it spent re-reading the shared parts: the same text in every
contract of a version. So the shared parts of the last few documents cut in full are
remembered, and a document holding them, in that order, is cut by finding them and
tokenizing only the text around them (the head, the customer's own parts, the tail:
~2 KB). That text must close every element it opens before each remembered part, so a
part found by its text is a top-level part here too; a document that does not fit is
cut in full, with the same result and the same errors.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from html.parser import HTMLParser

__all__ = ["SHARED_ATTRIBUTE", "FastPathUnavailable", "Part", "Split", "clear_cache", "split_body"]

SHARED_ATTRIBUTE = "data-shared"

# Elements without an end tag (HTML Living Standard, “void elements”).
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                   "meta", "source", "track", "wbr"})


class FastPathUnavailable(Exception):
    """The fast path cannot make this contract; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Part:
    html: str
    shared: bool


@dataclass(frozen=True)
class Split:
    """An HTML document cut into ``head`` (up to ``<body>``), its top-level parts and ``tail``;
    ``styles``: the text of its ``<style>`` elements."""

    head: str
    parts: tuple[Part, ...]
    tail: str
    styles: str = ""

    def runs(self) -> list[tuple[int, int]]:
        """Maximal runs ``[start, end)`` of shared parts."""
        runs, start = [], None
        for index, part in enumerate((*self.parts, Part("", False))):
            if part.shared and start is None:
                start = index
            elif not part.shared and start is not None:
                runs.append((start, index))
                start = None
        return runs


class _TopLevel(HTMLParser):
    """Source spans of the top-level elements of ``<body>`` (Python's HTML tokenizer)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=False)
        self.html = html
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", html)]
        self.body: list[int] = []                       # offsets: after <body ...>, at </body>
        self.spans: list[tuple[int, int, bool]] = []    # (start, end, shared)
        self.problems: list[str] = []
        self.styles: list[str] = []
        self._in_style = False
        self._depth = 0
        self._start = 0
        self._shared = False

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _inside(self) -> bool:
        return len(self.body) == 1

    def handle_starttag(self, tag, attrs):
        self._in_style = tag == "style"
        if tag == "body" and not self.body:
            self.body.append(self._offset() + len(self.get_starttag_text()))
            return
        if not self._inside():
            return
        shared = any(name == SHARED_ATTRIBUTE for name, _ in attrs)
        if self._depth == 0:
            self._start, self._shared = self._offset(), shared
        elif shared:
            self.problems.append(f"<{tag} {SHARED_ATTRIBUTE}> is not a top-level part of the body")
        if tag in _VOID:
            if self._depth == 0:
                self.spans.append((self._start, self._offset() + len(self.get_starttag_text()),
                                   self._shared))
        else:
            self._depth += 1

    def handle_startendtag(self, tag, attrs):
        if self._inside() and self._depth == 0:
            start = self._offset()
            self.spans.append((start, start + len(self.get_starttag_text()),
                               any(name == SHARED_ATTRIBUTE for name, _ in attrs)))

    def handle_endtag(self, tag):
        self._in_style = False
        if not self._inside():
            return
        if tag == "body" and self._depth == 0:
            self.body.append(self._offset())
            return
        self._depth -= 1
        if self._depth < 0:
            self.problems.append(f"stray </{tag}> in the body")
            self._depth = 0
        elif self._depth == 0:
            self.spans.append((self._start, self.html.index(">", self._offset()) + 1, self._shared))

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)
        elif self._inside() and self._depth == 0 and data.strip():
            self.problems.append(f"text outside any element in the body: {data.strip()[:20]!r}")


def _split_whole(html: str) -> Split:
    """``html`` cut by tokenizing all of it."""
    parser = _TopLevel(html)
    parser.feed(html)
    parser.close()
    if len(parser.body) != 2:
        raise FastPathUnavailable("the HTML has no <body>…</body>")
    if parser.problems:
        raise FastPathUnavailable("; ".join(parser.problems))
    start, end = parser.body
    return Split(html[:start], tuple(Part(html[a:b], shared) for a, b, shared in parser.spans),
                 html[end:], "\n".join(parser.styles))


_KNOWN: list[tuple[str, ...]] = []   # the shared parts of documents cut in full, newest first
_KNOWN_KEEP = 8   # a version's contracts share parts with or without 附录一: a few versions' worth


def clear_cache() -> None:
    _KNOWN.clear()


def split_body(html: str) -> Split:
    """The body's top-level parts, each marked shared or not by ``data-shared``."""
    for known in _KNOWN:
        split = _split_around(html, known)
        if split is not None:
            return split
    split = _split_whole(html)
    shared = tuple(part.html for part in split.parts if part.shared)
    # A part holding a <style> is never taken for known: its styles would go unread.
    if shared and not any("<style" in part.lower() for part in shared):
        _KNOWN.insert(0, shared)
        del _KNOWN[_KNOWN_KEEP:]
    return split


def _split_around(html: str, known: tuple[str, ...]) -> Split | None:
    """``html`` cut around the ``known`` parts, found by their text; None if they are not all
    there, in order, as top-level parts of the body."""
    found, cursor = [], 0
    for part in known:
        at = html.find(part, cursor)
        if at < 0:
            return None
        found.append((at, at + len(part)))
        cursor = at + len(part)
    edges = [0, *itertools.chain.from_iterable(found), len(html)]
    gaps = list(zip(edges[::2], edges[1::2]))
    spans, styles, body = [], [], [0, 0]
    for number, (start, end) in enumerate(gaps):
        first, last = number == 0, number == len(gaps) - 1
        prefix, suffix = ("" if first else "<body>"), ("" if last else "</body>")
        parser = _TopLevel(prefix + html[start:end] + suffix)
        parser.feed(parser.html)
        parser.close()
        closed_at_end = len(parser.body) == 2 and (last or parser.body[1] == len(parser.html) - len(suffix))
        if parser.problems or not closed_at_end:
            return None
        shift = start - len(prefix)
        body[0] = parser.body[0] + shift if first else body[0]
        body[1] = parser.body[1] + shift
        spans += [(a + shift, b + shift, shared) for a, b, shared in parser.spans]
        styles += parser.styles
        if not last:
            spans.append((*found[number], True))
    return Split(html[:body[0]], tuple(Part(html[a:b], shared) for a, b, shared in spans),
                 html[body[1]:], "\n".join(styles))
