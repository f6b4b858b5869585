"""Small embedded CJK fonts: bare CID-keyed CFF holding exactly the glyphs drawn.

WeasyPrint 70 subsets with HarfBuzz and ``HB_SUBSET_FLAGS_RETAIN_GIDS``: the
glyph ids in the content streams (Identity-H, so codes are CIDs = original
GIDs of Noto CJK) stay valid, but every subset of a Noto CJK face keeps
~63,000 empty glyph slots (≈170 KB compressed per face).

Inside :func:`compact_fonts` WeasyPrint's subsetter is replaced by one that:

* subsets with HarfBuzz *without* retaining glyph ids. Noto CJK is a
  CID-keyed CFF font whose charset maps GID → CID; HarfBuzz keeps the
  original CIDs in the subset's charset, so only the CFF shrinks, the codes
  in the content streams (CIDs) and the ``/W`` widths (keyed by CID) stay
  exactly as WeasyPrint wrote them;
* keeps only the glyphs drawn (and ``.notdef``) by subsetting a face that
  has nothing but the ``CFF ``, ``maxp`` and ``head`` tables of the original
  (a HarfBuzz face builder referencing them, made once per face). HarfBuzz
  closes a glyph set over the face's other tables: over GSUB (vertical
  forms, ``locl`` variants — about 550 glyphs of a contract nobody draws;
  ``HB_SUBSET_FLAGS_NO_LAYOUT_CLOSURE`` does not exist in Debian 12's
  HarfBuzz 6.0.0, which ignores unknown flags, and dropping GSUB avoids it)
  and, even when told to drop it, over the ``cmap`` table's variation
  sequences (、。，：；'s U+FE01 forms). WeasyPrint's cffi binding of HarfBuzz
  lacks the two face-builder functions; they are declared here;
* embeds the bare ``CFF`` table as ``/FontFile3 /Subtype /CIDFontType0C``.
  A *bare* CID-keyed CFF is required: viewers (FreeType in MuPDF/PDFium,
  poppler's own CFF parser) map CID → GID through the charset only for a
  bare CFF; inside an OpenType wrapper they take the code as a GID and show
  wrong glyphs.

:func:`compact_fonts` also lets the fast contract path
(:mod:`generator.contracts.engine.assemble`) embed one font per face for pages
written at different times: ``record`` collects the glyphs a document draws
(per face), and ``extra_glyphs`` adds such glyphs to a later document's fonts
before they are subset, so that its one subset per face holds both.

WeasyPrint also copies a font's whole file into every ``Font`` it makes (20 MB
for a Noto CJK collection, some 3 ms each, per document): inside
:func:`compact_fonts` the copy is made only when something needs it — never
for a compact subset, which HarfBuzz makes from the face.

Fonts that are not CID-keyed CFF (TrueType, or anything HarfBuzz cannot
handle) keep WeasyPrint's own behaviour. Outside the context manager nothing
is changed, so other WeasyPrint users in the process are unaffected.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import pydyf
from weasyprint.pdf import fonts as _wp_fonts
from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset

__all__ = ["CFF_SUBTYPE", "FaceGlyphs", "compact_fonts", "merge_glyphs"]

CFF_SUBTYPE = "/CIDFontType0C"

_state = threading.local()
_original_init = _wp_fonts.Font.__init__
_original_face_data = _wp_fonts.get_hb_object_data
_original_subset = _wp_fonts.Font._harfbuzz_subset
_original_type = _wp_fonts.Font.type
_original_build = _wp_fonts.build_fonts_dictionary
_CID_KEYED: dict[str, bool] = {}   # font.hash (its Pango description) → CID-keyed CFF?


@dataclass(frozen=True)
class FaceGlyphs:
    """The glyphs a document draws with one face: CID → text, CID → width (1/1000 em)."""

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


def _setting(name: str, default=None):
    return getattr(_state, name, default)


class _NotCopied(bytes):
    """Stands for the font file WeasyPrint would have copied into a Font (see _restore)."""


def _font_init(self, pango_font, description, font_size):
    _state.not_copying = _setting("enabled", False)
    try:
        _original_init(self, pango_font, description, font_size)
    finally:
        _state.not_copying = False


def _face_data(hb_object, ot_color=None, glyph=None):
    if _setting("not_copying", False) and ot_color is None:
        return _NotCopied()   # Font.__init__'s copy of the whole font file
    return _original_face_data(hb_object, ot_color, glyph)


def _restore(font) -> None:
    """Give ``font`` the copy of its file that WeasyPrint's own code needs."""
    if isinstance(font.file_content, _NotCopied):
        font.file_content = _original_face_data(font.hb_face)


