"""Signature fields over the HTML's signature boxes, written with the pages.

WeasyPrint makes no signature fields, and its ``pdf_forms`` would embed the
whole 20 MB CJK font; so the boxes are found in the laid-out pages
(:func:`signature_boxes`, from the public ``Page.anchors``) and the fields added
with pikepdf (:func:`add_signature_fields`) in the one post-pass over the PDF
WeasyPrint wrote (:mod:`generator.contracts.engine.postpass`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pikepdf
import weasyprint
from pikepdf import Array, Dictionary, Name

from generator.errors import AgreementsError

__all__ = ["SignatureBox", "add_signature_fields", "check_field_names", "signature_boxes"]

# 72 PDF points per inch / 96 CSS pixels per inch.
_PX_TO_PT = 0.75


@dataclass(frozen=True)
class SignatureBox:
    """Where a signature field goes: PDF user space, origin at the page's bottom-left.

    ``rect`` is ``(x1, y1, x2, y2)`` in PDF points, lower-left then
    upper-right corner, as pyHanko's ``SigFieldSpec.box`` wants it.
    """

    field_name: str
    page_index: int
    rect: tuple[float, float, float, float]


def signature_boxes(
    document: weasyprint.Document,
    element_ids: Iterable[str] | Mapping[str, str],
) -> list[SignatureBox]:
    """Find the boxes of the elements with ``element_ids`` (the border box).

    ``element_ids`` is either a list of HTML ids (the id becomes the field
    name) or a mapping ``{html_id: field_name}``. Results follow its order.

    WeasyPrint 70's ``Page.anchors`` maps each id on a page to
    ``(x1, y1, x2, y2)``: the element's border box corners in CSS px from the
    page's top-left (its docstring still says an ``(x, y)`` point). PDF user
    space has its origin at the page's bottom-left in points, so
    ``x_pt = x_px * 0.75`` and ``y_pt = (page_height_px - y_px) * 0.75``
    (bleed only enlarges the MediaBox, it does not move the origin).
    """
    wanted = dict(element_ids) if isinstance(element_ids, Mapping) else {i: i for i in element_ids}
    problems: list[str] = []
    boxes = []
    for element_id, field_name in wanted.items():
        pages = [index for index, page in enumerate(document.pages) if element_id in page.anchors]
        box = _box(document, element_id, field_name, pages, problems)
        if box:
            boxes.append(box)
    if problems:
        raise AgreementsError("signature boxes: " + "; ".join(problems))
    return boxes


def _box(document: weasyprint.Document, element_id: str, field_name: str, pages: list[int],
         problems: list[str]) -> SignatureBox | None:
    """The field for one element, or None with the reason added to ``problems``."""
    if not pages:
        problems.append(f'no element with id="{element_id}" in the rendered document; '
                        f'the template must contain <div id="{element_id}" class="signature-box">')
        return None
    if len(pages) > 1:
        problems.append(f'element id="{element_id}" is split over pages '
                        f'{", ".join(str(p + 1) for p in pages)}; give it a fixed size and '
                        '"break-inside: avoid"')
        return None
    page = document.pages[pages[0]]
    x1, y1, x2, y2 = page.anchors[element_id]
    left, right = sorted((x1, x2))  # a transformed element can give corners in any order
    top, bottom = sorted((y1, y2))
    if right - left <= 0 or bottom - top <= 0:
        problems.append(f'element id="{element_id}" has an empty box; give it a width and height')
        return None
    if left < 0 or top < 0 or right > page.width + 1e-6 or bottom > page.height + 1e-6:
        problems.append(f'element id="{element_id}" sticks out of page {pages[0] + 1}')
        return None
    rect = (round(left * _PX_TO_PT, 3), round((page.height - bottom) * _PX_TO_PT, 3),
            round(right * _PX_TO_PT, 3), round((page.height - top) * _PX_TO_PT, 3))
    return SignatureBox(field_name, pages[0], rect)


def check_field_names(boxes: list[SignatureBox]) -> None:
    names = [box.field_name for box in boxes]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise AgreementsError(f"signature field names must be unique: {', '.join(duplicates)}")
    dotted = [n for n in names if not n or "." in n or not n.isascii()]
    if dotted:
        # ISO 32000 reads "a.b" as field "b" inside field "a".
        raise AgreementsError("signature field names must be non-empty ASCII without '.': "
                              + ", ".join(map(repr, dotted)))


def add_signature_fields(pdf: pikepdf.Pdf, boxes: list[SignatureBox]) -> None:
    """One empty, visible AcroForm signature field per box, added to ``pdf`` (pikepdf).

    As e-signing tools expect them: a merged field and widget (``/FT /Sig``,
    printed — PDF/A wants the Print flag — on its page's ``/Annots``) with an
    empty appearance stream, listed in the catalog's ``/AcroForm``. Signing
    one of them later (:func:`generator.contracts.signing.sign_field`) is an
    incremental update that leaves this revision's bytes untouched.
    """
    check_field_names(boxes)
    fields = Array()
    for box in boxes:
        if not 0 <= box.page_index < len(pdf.pages):
            raise AgreementsError(f"signature field {box.field_name!r} is on page "
                                  f"{box.page_index + 1}, but the PDF has {len(pdf.pages)} pages")
        fields.append(_add_field(pdf, pdf.pages[box.page_index].obj, box))
    if boxes:
        pdf.Root.AcroForm = pdf.make_indirect(Dictionary(Fields=fields))


def _add_field(pdf: pikepdf.Pdf, page, box: SignatureBox):
    """One merged field and widget with an empty appearance, on ``page``; returns it."""
    x1, y1, x2, y2 = box.rect
    appearance = pikepdf.Stream(pdf, b"")
    appearance.Type, appearance.Subtype = Name.XObject, Name.Form
    appearance.BBox = Array([0, 0, round(x2 - x1, 3), round(y2 - y1, 3)])
    appearance.Resources = Dictionary()
    widget = pdf.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.Widget, FT=Name.Sig, T=pikepdf.String(box.field_name),
        Rect=Array(list(box.rect)), F=4, P=page,
        AP=Dictionary(N=pdf.make_indirect(appearance))))
    if "/Annots" not in page:
        page.Annots = Array()
    page.Annots.append(widget)
    return widget
