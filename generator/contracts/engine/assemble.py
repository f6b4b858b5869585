"""Fast contract PDFs: lay out and write the customer-independent pages once per process.

A contract's body is a sequence of top-level elements (``<section>``s and the
“（以下无正文）” paragraph). Most of them — the agreement itself, 附录二 — are
the same for every customer of a version; only the cover, 附录一 (filled
values) and the signature page differ. A full WeasyPrint render spends most
of its time on the shared part, so:

1. **Invariant layout (once per process and version).** Each maximal run of
   shared elements is laid out on its own (without page footers) and all
   their pages are written to one PDF with compact fonts
   (:mod:`generator.contracts.engine.fonts`). The laid-out pages are kept too, for
   their anchors, links and bookmarks.
2. **Customer layout (per contract).** The customer's HTML, with each shared
   run replaced by as many empty placeholder pages as it occupies, is laid
   out *with* footers, so 合同编号 and 第 n 页 共 N 页 are right on every page.
   Placeholder pages get the shared pages' anchors, links and bookmarks, so
   WeasyPrint writes the same outline, named destinations and links as for a
   full render.
3. **Assembly.** Each shared page's content goes, as a Form XObject with its
   own resources, under the footer of its placeholder page (body first, then
   footer, as in a full render). A face used on both kinds of page is
   embedded once: the customer's font object gets one CFF program holding the
   shared subset's glyphs followed by the customer's others (same CIDs, see
   :class:`generator.contracts.engine.cff.CffUnion`), merged ``/W`` and ToUnicode,
   and the shared pages' resources point at it. The result is deterministic:
   the same inputs give the same bytes.

A shared run must start and end at a forced page break in the full document
(the template's cover, appendices and signature page do). Shared elements are
recognised by comparing with the generic (customer-less) HTML of the
version; anything unexpected makes :func:`render_fast` return ``None`` and the
caller falls back to a full render.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pydyf

from generator.contracts.engine.shared_objects import SharedObjects

__all__ = ["Split", "split_body", "render_fast", "clear_cache"]

_PLACEHOLDER_CLASS = "agw-placeholder"
_PLACEHOLDER_ID = "agw-placeholder-{run}-{page}"
# Empty pages standing for the shared runs; the forced breaks combine with the
# template's own (cover: break-after, appendices/signatures: break-before).
_PLACEHOLDER_CSS = (f"<style>.{_PLACEHOLDER_CLASS} {{ break-before: page; break-after: page; "
                    "height: 0; margin: 0; padding: 0; border: 0; }</style>\n")
# The shared pages are laid out without footers; the customer's pages carry them.
_NO_FOOTER_CSS = ("<style>@page { @bottom-left { content: none; } "
                  "@bottom-right { content: none; } }</style>\n")

_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^>]*?(/?)>")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                   "meta", "source", "track", "wbr"})


@dataclass(frozen=True)
class Split:
    """An HTML document cut into ``head`` (up to ``<body>``), body elements and ``tail``."""

    head: str
    segments: tuple[str, ...]
    tail: str

    @staticmethod
    def key(segment: str) -> str:
        """A segment's identity: its opening tag (e.g. ``<section class="appendix" id="x">``)."""
        return segment[:segment.index(">") + 1]


def split_body(html: str) -> Split | None:
    """Cut the body into its top-level elements; None if it is not simple, well-formed markup."""
    body_open = re.search(r"<body\b[^>]*>", html)
    body_close = html.rfind("</body>")
    if not body_open or body_close < body_open.end():
        return None
    head, tail = html[:body_open.end()], html[body_close:]
    body = html[body_open.end():body_close]
    segments: list[str] = []
    depth, start, position = 0, None, 0
    for match in _TAG_RE.finditer(body):
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        if depth == 0:
            if closing or body[position:match.start()].strip():
                return None  # stray text or a stray closing tag at the top level
            start = match.start()
        if name in _VOID or self_closing:
            if depth == 0:
                segments.append(body[start:match.end()])
                position = match.end()
            continue
        depth += -1 if closing else 1
        if depth < 0:
            return None
        if depth == 0:
            segments.append(body[start:match.end()])
            position = match.end()
    if depth != 0 or body[position:].strip():
        return None
    return Split(head, tuple(segments), tail)


# --------------------------------------------------------------------------
# Shared (invariant) pages


@dataclass
class _Shared:
    runs: tuple[tuple[str, ...], ...]   # the segments of each shared run
    pages: list[list]                    # laid-out weasyprint Pages per run
    pdf: bytes                           # all shared pages, no footers, compact fonts
    objects: SharedObjects                # their objects, ready to copy into a contract


_CACHE: OrderedDict[str, _Shared] = OrderedDict()
_CACHE_SIZE = 8


def clear_cache() -> None:
    _CACHE.clear()


def _shared(head: str, runs: tuple[tuple[str, ...], ...], tail: str,
            render: Callable[[str], object], write: Callable[[object], bytes]) -> _Shared:
    digest = hashlib.sha256()
    for run in runs:
        digest.update(b"\0run\0")
        for segment in run:
            digest.update(segment.encode())
            digest.update(b"\0")
    # The head's stylesheet shapes the layout; its <title> does not matter.
    digest.update(re.sub(r"<title>.*?</title>", "", head, flags=re.S).encode())
    key = digest.hexdigest()
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    shared_head = head.replace("</head>", _NO_FOOTER_CSS + "</head>", 1)
    documents = [render(shared_head + "\n".join(run) + tail) for run in runs]
    pages = [list(document.pages) for document in documents]
    # Written without links, anchors and bookmarks: those come from the Page
    # objects into the assembled document, where every target exists.
    bare = []
    for run_pages in pages:
        for page in run_pages:
            page = copy.copy(page)
            page.links, page.anchors, page.bookmarks, page.forms = [], {}, [], {None: []}
            bare.append(page)
    data = write(documents[0].copy(bare))
    shared = _Shared(runs, pages, data, SharedObjects.from_pdf(data))
    _CACHE[key] = shared
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return shared