def _table(hb_face, tag: bytes) -> bytes:
    blob = harfbuzz.hb_face_reference_table(hb_face, harfbuzz.hb_tag_from_string(tag, -1))
    try:
        length = ffi.new("unsigned int *")
        data = harfbuzz.hb_blob_get_data(blob, length)
        return bytes(ffi.buffer(data, length[0])) if length[0] else b""
    finally:
        harfbuzz.hb_blob_destroy(blob)


def _is_cid_keyed(font) -> bool:
    """Whether ``font`` is a CID-keyed CFF (its Top DICT has ROS), asked once per face."""
    if font.hash not in _CID_KEYED:
        from fontTools.cffLib import CFFFontSet

        keyed = False
        if "CFF " in font.tables:
            try:
                cff = CFFFontSet()
                cff.decompile(io.BytesIO(_table(font.hb_face, b"CFF ")), None)
                keyed = hasattr(cff.topDictIndex[0], "ROS")
            except Exception:   # fontTools raises many types on a table it cannot read
                keyed = False
        _CID_KEYED[font.hash] = keyed
    return _CID_KEYED[font.hash]


# The face builder, missing from WeasyPrint's binding (HarfBuzz ≥ 1.9 has it).
try:
    harfbuzz.hb_face_builder_create
except AttributeError:
    ffi.cdef("""
        hb_face_t * hb_face_builder_create (void);
        hb_bool_t hb_face_builder_add_table (hb_face_t *face, hb_tag_t tag, hb_blob_t *blob);
    """)
_SUBSET_SOURCES: dict[str, object] = {}   # font.hash → a face of just its CFF, maxp and head


def _subset_source(font):
    """A face holding only the CFF, maxp and head tables of ``font`` (made once per face)."""
    if font.hash not in _SUBSET_SOURCES:
        builder = harfbuzz.hb_face_builder_create()
        for tag in (b"CFF ", b"maxp", b"head"):
            tag = harfbuzz.hb_tag_from_string(tag, -1)
            blob = harfbuzz.hb_face_reference_table(font.hb_face, tag)
            harfbuzz.hb_face_builder_add_table(builder, tag, blob)   # the builder keeps a reference
            harfbuzz.hb_blob_destroy(blob)
        _SUBSET_SOURCES[font.hash] = builder   # kept for the life of the process
    return _SUBSET_SOURCES[font.hash]


def _add_sorted(hb_set, values: list[int]) -> None:
    array = ffi.new("hb_codepoint_t[]", values)   # a fixed type string: cffi parses it once
    harfbuzz.hb_set_add_sorted_array(hb_set, array, len(values))


_LOG = logging.getLogger("generator.contracts")


def _fallback_subset(self, to_unicode, hinting):
    _restore(self)
    return _original_subset(self, to_unicode, hinting)


def _subset_failed(self, to_unicode, hinting):
    """HarfBuzz could not subset a face it should handle: say so, then embed WeasyPrint's subset
    (larger, with glyphs nobody draws) rather than no font at all."""
    _LOG.warning("HarfBuzz could not subset %s to the glyphs drawn; embedding WeasyPrint's "
                 "larger subset instead", self.family)
    return _fallback_subset(self, to_unicode, hinting)


