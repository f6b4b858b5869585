"""Is the PDF byte for byte the contract rebuilt from its sources, and if not, how does it differ?

The verdict is byte equality: contracts are byte-reproducible, so nothing
weaker is needed. The rest of this module only *explains* a difference in
the terms a reader cares about, from the outside in: the text of a page
(poppler's ``pdftotext``, an independent reader), then what is drawn
(pikepdf: the first object under a page that differs — a content stream, a
font program, an image), then the metadata, and last the file's structure.
"""

from __future__ import annotations

import functools
import io
from collections import defaultdict
from dataclasses import dataclass

import pikepdf

from generator.contracts.verify.pdf_tools import tool_output
from generator.errors import AgreementsError
from generator.i18n import _
from generator.library_messages import library_reason

# Keys that point back up the tree: pages are compared one by one, annotations with their page.
_BACK_LINKS = frozenset({"/Parent", "/P"})
# How a stream is compressed is not what it draws: streams are compared decoded.
_ENCODING = frozenset({"/Filter", "/DecodeParms", "/Length"})
_MAX_TEXT_DIFFERENCES = 3


def page_texts(data: bytes) -> list[str]:
    """Each page's text as poppler extracts it, whitespace removed (layout is not content)."""
    text = tool_output(data, "pdftotext", "poppler-utils", lambda path: ["-enc", "UTF-8", path, "-"])
    # pdftotext ends every page with a form feed.
    pages = text.decode("utf-8", errors="replace").split("\f")[:-1]
    return ["".join(page.split()) for page in pages]


@dataclass(frozen=True)
class Difference:
    reasons: list[str]  # never empty
    same_text: bool     # every page reads the same as the rebuild's


def explain(actual: bytes, expected: bytes) -> Difference:
    """Why ``actual`` is not ``expected``, most visible difference first."""
    try:
        texts = page_texts(actual)
    except AgreementsError as exc:
        return Difference([exc.message], same_text=False)
    expected_texts = _rebuild_texts(expected)
    reasons = _text_differences(texts, expected_texts)
    same_text = not reasons
    try:
        with pikepdf.open(io.BytesIO(actual)) as got, pikepdf.open(io.BytesIO(expected)) as want:
            if same_text or len(texts) == len(expected_texts):
                # name the objects: of every page when the text is the same, else of the
                # pages whose text differs
                pages = None if same_text else [n for n, (a, b) in enumerate(
                    zip(texts, expected_texts), start=1) if a != b][:_MAX_TEXT_DIFFERENCES]
                reasons += _drawing_differences(got, want, pages)
            reasons += _metadata_differences(got, want)
    except pikepdf.PdfError as exc:
        reasons.append(_("the PDF's structure is damaged ({error})").format(error=library_reason(exc)))
    except RecursionError:  # objects nested thousands deep: no generator writes that
        reasons.append(_("the PDF's objects are nested too deeply to compare"))
    if not reasons:
        reasons.append(_("same pages, text, drawing and metadata, but the file's bytes differ "
                         "({size} bytes, the rebuild {rebuilt}): it was re-saved or "
                         "rewritten after the generator wrote it").format(size=len(actual), rebuilt=len(expected)))
    return Difference(reasons, same_text)


@functools.lru_cache(maxsize=4)
def _rebuild_texts(rebuilt: bytes) -> list[str]:
    """The rebuild's page texts, read once however many PDFs are compared with it."""
    return page_texts(rebuilt)


def _text_differences(actual: list[str], expected: list[str]) -> list[str]:
    if actual == expected:
        return []
    if len(actual) != len(expected):
        return [_("the PDF has {pages} pages, the rebuilt contract {rebuilt}").format(
            pages=len(actual), rebuilt=len(expected))]
    if sorted(actual) == sorted(expected):
        moved = [_("page {number} holds the rebuild's page {rebuilt}").format(number=n, rebuilt=expected.index(text) + 1)
                 for n, (text, want) in enumerate(zip(actual, expected), start=1) if text != want]
        return [_("the pages are in another order: {pages}").format(pages=", ".join(moved[:6]))]
    reasons = []
    for number, (got, want) in enumerate(zip(actual, expected), start=1):
        if got != want and len(reasons) < _MAX_TEXT_DIFFERENCES:
            at = next(i for i, (x, y) in enumerate(zip(got + "\0", want + "\0")) if x != y)
            reasons.append(_("the text of page {number} differs from the rebuilt contract near "
                             "“{expected}” (the PDF has “{actual}”)").format(
                                 number=number, expected=want[max(0, at - 10):at + 10],
                                 actual=got[max(0, at - 10):at + 10]))
    return reasons


