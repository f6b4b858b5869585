"""The shared pages of a contract as pre-serialised PDF objects, and one font per face.

:mod:`generator.contracts.engine.assemble` writes the pages every customer of a version
shares once per process. :class:`SharedObjects` keeps them as Form XObjects
plus everything they use, serialised once with references kept as indexes, so
adding them to a contract costs a few joins. Their fonts are merged with the
customer pages' subsets of the same faces (:class:`generator.contracts.engine.cff.CffUnion`),
so each face is embedded once.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass

import pydyf

__all__ = ["SharedObjects"]

_FORM_NAME = "/AgwShared"



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


class SharedObjects:
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
    def from_pdf(cls, data: bytes) -> "SharedObjects":
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
    union: object               # cff.CffUnion of the shared subset
    widths: dict[int, object]
    to_unicode: dict[bytes, bytes]   # CID (hex) → UTF-16BE (hex)

    @classmethod
    def from_pdf(cls, font, position: int, index: Mapping[int, int]) -> "_SharedFace":
        from generator.contracts.engine.cff import CffUnion
        from generator.contracts.engine.fonts import CFF_SUBTYPE
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
