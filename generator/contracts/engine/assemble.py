"""Fast contract PDFs: lay out and write the pages every customer shares once per process.

The contract template marks the top-level parts of the body that are the same
for every customer of a version with a ``data-shared`` attribute (the
agreement itself, 附录二, “（以下无正文）”); the others — the cover, 附录一
with the customer's values, the signature page — differ per contract. A full
WeasyPrint render spends most of its time on the shared parts, so:

1. **Shared layout (once per process and version).** Each maximal run of
   shared parts is laid out on its own (without page footers) and all their
   pages are written to one PDF, whose pages become Form XObjects
   (:class:`generator.contracts.engine.shared_forms.SharedForms`). The
   laid-out pages are kept too, for their anchors, links and bookmarks, and
   so are the glyphs they draw with each face.
2. **Customer layout (per contract).** The customer's HTML, with each shared
   run replaced by as many empty placeholder pages as it occupies, is laid
   out *with* footers, so 合同编号 and 第 n 页 共 N 页 are right on every page.
   Placeholder pages get the shared pages' anchors, links and bookmarks, so
   WeasyPrint writes the same outline, named destinations and links as for a
   full render. Its fonts embed the shared pages' glyphs as well (one subset
   per face holds exactly what the whole contract draws).
3. **Assembly (per contract).** Each shared page's form is drawn under the
   footer of its placeholder page. The result is deterministic.

A shared run must start and end at a forced page break (the template's
cover, appendices and signature page do). When a contract does not fit these
rules, :func:`render_fast` raises :class:`FastPathUnavailable` saying why;
the caller decides whether that is an error or a reason to render in full.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

from generator.contracts.engine import pdf
from generator.contracts.engine.fonts import FaceGlyphs
from generator.contracts.engine.shared_forms import SharedForms

__all__ = ["FastPathUnavailable", "FastResult", "Split", "clear_cache", "prepare_shared",
           "render_fast", "split_body"]

SHARED_ATTRIBUTE = "data-shared"
_PLACEHOLDER_CLASS = "agw-placeholder"
_PLACEHOLDER_PREFIX = "agw-placeholder-"
# Empty pages standing for the shared runs; the forced breaks combine with the
# template's own (cover: break-after, appendices/signatures: break-before).
_PLACEHOLDER_CSS = (f".{_PLACEHOLDER_CLASS} {{ break-before: page; break-after: page; "
                    "height: 0; margin: 0; padding: 0; border: 0; }")
# The shared pages are laid out without footers; the customer's pages carry them.
_NO_FOOTER_CSS = "@page { @bottom-left { content: none; } @bottom-right { content: none; } }"
# Elements without an end tag (HTML Living Standard, “void elements”).
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                   "meta", "source", "track", "wbr"})


class FastPathUnavailable(Exception):
    """The fast path cannot make this contract; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------
# The body's parts, as the template marks them


@dataclass(frozen=True)
class Part:
    html: str
    shared: bool


@dataclass(frozen=True)
class Split:
    """An HTML document cut into ``head`` (up to ``<body>``), its top-level parts and ``tail``."""

    head: str
    parts: tuple[Part, ...]
    tail: str

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
        self._depth = 0
        self._start = 0
        self._shared = False

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _inside(self) -> bool:
        return len(self.body) == 1

    def handle_starttag(self, tag, attrs):
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
        if self._inside() and self._depth == 0 and data.strip():
            self.problems.append(f"text outside any element in the body: {data.strip()[:20]!r}")


def split_body(html: str) -> Split:
    """The body's top-level parts, each marked shared or not by ``data-shared``."""
    parser = _TopLevel(html)
    parser.feed(html)
    parser.close()
    if len(parser.body) != 2:
        raise FastPathUnavailable("the HTML has no <body>…</body>")
    if parser.problems:
        raise FastPathUnavailable("; ".join(parser.problems))
    start, end = parser.body
    return Split(html[:start], tuple(Part(html[a:b], shared) for a, b, shared in parser.spans),
                 html[end:])


# --------------------------------------------------------------------------
# Shared pages


@dataclass
class _Shared:
    pages: list[list]                    # laid-out weasyprint Pages per run
    forms: SharedForms                   # every shared page as a Form XObject
    glyphs: dict[str, FaceGlyphs]        # per face: the glyphs the shared pages draw


_CACHE: OrderedDict[str, _Shared] = OrderedDict()
_CACHE_SIZE = 8


def clear_cache() -> None:
    _CACHE.clear()


@dataclass(frozen=True)
class Layout:
    """How to lay HTML out: ``base_url`` and parsed stylesheets (see :func:`pdf.stylesheet`)."""

    base_url: str
    stylesheets: tuple[pdf.Stylesheet, ...]

    def render(self, html: str, *extra: pdf.Stylesheet):
        return pdf.render(html, self.base_url, stylesheets=(*self.stylesheets, *extra))