def _drawing_differences(got: pikepdf.Pdf, want: pikepdf.Pdf, pages: list[int] | None) -> list[str]:
    """Pages whose drawing differs (all, or only ``pages``), grouped by the object that differs."""
    pages_by_object: dict[str, list[int]] = defaultdict(list)
    for number, (page, rebuilt) in enumerate(zip(got.pages, want.pages), start=1):
        if pages is None or number in pages:
            found = _first_difference(page.obj, rebuilt.obj, _("the page dictionary"), set())
            if found:
                pages_by_object[found].append(number)
    lead = (_("same text, but what is drawn differs on {pages}: {where}") if pages is None
            else _("what is drawn differs on {pages}: {where}"))
    return [lead.format(pages=_pages(numbers), where=where) for where, numbers in pages_by_object.items()]


def _pages(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return _("page {number}").format(number=numbers[0])
    return _("pages {numbers}").format(numbers=", ".join(str(n) for n in numbers))


def _first_difference(a: pikepdf.Object, b: pikepdf.Object, what: str, seen: set,
                      owner: int | None = None) -> str | None:
    """The first object under ``a`` that differs from ``b``: what it is, the number of the
    (nearest) indirect object holding it, and how it differs."""
    def where(how: str) -> str:
        holder = _("object {number}").format(number=owner) if owner else _("the page")
        return _("{what} ({holder}) {how}").format(what=what, holder=holder, how=how)

    if not (isinstance(a, pikepdf.Object) and isinstance(b, pikepdf.Object)):
        # pikepdf hands out numbers and booleans inside containers as Python values
        same = type(a) is type(b) and a == b
        return None if same else where(_("is {mine!r}, the rebuild's {theirs!r}").format(
            mine=str(a)[:40], theirs=str(b)[:40]))
    if a.is_indirect:
        owner = a.objgen[0]
        if b.is_indirect:
            if (a.objgen, b.objgen) in seen:
                return None
            seen.add((a.objgen, b.objgen))
    kind = a._type_name
    if kind != b._type_name:
        return where(_("is a {kind}, the rebuild's a {other}").format(kind=kind, other=b._type_name))
    if kind in ("dictionary", "stream"):
        what = _what(a, what)
        ignored = _BACK_LINKS | (_ENCODING if kind == "stream" else frozenset())
        keys, other = set(a.keys()) - ignored, set(b.keys()) - ignored
        if keys != other:
            return where(_("has other keys than the rebuild's ({keys})").format(keys=", ".join(sorted(keys ^ other))))
        if kind == "stream" and not _same_stream(a, b):
            return where(_("has other data than the rebuild's"))
        for key in sorted(keys):
            found = _first_difference(a[key], b[key], _child(what, key), seen, owner)
            if found:
                return found
        return None
    if kind == "array":
        if len(a) != len(b):
            return where(_("has {count} entries, the rebuild's {other}").format(count=len(a), other=len(b)))
        return next((found for found in (_first_difference(x, y, what, seen, owner)
                                         for x, y in zip(a, b)) if found), None)
    mine, theirs = a.unparse(resolved=True), b.unparse(resolved=True)
    if mine != theirs:
        return where(_("is {mine!r}, the rebuild's {theirs!r}").format(mine=mine[:40], theirs=theirs[:40]))
    return None


def _same_stream(a: pikepdf.Object, b: pikepdf.Object) -> bool:
    try:
        return a.read_bytes() == b.read_bytes()
    except pikepdf.PdfError:  # e.g. a damaged Flate stream: then the bytes as stored must match
        return a.get("/Filter") == b.get("/Filter") and a.read_raw_bytes() == b.read_raw_bytes()


def _what(obj: pikepdf.Object, what: str) -> str:
    """Name a dictionary as a reader would see it: a font, an image, a widget."""
    if obj.get("/BaseFont") is not None:
        return _("the font {name}").format(name=str(obj.BaseFont).lstrip("/"))
    subtype = obj.get("/Subtype")
    if subtype == "/Image":
        return _("an image")
    if subtype == "/Widget":
        return _("the widget of field “{name}”").format(name=obj.get("/T", "?"))
    return what


def _child(what: str, key: str) -> str:
    if key == "/Contents" and what == _("the page dictionary"):
        return _("the page's content stream")
    if key in ("/FontFile", "/FontFile2", "/FontFile3"):
        return _("{what}'s font program").format(what=what)
    if key == "/XObject":
        return _("a drawing (Form XObject) of the page")
    return what


def _metadata_differences(got: pikepdf.Pdf, want: pikepdf.Pdf) -> list[str]:
    mine, theirs = got.docinfo, want.docinfo
    keys = sorted(set(mine.keys()) | set(theirs.keys()))
    changed = [key for key in keys if key not in mine or key not in theirs
               or mine[key].unparse(resolved=True) != theirs[key].unparse(resolved=True)]
    if not changed:
        return []
    return [_("the metadata (Info dictionary) differs: {keys}").format(keys=", ".join(changed))]
