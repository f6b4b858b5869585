"""Fast contract PDFs: lay out and write the customer-independent pages once per process.

A contract's body is a sequence of top-level elements (``<section>``s and the
“（以下无正文）” paragraph). Most of them — the agreement itself, 附录二 — are
the same for every customer of a version; only the cover, 附录一 (filled
values) and the signature page differ. A full WeasyPrint render spends most
of its time on the shared part, so:

1. **Invariant layout (once per process and version).** Each maximal run of
   shared elements is laid out on its own (without page footers) and all
   their pages are written to one PDF with compact fonts
   (:mod:`generator.render.fonts`). The laid-out pages are kept too, for
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
   :class:`generator.render.fonts.CffUnion`), merged ``/W`` and ToUnicode,
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
import io
import re
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pydyf

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
_FORM_NAME = "/AgwShared"

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
    objects: "_Templates"                # their objects, ready to copy into a contract


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
    shared = _Shared(runs, pages, data, _Templates.from_pdf(data))
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


def prepare_shared(html: str, generic_html: str, *, render, write) -> bool:
    """Make and cache the shared pages for ``html`` now; False if the fast path does not apply."""
    customer, generic = split_body(html), split_body(generic_html)
    if customer is None or generic is None:
        return False
    runs = _runs(customer, generic)
    if not runs:
        return False
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
    as for :func:`generator.render.pdf.write_pdf`). ``finisher(document)``
    (optional) gives one more finisher for the assembled contract only, e.g.
    its signature fields. Returns None when the HTML cannot be split into
    shared and own parts; then render in full.
    """
    customer, generic = split_body(html), split_body(generic_html)
    if customer is None or generic is None:
        return None
    runs = _runs(customer, generic)
    if not runs:
        return None
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


# --------------------------------------------------------------------------
# Copying the shared pages' objects into a contract


class _Raw(pydyf.Object):
    """A pre-serialised PDF object."""

    def __init__(self, data: bytes, stream: bool):
        super().__init__()
        self._data = data
        self._stream = stream

    @property
    def data(self) -> bytes:
        return self._data

    @property
    def compressible(self) -> bool:
        return not self._stream


_Template = tuple  # alternating bytes and ints (an int: a reference to that template)


