"""The one post-pass over a PDF WeasyPrint wrote: forms, fonts, signature fields (pikepdf).

WeasyPrint writes the pages with its public ``write_pdf``; nothing of it is
patched. This pass then opens the bytes once with qpdf (pikepdf) and

1. draws the pages written once per process into the contract's pages
   (:func:`generator.contracts.engine.page_forms.draw_forms`, fast path only);
2. draws the contract's own text from the shared pages' fonts wherever they hold
   the glyph (:func:`generator.contracts.engine.shared_fonts.draw_with_shared_fonts`,
   fast path only), and drops a font of its own that then draws nothing;
3. replaces every other embedded CID-keyed CFF face by a compact bare CFF holding the
   glyphs drawn with it (:func:`generator.contracts.engine.compact.compact_fonts`);
4. adds the signature fields over the signature boxes
   (:func:`generator.contracts.engine.signature_fields.add_signature_fields`);

and writes the result with a deterministic ``/ID`` (an MD5 of the content,
qpdf's ``deterministic_id``), compressing the streams WeasyPrint left
uncompressed, so the same inputs give the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import pikepdf
from pikepdf import Dictionary

from generator.contracts.engine import faces
from generator.contracts.engine.compact import compact_fonts, face_name
from generator.contracts.engine.page_forms import DrawnForms, PageForms, draw_forms, shared_fonts
from generator.contracts.engine.shared_fonts import draw_with_shared_fonts
from generator.contracts.engine.signature_fields import SignatureBox, add_signature_fields

__all__ = ["finish"]

_EMPTY: Mapping = {}


def _fonts(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Object]:
    """Resource name (without "/") → font, of the pages and the forms they draw."""
    found: dict[str, pikepdf.Object] = {}
    seen: set = set()

    def visit(resources) -> None:
        if resources is None or (resources.is_indirect and resources.objgen in seen):
            return
        if resources.is_indirect:
            seen.add(resources.objgen)
        for name, font in resources.get("/Font", Dictionary()).items():
            key = name[1:]
            # One face can come twice (a form's own copy): keep each font, under its own key.
            if key in found and found[key].objgen != font.objgen:
                key = f"{key}#{font.objgen[0]}"
            found[key] = font
        for xobject in resources.get("/XObject", Dictionary()).values():
            if xobject.get("/Subtype") == "/Form" and xobject.objgen not in seen:
                seen.add(xobject.objgen)
                visit(xobject.get("/Resources"))

    for page in pdf.pages:
        visit(page.obj.get("/Resources"))
    return found


def _unique_associated_files(pdf: pikepdf.Pdf) -> None:
    """WeasyPrint's PDF/A variant lists each attachment in ``/AF`` twice (once from the
    EmbeddedFiles name tree, once from the file specifications): list each once."""
    if "/AF" not in pdf.Root:
        return
    unique, seen = [], set()
    for spec in pdf.Root.AF:
        key = spec.objgen if spec.is_indirect else id(spec)
        if key not in seen:
            seen.add(key)
            unique.append(spec)
    pdf.Root.AF = pikepdf.Array(unique)


def _font_holders(pdf: pikepdf.Pdf) -> list[tuple[pikepdf.Object, pikepdf.Object, None]]:
    return [(page.obj, page.obj.Resources.Font, None) for page in pdf.pages
            if "/Font" in page.obj.get("/Resources", Dictionary())]


def _draw_forms_with_shared_fonts(pdf: pikepdf.Pdf, under, over) -> tuple[DrawnForms, dict[str, set[int]]]:
    """Draw the forms, and the pages' and own-font forms' text from the shared fonts where
    they can (the pages' before the forms are drawn, so each page keeps WeasyPrint's stream);
    returns what :func:`draw_forms` did and the codes each own font of a shared face still
    draws (resource name without "/"). An own font that draws nothing any more is dropped."""
    shared = shared_fonts(pdf, [*under.values(), *over.values()])
    if not shared:
        return draw_forms(pdf, under, over), {}
    own_fonts = pdf.pages[0].obj.Resources.get("/Font", Dictionary())
    face_of = {name: face_name(font) for name, font in own_fonts.items()
               if font.get("/Subtype") == "/Type0" and faces.by_pdf_name(face_name(font))}
    left = draw_with_shared_fonts(pdf, shared, _font_holders(pdf), face_of)
    drawn = draw_forms(pdf, under, over)
    for name, codes in draw_with_shared_fonts(pdf, shared, drawn.own_font_forms, face_of).items():
        left.setdefault(name, set()).update(codes)
    unused = {name for name, face in face_of.items() if face in shared and name not in left}
    for _, fonts, _memo in [*_font_holders(pdf), *drawn.own_font_forms]:
        for name in unused & set(fonts.keys()):
            del fonts[name]
    return drawn, {name[1:]: codes for name, codes in left.items()}


def finish(data: bytes, *, under: Mapping[int, tuple[PageForms, int]] = _EMPTY,
           over: Mapping[int, tuple[PageForms, int]] = _EMPTY,
           fields: list[SignatureBox] = ()) -> bytes:
    """``data`` (WeasyPrint's PDF) with the forms drawn, fonts compacted and ``fields`` added."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        drawn, codes = _draw_forms_with_shared_fonts(pdf, under, over) if (under or over) \
            else (DrawnForms(), {})
        compact_fonts(pdf, _fonts(pdf), drawn.extra, codes=codes)
        add_signature_fields(pdf, list(fields))
        _unique_associated_files(pdf)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True,
                 stream_decode_level=pikepdf.StreamDecodeLevel.none,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return out.getvalue()
