"""Fast contract PDFs: lay out and write the pages every customer shares once per process.

The contract template marks the top-level parts of the body that are the same
for every customer of a version with a ``data-shared`` attribute (the
agreement itself, 附录二, “（以下无正文）”); the others — the cover, 附录一
with the customer's values, the signature page — differ per contract. A full
WeasyPrint render spends most of its time on the shared parts, so:

1. **Shared pages (once per process and version).** Each maximal run of
   shared parts is laid out on its own, without margin boxes, and all their
   pages are written to one PDF, whose pages become Form XObjects
   (:class:`generator.contracts.engine.page_forms.PageForms`); their fonts
   are cut to the glyphs drawn and compressed, once. The laid-out pages are
   kept too, for their anchors, links and bookmarks.
2. **Page numbers (once per process and page count).** The margin boxes
   that show page numbers (第 n 页 共 N 页, see
   :mod:`generator.contracts.engine.margin_boxes`) depend only on n and N:
   N empty pages with just those boxes are laid out and written once, their
   pages become forms too.
3. **Customer pages (per contract).** The customer's HTML, with each shared
   run replaced by one empty placeholder page, is laid out with the other
   margin boxes (合同编号). Each placeholder page is repeated once per page
   of its run, carrying that page's anchors, links and bookmarks, so
   WeasyPrint writes the same outline, named destinations and links as for a
   full render. Its text is drawn from the shared pages' fonts (compacted
   once, at step 1) wherever they hold the glyph, and only the rest from
   fonts of its own; the page-number forms' glyphs join those. Each glyph
   drawn is embedded exactly once (see
   :mod:`generator.contracts.engine.shared_fonts`).
4. **Assembly (per contract).** Each shared page's form is drawn under its
   page's content and each page-number form over it — the order of a full
   render: body, then margin boxes. The result is deterministic.

A shared run must start and end at a forced page break (the template's
cover, appendices and signature page do), shared parts must not set the
strings the margin boxes show (``string-set``), and page rules must not
depend on the page's name or on :blank. When a contract does not fit what
can be checked here, :func:`render_fast` raises :class:`FastPathUnavailable`
saying why; the caller decides whether that is an error or a reason to
render in full. The tests compare the result with a full render.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from generator.contracts.engine import margin_boxes, pdf, postpass
from generator.contracts.engine.compact import GlyphsNotMerged
from generator.contracts.engine.page_forms import PageForms
from generator.contracts.engine.split import (SHARED_ATTRIBUTE, FastPathUnavailable, Split,
                                              split_body)

__all__ = ["FastPathUnavailable", "FastResult", "Split", "clear_cache", "prepare_shared",
           "render_fast", "split_body"]

_PLACEHOLDER_CLASS = "agw-placeholder"
_PLACEHOLDER_PREFIX = "agw-placeholder-"
# Empty pages standing for the shared runs (and the page-number pages); the forced
# breaks combine with the template's own (cover: break-after, appendices: break-before).
_PLACEHOLDER_CSS = (f".{_PLACEHOLDER_CLASS} {{ break-before: page !important; "
                    "break-after: page !important; height: 0 !important; margin: 0 !important; "
                    "padding: 0 !important; border: 0 !important; }")


# --------------------------------------------------------------------------
# Shared pages


@dataclass
class _Forms:
    forms: PageForms                     # each written page as a Form XObject (and its glyphs)
    pages: list[list]                    # laid-out weasyprint Pages (per run, for shared pages)


_CACHE: OrderedDict[str, _Forms] = OrderedDict()
_CACHE_SIZE = 16


def clear_cache() -> None:
    _CACHE.clear()


@dataclass(frozen=True)
class Layout:
    """How to lay HTML out: ``base_url`` and parsed stylesheets (see :func:`pdf.stylesheet`)."""

    base_url: str
    stylesheets: tuple[pdf.Stylesheet, ...]

    def render(self, html: str, *extra: str):
        """``html`` laid out with the stylesheets, then the ``extra`` CSS texts (as one
        stylesheet: WeasyPrint matches every element against each stylesheet in turn)."""
        sheets = (*self.stylesheets, pdf.stylesheet("\n".join(extra))) if extra else self.stylesheets
        return pdf.render(html, self.base_url, stylesheets=sheets)

    def page_number_boxes(self, document_css: str = "") -> frozenset[str]:
        """The margin boxes that show page numbers, in the stylesheets or ``document_css``."""
        try:
            return frozenset().union(*(_page_number_boxes(css) for css in (
                *(sheet.text for sheet in self.stylesheets), document_css)))
        except ValueError as exc:
            raise FastPathUnavailable(str(exc)) from None


@functools.lru_cache(maxsize=16)
def _page_number_boxes(css: str) -> frozenset[str]:
    return margin_boxes.page_number_boxes(css)


def _cached(key_parts: list[str], make: Callable[[], _Forms]) -> _Forms:
    key = hashlib.sha256("\0".join(key_parts).encode()).hexdigest()
    if key not in _CACHE:
        _CACHE[key] = make()
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    _CACHE.move_to_end(key)
    return _CACHE[key]


def _written(documents: list, name: str, compact: bool = False) -> _Forms:
    """The pages of ``documents`` written to one PDF (without links, anchors and bookmarks:
    those come from the Page objects into the assembled contract, where every target exists)."""
    pages = [list(document.pages) for document in documents]
    bare = []
    for run_pages in pages:
        for page in run_pages:
            page = copy.copy(page)
            page.links, page.anchors, page.bookmarks, page.forms = [], {}, [], {None: []}
            bare.append(page)
    data = pdf.weasyprint_pdf(documents[0].copy(bare), {})
    try:
        return _Forms(PageForms(data, name, compact=compact), pages)
    except GlyphsNotMerged as exc:   # nothing is cached: the next contract tries again
        raise FastPathUnavailable(str(exc)) from None


def _layout_key(split: Split, layout: Layout) -> list[str]:
    # The head shapes the layout (lang, meta); its <title> does not matter.
    return [layout.base_url, *(sheet.key for sheet in layout.stylesheets),
            re.sub(r"<title>.*?</title>", "", split.head, flags=re.S), split.tail]


def _shared(split: Split, layout: Layout) -> _Forms:
    """The shared pages of ``split``, laid out without margin boxes."""
    runs = [split.parts[a:b] for a, b in split.runs()]
    if not runs:
        raise FastPathUnavailable(f"the template marks no part of the body {SHARED_ATTRIBUTE}")
    key = [*_layout_key(split, layout), *("\0run\0" + "\0".join(p.html for p in run) for run in runs)]
    no_boxes = margin_boxes.without(margin_boxes.MARGIN_BOXES)
    return _cached(key, lambda: _written(
        [layout.render(split.head + "\n".join(p.html for p in run) + split.tail, no_boxes)
         for run in runs], "/AgwShared", compact=True))


def _page_numbers(split: Split, layout: Layout, count: int) -> _Forms:
    """``count`` pages with only the margin boxes that show page numbers."""
    boxes = layout.page_number_boxes(split.styles)
    html = split.head + "\n".join(f'<div class="{_PLACEHOLDER_CLASS}"></div>'
                                  for _ in range(count)) + split.tail
    return _cached([*_layout_key(split, layout), f"\0numbers\0{count}"], lambda: _written(
        [layout.render(html, _PLACEHOLDER_CSS, margin_boxes.only(boxes))], "/AgwPageNumber"))


def prepare_shared(html: str, layout: Layout) -> None:
    """Make and cache the shared pages of ``html`` now (e.g. before forking workers)."""
    _shared(split_body(html), layout)


# --------------------------------------------------------------------------
# Per customer


def _customer_html(split: Split) -> str:
    """``split`` with each shared run replaced by one placeholder."""
    parts: list[str] = []
    run_at = {start: (number, end) for number, (start, end) in enumerate(split.runs())}
    index = 0
    while index < len(split.parts):
        if index in run_at:
            number, end = run_at[index]
            parts.append(f'<div class="{_PLACEHOLDER_CLASS}" id="{_PLACEHOLDER_PREFIX}{number}"></div>')
            index = end
        else:
            parts.append(split.parts[index].html)
            index += 1
    return split.head + "\n".join(parts) + split.tail


def _placeholders(document, runs: int) -> dict[int, int]:
    """Page index → run of each placeholder page; each placeholder alone on its page."""
    where: dict[int, int] = {}
    for page_index, page in enumerate(document.pages):
        ids = [a for a in page.anchors if a.startswith(_PLACEHOLDER_PREFIX)]
        if len(ids) > 1:
            raise FastPathUnavailable(f"page {page_index + 1} holds two shared runs: "
                                      "a shared part must start and end at a page break")
        if ids:
            where[page_index] = int(ids[0][len(_PLACEHOLDER_PREFIX):])
    if len(where) != runs:
        raise FastPathUnavailable(f"{len(where)} placeholder pages for {runs} shared runs: "
                                  "a shared part must start and end at a page break")
    return where


def _pages(document, shared: _Forms) -> tuple[list, dict[int, int]]:
    """The contract's pages: each placeholder page once per page of its run, carrying that
    page's anchors, links and bookmarks; and assembled page → page of the shared PDF."""
    where = _placeholders(document, len(shared.pages))
    offsets = [sum(len(p) for p in shared.pages[:n]) for n in range(len(shared.pages))]
    pages, placement = [], {}
    for page_index, page in enumerate(document.pages):
        if page_index not in where:
            pages.append(page)
            continue
        run = where[page_index]
        for number, source in enumerate(shared.pages[run]):
            if (source.width, source.height) != (page.width, page.height):
                raise FastPathUnavailable(f"page {page_index + 1} is not the size of the shared "
                                          "pages it stands for")
            hybrid = copy.copy(page)
            hybrid.anchors = dict(source.anchors)
            hybrid.links = list(source.links)
            hybrid.bookmarks = list(source.bookmarks)
            hybrid.forms = copy.copy(source.forms)
            placement[len(pages)] = offsets[run] + number
            pages.append(hybrid)
    return pages, placement