class _Templates:
    """The shared pages as Form XObjects plus everything they use, serialised once.

    References between the objects are kept as indexes and turned into object
    numbers when added to a contract, so adding them costs a few joins.
    """

    def __init__(self, objects: list[tuple[_Template, bool]], forms: list[int],
                 faces: list["_SharedFace"] | None = None):
        self.objects = objects   # (template, is_stream)
        self.forms = forms       # per shared page: index of its Form XObject
        self.faces = faces or []  # the shared pages' fonts, to merge with the customer's

    @classmethod
    def from_pdf(cls, data: bytes) -> "_Templates":
        import pypdf   # only needed once per version: keep it out of start-up
        from pypdf.generic import (ArrayObject, DictionaryObject, IndirectObject, NameObject,
                                   NumberObject, StreamObject)
        reader = pypdf.PdfReader(io.BytesIO(data))
        index: dict[int, int] = {}
        objects: list = []
        pending: list[int] = []

        def ref(number: int) -> int:
            if number not in index:
                index[number] = len(objects)
                objects.append(None)
                pending.append(number)
            return index[number]

        def serialise(obj, out: list) -> None:
            if isinstance(obj, IndirectObject):
                out.append(ref(obj.idnum))
            elif isinstance(obj, StreamObject):
                raise ValueError("direct stream")
            elif isinstance(obj, DictionaryObject):
                out.append(b"<<")
                for key in sorted(obj):
                    out.append(b"/" + key[1:].encode("latin-1") + b" ")
                    value = obj.raw_get(key)
                    if key in ("/BaseFont", "/FontName") and isinstance(value, NameObject):
                        value = NameObject(_shared_font_name(value))
                    serialise(value, out)
                    out.append(b" ")
                out.append(b">>")
            elif isinstance(obj, ArrayObject):
                out.append(b"[")
                for item in obj:
                    serialise(item, out)
                    out.append(b" ")
                out.append(b"]")
            else:
                buffer = io.BytesIO()
                obj.write_to_stream(buffer)
                out.append(buffer.getvalue())

        def stream_template(stream: StreamObject, extra: dict) -> _Template:
            raw = stream._data  # still encoded
            entries = {k: stream.raw_get(k) for k in stream if k != "/Length"}
            entries.update(extra)
            entries["/Length"] = NumberObject(len(raw))
            out: list = []
            serialise(DictionaryObject(entries), out)
            out.append(b"\nstream\n" + raw + b"\nendstream")
            return _join(out)

        forms = []
        for page in reader.pages:
            contents = page.raw_get("/Contents")
            if not isinstance(contents, IndirectObject) or not isinstance(
                    contents.get_object(), StreamObject):
                raise ValueError("a shared page's content is not one stream")
            box = ArrayObject(page.mediabox)
            extra = {"/Type": NameObject("/XObject"), "/Subtype": NameObject("/Form"),
                     "/BBox": box, "/Resources": page.raw_get("/Resources")}
            form = len(objects)
            objects.append(None)   # reserve the slot before its references get theirs
            objects[form] = (stream_template(contents.get_object(), extra), True)
            forms.append(form)
        while pending:
            number = pending.pop(0)
            obj = reader.get_object(number)
            if isinstance(obj, StreamObject):
                objects[index[number]] = (stream_template(obj, {}), True)
            else:
                out: list = []
                serialise(obj, out)
                objects[index[number]] = (_join(out), False)
        faces = []
        for number, position in sorted(index.items()):
            obj = reader.get_object(number)
            if isinstance(obj, DictionaryObject) and obj.get("/Subtype") == "/Type0":
                try:
                    faces.append(_SharedFace.from_pdf(obj, position, index))
                except (KeyError, IndexError, ValueError, TypeError, AttributeError):
                    continue   # not a font this module knows how to merge: keep it as it is
        return cls(objects, forms, faces)

    def add_to(self, pdf_file: pydyf.PDF, placement: Mapping[int, int]) -> None:
        """Add the objects to ``pdf_file`` and draw shared page ``placement[i]`` on page ``i``."""
        # Faces used on both sides get one font: the customer's, holding both glyph sets.
        merged: dict[int, int] = {}    # shared Type0 font template → customer font number
        dropped: set[int] = set()
        customer_fonts = _customer_fonts(pdf_file)
        for face in self.faces:
            number = customer_fonts.get(face.name)
            if number is not None and face.merge_into(pdf_file, number):
                merged[face.type0] = number
                dropped.update(face.objects)
        numbers: list[int | None] = []
        next_number = len(pdf_file.objects)
        for position in range(len(self.objects)):
            if position in dropped:
                numbers.append(merged.get(position))
            else:
                numbers.append(next_number)
                next_number += 1
        for position, (template, is_stream) in enumerate(self.objects):
            if position in dropped:
                continue
            data = b"".join(part if isinstance(part, bytes) else b"%d 0 R" % numbers[part]
                            for part in template)
            pdf_file.add_object(_Raw(data, is_stream))
        kids = pdf_file.pages["Kids"]
        page_numbers = [kids[i] for i in range(0, len(kids), 3)]
        for page_index in sorted(placement):
            page = pdf_file.objects[page_numbers[page_index]]
            form = numbers[self.forms[placement[page_index]]]
            resources = page["Resources"]
            if isinstance(resources, bytes):   # WeasyPrint: one dict shared by all pages
                resources = pdf_file.objects[int(resources.split()[0])]
            resources = pydyf.Dictionary(resources)
            xobjects = pydyf.Dictionary(resources.get("XObject") or {})
            xobjects[_FORM_NAME[1:]] = b"%d 0 R" % form
            resources["XObject"] = xobjects
            pdf_file.add_object(resources)
            page["Resources"] = resources.reference
            prefix = pydyf.Stream([f"q {_FORM_NAME} Do Q".encode()], compress=False)
            pdf_file.add_object(prefix)
            page["Contents"] = pydyf.Array([prefix.reference, page["Contents"]])


