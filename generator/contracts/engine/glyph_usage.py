"""Which glyphs a PDF draws and which its embedded fonts hold, per face.

Read back with qpdf (pikepdf) and fontTools, independently of how the PDF was
written, so the benchmark and the tests can check that the embedded subsets
hold exactly the glyphs the pages draw (plus ``.notdef``).

*Drawn*: every 2-byte code shown by ``Tj``, ``TJ``, ``'`` and ``"`` with a
Type0 font (Identity-H: the code is the CID), in the page content streams
and, recursively, in the Form XObjects they paint. *Embedded*: the glyphs of
the font's CID-keyed CFF program (``/FontFile3``). Faces are named by their
``/BaseFont`` without the subset tag, e.g. ``Noto-Sans-CJK-SC-Bold``.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

__all__ = ["FaceUsage", "glyph_usage"]

_SHOW_OPERATORS = {"Tj", "TJ", "'", '"'}


@dataclass
class FaceUsage:
    """One face of a PDF: the CIDs its pages draw and those its font programs embed."""

    drawn: set[int] = field(default_factory=set)
    embedded: set[int] = field(default_factory=set)
    programs: int = 0   # how many font programs embed this face
    duplicated: set[int] = field(default_factory=set)   # CIDs more than one of them embeds


def _face_name(font) -> str:
    return re.sub(r"^[A-Z]{6}\+", "", str(font.get("/BaseFont", "/?"))[1:])


def _codes(operands) -> list[bytes]:
    """The strings a text-showing operator shows (TJ: an array of strings and numbers)."""
    import pikepdf

    strings = []
    for operand in operands:
        if isinstance(operand, pikepdf.String):
            strings.append(bytes(operand))
        elif isinstance(operand, pikepdf.Array):
            strings.extend(bytes(item) for item in operand if isinstance(item, pikepdf.String))
    return strings


def _walk(content, resources, faces: dict[str, FaceUsage], seen_forms: set) -> None:
    """Collect the CIDs drawn by ``content`` (a page or a form) into ``faces``."""
    import pikepdf

    fonts = resources.get("/Font", {}) if resources is not None else {}
    xobjects = resources.get("/XObject", {}) if resources is not None else {}
    current = None
    for operands, operator in pikepdf.parse_content_stream(content):
        name = str(operator)
        if name == "Tf":
            font = fonts.get(str(operands[0]))
            current = font if font is not None and font.get("/Subtype") == "/Type0" else None
        elif name in _SHOW_OPERATORS and current is not None:
            usage = faces.setdefault(_face_name(current), FaceUsage())
            for string in _codes(operands):
                usage.drawn.update(int.from_bytes(string[i:i + 2], "big")
                                   for i in range(0, len(string) - 1, 2))
        elif name == "Do":
            form = xobjects.get(str(operands[0]))
            if form is not None and form.get("/Subtype") == "/Form" and form.objgen not in seen_forms:
                seen_forms.add(form.objgen)
                _walk(form, form.get("/Resources"), faces, seen_forms)


def _embedded_cids(program: bytes) -> set[int]:
    from fontTools.cffLib import CFFFontSet

    fonts = CFFFontSet()
    fonts.decompile(io.BytesIO(program), None)
    top = fonts[fonts.fontNames[0]]
    # CID-keyed: glyph names are "cidNNNNN" (and ".notdef" for CID 0).
    return {0 if name == ".notdef" else int(name[3:]) for name in top.charset}


def glyph_usage(data: bytes) -> dict[str, FaceUsage]:
    """Drawn and embedded CIDs per face of the PDF ``data`` (Type0 CFF fonts only)."""
    import pikepdf

    faces: dict[str, FaceUsage] = {}
    with pikepdf.open(io.BytesIO(data)) as document:
        seen_forms: set = set()
        for page in document.pages:
            _walk(page.obj, page.obj.get("/Resources"), faces, seen_forms)
        seen_programs: set = set()
        for obj in document.objects:
            if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != "/FontDescriptor":
                continue
            program = obj.get("/FontFile3")
            if program is None or program.objgen in seen_programs:
                continue
            seen_programs.add(program.objgen)
            usage = faces.setdefault(_face_name({"/BaseFont": obj.get("/FontName")}), FaceUsage())
            usage.programs += 1
            cids = _embedded_cids(program.read_bytes())
            usage.duplicated |= usage.embedded & cids
            usage.embedded |= cids
    return faces
