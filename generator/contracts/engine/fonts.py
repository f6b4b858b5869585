"""Small embedded CJK fonts: compact, CID-keyed bare CFF instead of gid-retaining OpenType.

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
* embeds the bare ``CFF`` table as ``/FontFile3 /Subtype /CIDFontType0C``.
  A *bare* CID-keyed CFF is required: viewers (FreeType in MuPDF/PDFium,
  poppler's own CFF parser) map CID → GID through the charset only for a
  bare CFF; inside an OpenType wrapper they take the code as a GID and show
  wrong glyphs.

Fonts that are not CID-keyed CFF (TrueType, or anything HarfBuzz cannot
handle) keep WeasyPrint's own behaviour. Outside the context manager nothing
is changed, so other WeasyPrint users in the process are unaffected.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from collections.abc import Iterator

import pydyf
from weasyprint.pdf import fonts as _wp_fonts
from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset

from generator.contracts.engine.cff import is_cid_keyed

__all__ = ["compact_fonts", "CFF_SUBTYPE"]

CFF_SUBTYPE = "/CIDFontType0C"

_state = threading.local()
_original_subset = _wp_fonts.Font._harfbuzz_subset
_original_type = _wp_fonts.Font.type
_original_build = _wp_fonts.build_fonts_dictionary


def _enabled() -> bool:
    return getattr(_state, "enabled", False)


def _cff_table(hb_face, *, whole: bool) -> bytes | None:
    """The ``CFF `` table of ``hb_face`` if it is a CID-keyed CFF, else None.

    With ``whole=False`` only the start of the table is copied (enough to tell).
    """
    tag = harfbuzz.hb_tag_from_string(b"CFF ", -1)
    blob = harfbuzz.hb_face_reference_table(hb_face, tag)
    try:
        length = ffi.new("unsigned int *")
        data = harfbuzz.hb_blob_get_data(blob, length)
        if not length[0]:
            return None
        size = length[0] if whole else min(length[0], 4096)
        table = bytes(ffi.buffer(data, size))
    finally:
        harfbuzz.hb_blob_destroy(blob)
    return table if is_cid_keyed(table) else None


def _compact_subset(self, to_unicode, hinting):
    if not _enabled():
        return _original_subset(self, to_unicode, hinting)
    if "CFF " not in self.tables or _cff_table(self.hb_face, whole=False) is None:
        return _original_subset(self, to_unicode, hinting)
    subset_input = ffi.gc(
        harfbuzz_subset.hb_subset_input_create_or_fail(),
        harfbuzz_subset.hb_subset_input_destroy)
    gids = sorted(set(to_unicode) | {0})
    gid_set = harfbuzz_subset.hb_subset_input_glyph_set(subset_input)
    gid_array = ffi.new(f"hb_codepoint_t[{len(gids)}]", gids)
    harfbuzz.hb_set_add_sorted_array(gid_set, gid_array, len(gids))
    # Only the CFF table is kept, so the unicode set is empty and no layout closure is done.
    # Desubroutinized and unhinted gives the smallest compressed programs for Noto CJK
    # (re-subroutinizing a subset this size gains nothing after Flate).
    flags = (harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
             | harfbuzz_subset.HB_SUBSET_FLAGS_NO_LAYOUT_CLOSURE)
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    if self.missing:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    harfbuzz_subset.hb_subset_input_set_flags(subset_input, flags)
    subset_face = harfbuzz_subset.hb_subset_or_fail(self.hb_face, subset_input)
    if subset_face == ffi.NULL:
        return _original_subset(self, to_unicode, hinting)
    subset_face = ffi.gc(subset_face, harfbuzz.hb_face_destroy)
    cff = _cff_table(subset_face, whole=True)
    if cff is None:
        return _original_subset(self, to_unicode, hinting)
    self.file_content = cff
    self.bare_cff = True


def _type(self):
    if getattr(self, "bare_cff", False):
        return "otf"  # FontFile3 and CIDFontType0, as for an OpenType CFF font
    return _original_type.fget(self)


def _build_fonts_dictionary(pdf, fonts, compress, subset, options):
    before = len(pdf.objects)
    result = _original_build(pdf, fonts, compress, subset, options)
    if _enabled():
        bare = {id(font.file_content) for font in fonts.values()
                if getattr(font, "bare_cff", False)}
        for obj in pdf.objects[before:]:
            if (isinstance(obj, pydyf.Stream) and obj.extra.get("Subtype") == "/OpenType"
                    and len(obj.stream) == 1 and id(obj.stream[0]) in bare):
                obj.extra["Subtype"] = CFF_SUBTYPE
    return result


_wp_fonts.Font._harfbuzz_subset = _compact_subset
_wp_fonts.Font.type = property(_type)
# weasyprint.pdf imports the function by name; patch where it is looked up.
import weasyprint.pdf as _wp_pdf  # noqa: E402

_wp_pdf.build_fonts_dictionary = _build_fonts_dictionary
_wp_fonts.build_fonts_dictionary = _build_fonts_dictionary


@contextmanager
def compact_fonts() -> Iterator[None]:
    """Within this block, WeasyPrint embeds CID-keyed CFF fonts as compact bare CFF."""
    previous = _enabled()
    _state.enabled = True
    try:
        yield
    finally:
        _state.enabled = previous