_TO_UNICODE_RE = re.compile(rb"<([0-9a-fA-F]+)> <([0-9a-fA-F]*)>")
_BFCHAR_RE = re.compile(rb"beginbfchar\n(.*?)\nendbfchar", re.S)


def _to_unicode_entries(lines: list) -> list[tuple[bytes, bytes]]:
    """The ``bfchar`` entries of a ToUnicode CMap as WeasyPrint writes it (one per line)."""
    data = b"\n".join(line if isinstance(line, bytes) else str(line).encode() for line in lines)
    return [pair for block in _BFCHAR_RE.findall(data) for pair in _TO_UNICODE_RE.findall(block)]


def _ref_number(reference) -> int:
    return int(bytes(reference).split()[0])


def _base_name(name) -> str:
    """A font name without its subset tag."""
    if isinstance(name, bytes):
        name = name.decode("latin-1")
    return re.sub(r"^[A-Z]{6}\+", "", str(name).lstrip("/"))


def _customer_fonts(pdf_file: pydyf.PDF) -> dict[str, int]:
    """The customer document's Type0 fonts: base name → object number (first of each name)."""
    fonts: dict[str, int] = {}
    for number, obj in enumerate(pdf_file.objects):
        if isinstance(obj, pydyf.Dictionary) and obj.get("Subtype") == "/Type0":
            fonts.setdefault(_base_name(obj.get("BaseFont", "")), number)
    return fonts


def _widths_array(widths: Mapping[int, object]) -> pydyf.Array:
    """``/W`` as WeasyPrint writes it: runs of consecutive CIDs."""
    array = pydyf.Array()
    current = None
    for cid in sorted(widths):
        if cid - 1 not in widths or current is None:
            array.append(cid)
            current = pydyf.Array()
            array.append(current)
        current.append(widths[cid])
    return array


def _parse_widths(array) -> dict[int, object]:
    widths: dict[int, object] = {}
    items = list(array)
    i = 0
    while i < len(items):
        first = int(items[i])
        second = items[i + 1]
        if isinstance(second, (list, tuple)):
            for offset, width in enumerate(second):
                widths[first + offset] = width
            i += 2
        else:   # c_first c_last w
            for cid in range(first, int(second) + 1):
                widths[cid] = items[i + 2]
            i += 3
    return widths


def _number(value):
    """A pypdf number as a plain int or float (pydyf writes those)."""
    number = float(value)
    return int(number) if number.is_integer() else number