def _compact_subset(self, to_unicode, hinting):
    if not _setting("enabled", False) or not _is_cid_keyed(self):
        return _fallback_subset(self, to_unicode, hinting)
    subset_input = ffi.gc(
        harfbuzz_subset.hb_subset_input_create_or_fail(),
        harfbuzz_subset.hb_subset_input_destroy)
    _add_sorted(harfbuzz_subset.hb_subset_input_glyph_set(subset_input),
                sorted(set(to_unicode) | {0}))
    # Desubroutinized and unhinted gives the smallest compressed programs for Noto CJK.
    flags = harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    if self.missing:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    harfbuzz_subset.hb_subset_input_set_flags(subset_input, flags)
    subset_face = harfbuzz_subset.hb_subset_or_fail(_subset_source(self), subset_input)
    if subset_face == ffi.NULL:
        return _subset_failed(self, to_unicode, hinting)
    subset_face = ffi.gc(subset_face, harfbuzz.hb_face_destroy)
    cff = _table(subset_face, b"CFF ")
    if not cff:
        return _subset_failed(self, to_unicode, hinting)
    self.file_content = cff
    self.bare_cff = True


def _type(self):
    if getattr(self, "bare_cff", False):
        return "otf"  # FontFile3 and CIDFontType0, as for an OpenType CFF font
    return _original_type.fget(self)


def _build_fonts_dictionary(pdf, fonts, compress, subset, options):
    if not _setting("enabled", False):
        return _original_build(pdf, fonts, compress, subset, options)
    extra: Mapping[str, FaceGlyphs] = _setting("extra_glyphs") or {}
    for font in fonts.values():
        if font.hash in extra:
            # The document's own entries last: they win where both map a glyph.
            font.to_unicode = {**extra[font.hash].to_unicode, **font.to_unicode}
            font.widths = {**extra[font.hash].widths, **font.widths}
    # WeasyPrint embeds or reads the whole file of a font it does not subset.
    faces: dict[str, list] = {}
    for font in fonts.values():
        faces.setdefault(font.hash, []).append(font)
    for same in faces.values():
        for font in same:
            if (not subset or font.used_in_forms or font.bitmap or not _is_cid_keyed(font)
                    or not any(f.to_unicode for f in same)):
                _restore(font)
    record: dict[str, FaceGlyphs] | None = _setting("record")
    if record is not None:
        for font in fonts.values():
            record.update(merge_glyphs(record, {font.hash: FaceGlyphs(font.to_unicode, font.widths)}))
    before = len(pdf.objects)
    result = _original_build(pdf, fonts, compress, subset, options)
    bare = {id(font.file_content) for font in fonts.values() if getattr(font, "bare_cff", False)}
    for obj in pdf.objects[before:]:
        if (isinstance(obj, pydyf.Stream) and obj.extra.get("Subtype") == "/OpenType"
                and len(obj.stream) == 1 and id(obj.stream[0]) in bare):
            obj.extra["Subtype"] = CFF_SUBTYPE
    return result


_wp_fonts.Font.__init__ = _font_init
_wp_fonts.get_hb_object_data = _face_data   # looked up by name in weasyprint.pdf.fonts
_wp_fonts.Font._harfbuzz_subset = _compact_subset
_wp_fonts.Font.type = property(_type)
# weasyprint.pdf imports the function by name; patch where it is looked up.
import weasyprint.pdf as _wp_pdf  # noqa: E402

_wp_pdf.build_fonts_dictionary = _build_fonts_dictionary
_wp_fonts.build_fonts_dictionary = _build_fonts_dictionary


@contextmanager
def compact_fonts(*, extra_glyphs: Mapping[str, FaceGlyphs] | None = None,
                  record: dict[str, FaceGlyphs] | None = None) -> Iterator[None]:
    """Within this block, WeasyPrint embeds CID-keyed CFF fonts as compact bare CFF.

    ``extra_glyphs`` (face → glyphs, faces named by their PDF font resource
    name) are embedded too in the fonts of those faces the document uses;
    ``record``, if given, receives the glyphs the document draws per face.
    """
    previous = (_setting("enabled", False), _setting("extra_glyphs"), _setting("record"))
    _state.enabled, _state.extra_glyphs, _state.record = True, extra_glyphs, record
    try:
        yield
    finally:
        _state.enabled, _state.extra_glyphs, _state.record = previous