def _shared(split: Split, layout: Layout) -> _Shared:
    runs = [split.parts[a:b] for a, b in split.runs()]
    if not runs:
        raise FastPathUnavailable(f"the template marks no part of the body {SHARED_ATTRIBUTE}")
    digest = hashlib.sha256(layout.base_url.encode())
    for sheet in layout.stylesheets:
        digest.update(b"\0css\0" + sheet.key.encode())
    # The head shapes the layout (lang, meta); its <title> does not matter.
    digest.update(re.sub(r"<title>.*?</title>", "", split.head, flags=re.S).encode())
    for run in runs:
        digest.update(b"\0run\0" + "\0".join(part.html for part in run).encode())
    key = digest.hexdigest()
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    no_footer = pdf.stylesheet(_NO_FOOTER_CSS)
    documents = [layout.render(split.head + "\n".join(p.html for p in run) + split.tail, no_footer)
                 for run in runs]
    pages = [list(document.pages) for document in documents]
    # Written without links, anchors and bookmarks: those come from the Page
    # objects into the assembled document, where every target exists.
    bare = []
    for run_pages in pages:
        for page in run_pages:
            page = copy.copy(page)
            page.links, page.anchors, page.bookmarks, page.forms = [], {}, [], {None: []}
            bare.append(page)
    glyphs: dict[str, FaceGlyphs] = {}
    data = pdf.write_pdf(documents[0].copy(bare), {}, record_glyphs=glyphs)
    shared = _Shared(pages, SharedForms(data), glyphs)
    _CACHE[key] = shared
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return shared


def prepare_shared(html: str, layout: Layout) -> None:
    """Make and cache the shared pages of ``html`` now (e.g. before forking workers)."""
    _shared(split_body(html), layout)


# --------------------------------------------------------------------------
# Per customer


@dataclass(frozen=True)
class FastResult:
    pdf: bytes
    document: object   # the assembled weasyprint Document (signature boxes, page count)


def _customer_html(split: Split, shared: _Shared) -> str:
    """``split`` with each shared run replaced by one placeholder per page it takes."""
    parts: list[str] = []
    run_at = {start: (number, end) for number, (start, end) in enumerate(split.runs())}
    index = 0
    while index < len(split.parts):
        if index in run_at:
            number, end = run_at[index]
            parts.extend(f'<div class="{_PLACEHOLDER_CLASS}" id="{_PLACEHOLDER_PREFIX}{number}-{page}">'
                         f'</div>' for page in range(len(shared.pages[number])))
            index = end
        else:
            parts.append(split.parts[index].html)
            index += 1
    return split.head + "\n".join(parts) + split.tail


def _placed(document, shared: _Shared) -> dict[int, tuple[int, int]]:
    """Page index → (run, page in run) of each placeholder page; each alone on its page."""
    where: dict[int, tuple[int, int]] = {}
    for page_index, page in enumerate(document.pages):
        ids = [a for a in page.anchors if a.startswith(_PLACEHOLDER_PREFIX)]
        if len(ids) > 1:
            raise FastPathUnavailable(f"page {page_index + 1} holds parts of two shared pages: "
                                      "a shared part must start and end at a page break")
        if ids:
            number, page_number = ids[0][len(_PLACEHOLDER_PREFIX):].split("-")
            where[page_index] = (int(number), int(page_number))
    expected = sum(len(pages) for pages in shared.pages)
    if len(where) != expected:
        raise FastPathUnavailable(f"{len(where)} placeholder pages for {expected} shared pages: "
                                  "a shared part must start and end at a page break")
    return where


def render_fast(html: str, layout: Layout, *, metadata,
                finisher: Callable[[object], Callable] | None = None) -> FastResult:
    """The contract for ``html``, reusing the pages it shares with every customer.

    ``finisher(document)`` (optional) gives a :func:`pdf.write_pdf` finisher for
    the assembled contract, e.g. its signature fields. Raises
    :class:`FastPathUnavailable` when the fast path cannot make this contract.
    """
    split = split_body(html)
    shared = _shared(split, layout)
    document = layout.render(_customer_html(split, shared), pdf.stylesheet(_PLACEHOLDER_CSS))
    where = _placed(document, shared)

    pages = []
    placement: dict[int, int] = {}   # assembled page → page of the shared PDF
    offsets = [sum(len(p) for p in shared.pages[:n]) for n in range(len(shared.pages))]
    for page_index, page in enumerate(document.pages):
        if page_index not in where:
            pages.append(page)
            continue
        number, page_number = where[page_index]
        source = shared.pages[number][page_number]
        if (source.width, source.height) != (page.width, page.height):
            raise FastPathUnavailable(f"page {page_index + 1} is not the size of the shared page "
                                      "it stands for")
        hybrid = copy.copy(page)
        hybrid.anchors = dict(source.anchors)
        hybrid.links = list(source.links)
        hybrid.bookmarks = list(source.bookmarks)
        hybrid.forms = copy.copy(source.forms)
        pages.append(hybrid)
        placement[page_index] = offsets[number] + page_number
    assembled = document.copy(pages)
    data = pdf.write_pdf(assembled, metadata, finisher=finisher(assembled) if finisher else None,
                         extra_glyphs=shared.glyphs)
    return FastResult(shared.forms.draw_into(data, placement), assembled)