@dataclass
class _SharedFace:
    """A font of the shared pages, ready to be merged into the customer's font of that face."""

    name: str                   # without the subset tag
    type0: int                  # template index of the Type0 font
    objects: frozenset[int]     # template indexes of the font's objects (dropped when merged)
    union: object               # fonts.CffUnion of the shared subset
    widths: dict[int, object]
    to_unicode: dict[bytes, bytes]   # CID (hex) → UTF-16BE (hex)

    @classmethod
    def from_pdf(cls, font, position: int, index: Mapping[int, int]) -> "_SharedFace":
        from generator.render.fonts import CFF_SUBTYPE, CffUnion
        descendant_ref = font["/DescendantFonts"][0]
        descendant = descendant_ref.get_object()
        descriptor_ref = descendant.raw_get("/FontDescriptor")
        program_ref = descriptor_ref.get_object().raw_get("/FontFile3")
        to_unicode_ref = font.raw_get("/ToUnicode")
        program = program_ref.get_object()
        if program.get("/Subtype") != CFF_SUBTYPE or descendant.get("/Subtype") != "/CIDFontType0":
            raise ValueError("not a compact CFF font")
        if descendant.get("/CIDToGIDMap", "/Identity") != "/Identity" or "/Encoding" in font and \
                font["/Encoding"] != "/Identity-H":
            raise ValueError("not Identity-H")
        widths = {cid: _number(w) for cid, w in _parse_widths(descendant["/W"]).items()}
        to_unicode = dict(_to_unicode_entries([to_unicode_ref.get_object().get_data()]))
        objects = frozenset(index[ref.idnum] for ref in (
            descendant_ref, descriptor_ref, program_ref, to_unicode_ref)) | {position}
        return cls(_base_name(font["/BaseFont"]), position, objects,
                   CffUnion(program.get_data()), widths, to_unicode)

    def merge_into(self, pdf_file: pydyf.PDF, number: int) -> bool:
        """Make the customer's font ``number`` hold this face's glyphs too; False if it cannot."""
        objects = pdf_file.objects
        try:
            font = objects[number]
            descendant = objects[_ref_number(font["DescendantFonts"][0])]
            descriptor = objects[_ref_number(descendant["FontDescriptor"])]
            program = objects[_ref_number(descriptor["FontFile3"])]
            to_unicode = objects[_ref_number(font["ToUnicode"])]
        except (KeyError, IndexError, TypeError, ValueError):
            return False
        if (not isinstance(program, pydyf.Stream) or len(program.stream) != 1
                or not isinstance(program.stream[0], bytes) or "Filter" in program.extra
                or descendant.get("CIDToGIDMap", "/Identity") != "/Identity"
                or "CIDSet" in descriptor or font.get("Encoding") != "/Identity-H"
                or not isinstance(to_unicode, pydyf.Stream)
                or b"endcodespacerange" not in to_unicode.stream
                or b"endcmap" not in to_unicode.stream):
            return False
        data = self.union.merge(program.stream[0])
        if data is None:
            return False
        program.stream = [data]
        program.compress = False
        program.extra["Filter"] = "/FlateDecode"

        widths = dict(self.widths)
        widths.update(_parse_widths(descendant["W"]))
        descendant["W"] = _widths_array(widths)
        flags = int(descriptor["Flags"]) & ~1
        if len(widths) > 1 and len(set(widths.values())) == 1:
            flags |= 1   # FixedPitch, as WeasyPrint sets it
        descriptor["Flags"] = flags
        bbox = list(descriptor["FontBBox"])
        bbox[2] = max(widths.values()) if widths else 0
        descriptor["FontBBox"] = pydyf.Array(bbox)

        mapping = dict(self.to_unicode)
        lines = to_unicode.stream
        mapping.update(_to_unicode_entries(lines))
        cut = lines.index(b"endcodespacerange") + 1
        head = lines[:cut] + lines[lines.index(b"endcmap"):]
        items = list(mapping.items())
        body = []
        for start in range(0, len(items), 100):
            batch = items[start:start + 100]
            body.append(b"%d beginbfchar" % len(batch))
            body.extend(b"<%s> <%s>" % pair for pair in batch)
            body.append(b"endbfchar")
        to_unicode.stream = head[:cut] + body + head[cut:]
        return True


def _shared_font_name(name: str) -> str:
    """A subset tag of its own for the shared pages' fonts.

    WeasyPrint derives the tag (``ABCDEF+``) from the font description, so the
    shared pages' subset and the customer pages' subset of one face would
    otherwise carry the same name with different glyphs; give the shared one
    another deterministic tag so that no viewer can mistake one for the other.
    """
    match = re.fullmatch(r"/([A-Z]{6})\+(.*)", name)
    if not match:
        return name
    digest = hashlib.md5(f"shared:{match.group(1)}".encode(), usedforsecurity=False).digest()
    return "/" + "".join(chr(65 + b % 26) for b in digest[:6]) + "+" + match.group(2)


def _join(parts: list) -> _Template:
    """Merge adjacent bytes, keep reference indexes."""
    out: list = []
    for part in parts:
        if isinstance(part, bytes) and out and isinstance(out[-1], bytes):
            out[-1] += part
        else:
            out.append(part)
    return tuple(out)