# --------------------------------------------------------------------------
# Per customer


@dataclass(frozen=True)
class FastResult:
    pdf: bytes
    document: object   # the assembled weasyprint Document (signature boxes, page count)


def _runs(customer: Split, generic: Split) -> list[tuple[int, int]] | None:
    """Maximal runs ``[start, end)`` of customer segments identical to the generic ones."""
    generic_by_key: dict[str, str] = {}
    for segment in generic.segments:
        generic_by_key.setdefault(Split.key(segment), segment)
    shared = [generic_by_key.get(Split.key(s)) == s for s in customer.segments]
    runs, start = [], None
    for index, is_shared in enumerate(shared + [False]):
        if is_shared and start is None:
            start = index
        elif not is_shared and start is not None:
            runs.append((start, index))
            start = None
    return runs


def _plan(html: str, generic_html: str):
    """The customer's and the generic body and the shared runs, or None: render in full."""
    customer, generic = split_body(html), split_body(generic_html)
    if customer is None or generic is None:
        return None
    runs = _runs(customer, generic)
    return (customer, generic, runs) if runs else None


def prepare_shared(html: str, generic_html: str, *, render, write) -> bool:
    """Make and cache the shared pages for ``html`` now; False if the fast path does not apply."""
    plan = _plan(html, generic_html)
    if plan is None:
        return False
    customer, generic, runs = plan
    _shared(generic.head, tuple(customer.segments[a:b] for a, b in runs), generic.tail,
            render, lambda document: write(document, {}, None))
    return True


def render_fast(html: str, generic_html: str, *, render: Callable[[str], object],
                write: Callable[[object, Mapping[str, str], Callable | None], bytes],
                metadata: Mapping[str, str],
                finisher: Callable[[object], Callable] | None = None) -> FastResult | None:
    """The contract for ``html``, reusing the pages it shares with ``generic_html``.

    ``render(html)`` lays out HTML into a WeasyPrint Document, ``write(document,
    metadata, finisher)`` writes one (compact fonts, reproducible; ``finisher``
    as for :func:`generator.contracts.engine.pdf.write_pdf`). ``finisher(document)``
    (optional) gives one more finisher for the assembled contract only, e.g.
    its signature fields. Returns None when the HTML cannot be split into
    shared and own parts; then render in full.
    """
    plan = _plan(html, generic_html)
    if plan is None:
        return None
    customer, generic, runs = plan
    run_segments = tuple(customer.segments[a:b] for a, b in runs)
    # The generic head: the same stylesheet, and the same for every customer of the version.
    shared = _shared(generic.head, run_segments, generic.tail, render,
                     lambda document: write(document, {}, None))

    # The customer's own document, with placeholder pages for the shared runs.
    parts: list[str] = []
    run_at = {start: (number, end) for number, (start, end) in enumerate(runs)}
    index = 0
    while index < len(customer.segments):
        if index in run_at:
            number, end = run_at[index]
            for page in range(len(shared.pages[number])):
                parts.append(f'<div class="{_PLACEHOLDER_CLASS}" '
                             f'id="{_PLACEHOLDER_ID.format(run=number, page=page)}"></div>')
            index = end
        else:
            parts.append(customer.segments[index])
            index += 1
    head = customer.head.replace("</head>", _PLACEHOLDER_CSS + "</head>", 1)
    document = render(head + "\n".join(parts) + customer.tail)

    # Each placeholder must be alone on its own page.
    where: dict[int, tuple[int, int]] = {}
    for page_index, page in enumerate(document.pages):
        ids = [a for a in page.anchors if a.startswith("agw-placeholder-")]
        if len(ids) > 1:
            return None
        if ids:
            _, _, number, page_number = ids[0].split("-")
            where[page_index] = (int(number), int(page_number))
    expected = sum(len(pages) for pages in shared.pages)
    if len(where) != expected:
        return None

    pages = []
    shared_index: dict[int, int] = {}   # assembled page → page in the shared PDF
    offsets = [sum(len(p) for p in shared.pages[:n]) for n in range(len(shared.pages))]
    for page_index, page in enumerate(document.pages):
        if page_index in where:
            number, page_number = where[page_index]
            source = shared.pages[number][page_number]
            if (source.width, source.height) != (page.width, page.height):
                return None
            hybrid = copy.copy(page)
            hybrid.anchors = dict(source.anchors)
            hybrid.links = list(source.links)
            hybrid.bookmarks = list(source.bookmarks)
            hybrid.forms = copy.copy(source.forms)
            pages.append(hybrid)
            shared_index[page_index] = offsets[number] + page_number
        else:
            pages.append(page)
    assembled = document.copy(pages)

    def add_shared(_document, pdf_file: pydyf.PDF) -> None:
        shared.objects.add_to(pdf_file, shared_index)

    extra = finisher(assembled) if finisher else None
    return FastResult(write(assembled, metadata, _chain(add_shared, extra)), assembled)


def _chain(*finishers: Callable | None) -> Callable:
    present = [f for f in finishers if f is not None]

    def finish(document, pdf_file) -> None:
        for each in present:
            each(document, pdf_file)

    return finish
