"""Compact embedded fonts after WeasyPrint has written the PDF (pikepdf + uharfbuzz).

WeasyPrint embeds each face as its own subset, keeping glyph ids (an
OpenType font with empty slots up to the highest glyph drawn). Here, in the
one post-pass over the written PDF, every CID-keyed CFF face is replaced by
a *bare* CID-keyed CFF (``/FontFile3 /Subtype /CIDFontType0C``) holding
exactly the glyphs drawn, plus ``.notdef``:

* a working face (:mod:`generator.contracts.engine.faces`) is cut from the
  working face itself: its charset maps glyph id n to CID n, so the CIDs of
  the cut are the codes in the content streams. One program per face
  serves the whole contract, the pages drawn from forms written elsewhere
  included (their glyphs are passed as ``extra``, and their widths and
  text are merged into the face's ``/W`` and ``/ToUnicode``);
* another CID-keyed CFF face (a system face a rare character fell back to)
  is cut from its own embedded program, whose charset keeps the system
  face's CIDs (the glyph ids of Noto CJK).

A bare CFF is what viewers need: FreeType (MuPDF, PDFium) and poppler map a
CID to a glyph through the charset only for a bare CID-keyed CFF.
"""

from __future__ import annotations

import logging
import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pikepdf
import uharfbuzz as hb
from pikepdf import Array, Name

from generator.contracts.engine import faces

__all__ = ["CFF_SUBTYPE", "FaceGlyphs", "GlyphsNotMerged", "compact_fonts", "face_name", "font_glyphs",
           "merge_glyphs"]

CFF_SUBTYPE = "/CIDFontType0C"
_LOG = logging.getLogger("generator.contracts")
_BFCHAR_BLOCK = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFCHAR = re.compile(rb"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]*)>")
_FLAGS = (hb.SubsetFlags.DESUBROUTINIZE | hb.SubsetFlags.NO_HINTING
          | hb.SubsetFlags.NO_LAYOUT_CLOSURE)
_CFF = hb.ot_tag_from_string("CFF ") if hasattr(hb, "ot_tag_from_string") else "CFF "


class GlyphsNotMerged(Exception):
    """Glyphs drawn elsewhere (forms) could not be added to a face's font."""


@dataclass(frozen=True)
class FaceGlyphs:
    """The glyphs drawn with one face: code (CID) → text, code → width (1/1000 em)."""

    to_unicode: Mapping[int, str]
    widths: Mapping[int, float]


def merge_glyphs(*sets: Mapping[str, FaceGlyphs]) -> dict[str, FaceGlyphs]:
    """Per face, the glyphs of all ``sets`` (a later set's entries win where they differ)."""
    merged: dict[str, FaceGlyphs] = {}
    for glyph_set in sets:
        for face, glyphs in glyph_set.items():
            seen = merged.get(face, FaceGlyphs({}, {}))
            merged[face] = FaceGlyphs({**seen.to_unicode, **glyphs.to_unicode},
                                      {**seen.widths, **glyphs.widths})
    return merged


def _widths(cid_font) -> dict[int, float]:
    widths: dict[int, float] = {}
    items = list(cid_font.get("/W", Array()))
    index = 0
    while index + 1 < len(items):
        first, values = int(items[index]), items[index + 1]
        if isinstance(values, Array):
            for offset, width in enumerate(values):
                widths[first + offset] = float(width)
            index += 2
        else:   # c_first c_last w
            for code in range(first, int(values) + 1):
                widths[code] = float(items[index + 2])
            index += 3
    return widths


def _to_unicode(font) -> dict[int, str]:
    stream = font.get("/ToUnicode")
    if stream is None:
        return {}
    return {int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be")
            for block in _BFCHAR_BLOCK.findall(stream.read_bytes())
            for code, text in _BFCHAR.findall(block)}


def font_glyphs(font) -> FaceGlyphs:
    """What a Type0 font written by WeasyPrint draws: its ``/ToUnicode`` and ``/W`` entries."""
    return FaceGlyphs(_to_unicode(font), _widths(font.DescendantFonts[0]))


def _w_array(widths: Mapping[int, float]) -> Array:
    """``/W`` of ``widths``: ``c [w1 w2 …]`` per run of consecutive codes, built as one
    Python list converted once (an Array per run took twice as long). Whole widths go in
    as integers: qpdf writes them as it wrote the floats (``256``), so the bytes are unchanged."""
    out: list = []
    run: list = []
    previous = None
    for code in sorted(widths):
        if code - 1 != previous:
            run = []
            out += (code, run)
        width = round(widths[code], 3)
        run.append(int(width) if width.is_integer() else width)
        previous = code
    return Array(out)


def _cmap(pdf: pikepdf.Pdf, to_unicode: Mapping[int, str]) -> pikepdf.Stream:
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
             b"/CIDSystemInfo", b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0",
             b">> def", b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
             b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange"]
    items = sorted(to_unicode.items())
    for start in range(0, len(items), 100):
        batch = items[start:start + 100]
        lines.append(b"%d beginbfchar" % len(batch))
        lines.extend(b"<%04x> <%s>" % (code, text.encode("utf-16-be").hex().encode())
                     for code, text in batch)
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return pikepdf.Stream(pdf, b"\n".join(lines))