@dataclass(frozen=True)
class FastResult:
    pdf: bytes
    document: object   # the assembled weasyprint Document (signature boxes, page count)


def render_fast(html: str, layout: Layout, *, metadata,
                fields: Callable[[object], list] | None = None,
                variant: str | None = None, attachments=()) -> FastResult:
    """The contract for ``html``, reusing the pages it shares with every customer.

    ``fields(document)`` (optional) gives the signature boxes of the assembled
    document (:func:`generator.contracts.engine.signature_fields.signature_boxes`);
    ``variant`` and ``attachments`` are passed to :func:`pdf.weasyprint_pdf`.
    Raises :class:`FastPathUnavailable` when the fast path cannot make this contract.
    """
    split = split_body(html)
    shared = _shared(split, layout)
    boxes = layout.page_number_boxes(split.styles)
    document = layout.render(_customer_html(split), _PLACEHOLDER_CSS, margin_boxes.without(boxes))
    pages, placement = _pages(document, shared)
    numbers = _page_numbers(split, layout, len(pages)) if boxes else None
    if numbers and [(p.width, p.height) for p in pages] != \
            [(p.width, p.height) for p in numbers.pages[0]]:
        raise FastPathUnavailable("the pages are not all of one size")
    assembled = document.copy(pages)
    data = pdf.weasyprint_pdf(assembled, metadata, compress=False, variant=variant,
                              attachments=attachments)
    over = {index: (numbers.forms, index) for index in range(len(pages))} if numbers else {}
    under = {index: (shared.forms, source) for index, source in placement.items()}
    try:
        return FastResult(postpass.finish(data, under=under, over=over,
                                          fields=fields(assembled) if fields else ()), assembled)
    except GlyphsNotMerged as exc:
        raise FastPathUnavailable(str(exc)) from None