def _cut(face: hb.Face, codes: Iterable[int]) -> bytes | None:
    subset_input = hb.SubsetInput()
    for code in sorted({0, *codes}):
        subset_input.glyph_set.add(code)
    subset_input.flags = _FLAGS
    cut = hb.subset(face, subset_input)
    if cut is None:
        return None
    data = cut.reference_table(_CFF).data
    return data or None


def face_name(font) -> str:
    """The face of a font: its ``/BaseFont`` without the subset tag."""
    return re.sub(r"^[A-Z]{6}\+", "", str(font.get("/BaseFont", "/?"))[1:])


def _could_not_cut(font) -> None:
    """No silent fallback: say that this face keeps WeasyPrint's larger subset."""
    _LOG.warning("HarfBuzz could not subset %s to the glyphs drawn; embedding WeasyPrint's "
                 "larger subset instead", face_name(font))


def _replace_program(pdf: pikepdf.Pdf, font, cff: bytes, compressed: bool = False) -> None:
    cid_font = font.DescendantFonts[0]
    program = pikepdf.Stream(pdf, b"")
    if compressed:   # once, at the best level: the program is copied into many contracts as it is
        program.write(zlib.compress(cff, 9), filter=Name.FlateDecode)
    else:            # compressed when the contract is saved
        program.write(cff)
    program.Subtype = Name(CFF_SUBTYPE)
    cid_font.FontDescriptor.FontFile3 = pdf.make_indirect(program)
    cid_font.Subtype = Name.CIDFontType0
    if "/CIDToGIDMap" in cid_font:   # only for TrueType-based CIDFonts
        del cid_font["/CIDToGIDMap"]


def _is_cff(font) -> bool:
    if font.get("/Subtype") != "/Type0":
        return False
    program = font.DescendantFonts[0].FontDescriptor.get("/FontFile3")
    return program is not None and program.get("/Subtype") == "/OpenType"


def _compact_working(pdf, font, face: faces.WorkingFace, extra: FaceGlyphs | None,
                     codes: set[int] | None, compressed: bool) -> None:
    glyphs = merge_glyphs({"": extra} if extra else {}, {"": font_glyphs(font)})[""]
    if codes is not None:   # the rest are drawn from a shared font (shared_fonts.py)
        glyphs = FaceGlyphs({c: glyphs.to_unicode[c] for c in codes if c in glyphs.to_unicode},
                            {c: glyphs.widths[c] for c in codes})
    cff = _cut(face.face, glyphs.widths)
    if cff is None:
        if compressed:   # a font for many contracts: they are rendered in full instead
            raise GlyphsNotMerged(f"HarfBuzz could not subset {face_name(font)} for the pages "
                                  "every customer shares")
        _could_not_cut(font)
        if extra:
            raise GlyphsNotMerged(f"HarfBuzz could not subset {face_name(font)}, so the "
                                  "glyphs of the pages drawn from forms cannot join its font")
        return
    if extra or codes is not None:
        font.ToUnicode = pdf.make_indirect(_cmap(pdf, glyphs.to_unicode))
        font.DescendantFonts[0].W = _w_array(glyphs.widths)
    _replace_program(pdf, font, cff, compressed)


def _compact_own(pdf, font) -> None:
    """A face that is not a working face: cut from the program WeasyPrint embedded."""
    program = font.DescendantFonts[0].FontDescriptor.FontFile3.read_bytes()
    cff = _cut(hb.Face(hb.Blob(program)), _widths(font.DescendantFonts[0]))
    if cff is None:
        _could_not_cut(font)
        return
    _replace_program(pdf, font, cff)


def compact_fonts(pdf: pikepdf.Pdf, fonts: Mapping[str, object],
                  extra: Mapping[str, FaceGlyphs] | None = None, *,
                  codes: Mapping[str, set[int]] | None = None, compressed: bool = False) -> None:
    """Compact ``fonts`` (resource name → Type0 font of ``pdf``), each once.

    ``extra`` (resource name → glyphs) adds glyphs drawn elsewhere with the same face,
    e.g. by forms whose font resources point to these fonts. ``codes`` (resource name →
    CIDs) keeps just those glyphs of a working face's font (the rest are drawn from a
    shared font). ``compressed``: compress the programs now (for fonts copied into many PDFs);
    a working face that cannot be cut then raises :class:`GlyphsNotMerged`.
    """
    extra = extra or {}
    codes = codes or {}
    seen: set = set()
    for name, font in fonts.items():
        if font.objgen in seen or not _is_cff(font):
            continue
        seen.add(font.objgen)
        face = faces.by_pdf_name(face_name(font))
        if face is not None:
            _compact_working(pdf, font, face, extra.get(name), codes.get(name), compressed)
        elif name in extra:
            raise GlyphsNotMerged(f"glyphs of {face_name(font)} drawn by forms cannot join "
                                  "its font: it is not a working face")
        else:
            _compact_own(pdf, font)
