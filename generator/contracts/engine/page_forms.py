"""Pages written once, drawn into many contracts as Form XObjects (with pikepdf).

:mod:`generator.contracts.engine.assemble` writes some pages once per
process — the pages every customer shares, and the page-number footers of a
contract of N pages. :class:`PageForms` opens such a PDF with qpdf (pikepdf)
and turns each of its pages into a Form XObject: its content stream, still
compressed, and its resources. :func:`draw_forms` has qpdf copy the forms a
contract needs into the PDF WeasyPrint wrote for the customer's pages, and
draws them under or over a page's own content.

Fonts come in two ways:

* ``compact=True`` (the shared pages): the forms keep their own fonts, compacted
  here once per process to the glyphs they draw and compressed once; every
  contract copies them as they are, and draws its own text from them wherever
  they hold the glyph (:mod:`generator.contracts.engine.shared_fonts`);
* otherwise (the page-number footers, a few glyphs): a form's fonts are the
  contract's fonts of the same faces (WeasyPrint names a face's font resource
  by a hash of its description, the same in every PDF of the process), and
  :func:`draw_forms` returns the forms' glyphs per face so that the post-pass
  embeds them in those fonts too
  (:func:`generator.contracts.engine.compact.compact_fonts`, ``extra``). Only a
  face the customer's pages never use keeps the form PDF's own font.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Dictionary, Name

from generator.contracts.engine import faces
from generator.contracts.engine.compact import (FaceGlyphs, compact_fonts, face_name, font_glyphs,
                                                merge_glyphs)
from generator.contracts.engine.shared_fonts import SharedFont

__all__ = ["DrawnForms", "PageForms", "draw_forms", "shared_fonts"]


class PageForms:
    """The pages of one PDF as Form XObjects, ready to be drawn into contracts."""

    def __init__(self, data: bytes, name: str, *, compact: bool = False):
        self.name = name   # the forms' resource name on the pages that draw them
        self.compact = compact
        self._pdf = pikepdf.open(io.BytesIO(data))
        self.fonts: dict[str, pikepdf.Object] = {}   # resource name → this PDF's font
        self.forms = []
        for page in self._pdf.pages:
            resources = page.obj.get("/Resources", Dictionary())
            for font_name, font in resources.get("/Font", Dictionary()).items():
                self.fonts.setdefault(font_name, font)
        # Per face (resource name without "/"): the glyphs these pages draw.
        self.glyphs: dict[str, FaceGlyphs] = {
            name[1:]: font_glyphs(font) for name, font in self.fonts.items()
            if font.get("/Subtype") == "/Type0"}
        if compact:
            compact_fonts(self._pdf, {name[1:]: font for name, font in self.fonts.items()},
                          compressed=True)
        # Per resource name without "/": the codes its font holds (asked of every contract).
        self._codes = {name: frozenset(glyphs.widths) for name, glyphs in self.glyphs.items()}
        self.rewrites: dict = {}   # each form's content drawn from the shared fonts (shared_fonts.py)
        for page in self._pdf.pages:
            resources = page.obj.get("/Resources", Dictionary())
            contents = page.obj.Contents
            if not isinstance(contents, pikepdf.Stream):
                raise ValueError("a page to draw as a form has more than one content stream")
            form = pikepdf.Stream(self._pdf, b"")
            form.write(contents.read_raw_bytes(), filter=contents.get("/Filter"),
                       decode_parms=contents.get("/DecodeParms"))
            form.Type, form.Subtype = Name.XObject, Name.Form
            form.BBox = page.mediabox
            form.Resources = Dictionary({key: value for key, value in resources.items()
                                         if key != "/Font"})
            self.forms.append(self._pdf.make_indirect(form))

    def shared_fonts(self, contract: pikepdf.Pdf) -> dict[str, SharedFont]:
        """Per working face: this PDF's compacted font, copied into ``contract``."""
        found = {}
        for name, font in self.fonts.items():
            if font.get("/Subtype") == "/Type0" and faces.by_pdf_name(face_name(font)):
                found[face_name(font)] = SharedFont(
                    Name("/Agw" + name[1:]), contract.copy_foreign(font), self._codes[name[1:]])
        return found


def shared_fonts(contract: pikepdf.Pdf, placements) -> dict[str, SharedFont]:
    """Per working face: the compacted font of the forms of ``placements`` (``(PageForms,
    index)`` pairs), copied into ``contract``."""
    found: dict[str, SharedFont] = {}
    for source in {id(source): source for source, _ in placements}.values():
        if source.compact:
            found.update(source.shared_fonts(contract))
    return found


@dataclass
class DrawnForms:
    """What :func:`draw_forms` did: the glyphs drawn with the contract's own fonts (per
    resource name without "/") and the forms that draw with the contract's own fonts."""

    extra: dict[str, FaceGlyphs] = field(default_factory=dict)
    # (form, its /Font dictionary, where its rewrite is kept: (PageForms.rewrites, form index))
    own_font_forms: list[tuple[pikepdf.Object, pikepdf.Object, tuple[dict, int]]] = \
        field(default_factory=list)


def draw_forms(contract: pikepdf.Pdf, under: Mapping[int, tuple[PageForms, int]],
               over: Mapping[int, tuple[PageForms, int]]) -> DrawnForms:
    """Draw form ``under[i]`` before the content of the contract's page ``i`` and form
    ``over[i]`` after it (each ``(PageForms, index of the form)``)."""
    own_fonts = contract.pages[0].obj.Resources.get("/Font", Dictionary())
    fonts: dict[int, pikepdf.Object] = {}   # per PageForms: the forms' font resources
    used: dict[int, PageForms] = {}
    drawn = DrawnForms()

    def font_resources(source: PageForms) -> pikepdf.Object:
        if source.compact:
            return contract.make_indirect(Dictionary({
                name: contract.copy_foreign(font) for name, font in source.fonts.items()}))
        used[id(source)] = source
        return contract.make_indirect(Dictionary({
            name: own_fonts[name] if name in own_fonts else contract.copy_foreign(font)
            for name, font in source.fonts.items()}))

    def copied(source: PageForms, index: int) -> pikepdf.Object:
        if id(source) not in fonts:
            fonts[id(source)] = font_resources(source)
        form = contract.copy_foreign(source.forms[index])
        form.Resources.Font = fonts[id(source)]
        if not source.compact:
            drawn.own_font_forms.append((form, form.Resources.Font, (source.rewrites, index)))
        return form

    for page_index in sorted(under.keys() | over.keys()):
        page = contract.pages[page_index]
        # WeasyPrint gives every page the same resources: this page gets its own.
        resources = Dictionary({key: value for key, value in page.obj.Resources.items()})
        xobjects = {key: value for key, value in resources.get("/XObject", Dictionary()).items()}
        before, after = [], []
        if page_index in under:
            source, index = under[page_index]
            xobjects[source.name] = copied(source, index)
            before.append(b"q %s Do Q" % source.name.encode())
        if page_index in over:
            source, index = over[page_index]
            xobjects[source.name] = copied(source, index)
            # The page's content leaves its coordinate system flipped: isolate it.
            before.append(b"q")
            after.append(b"Q q %s Do Q" % source.name.encode())
        page.contents_add(contract.make_stream(b" ".join(before)), prepend=True)
        if after:
            page.contents_add(contract.make_stream(b" ".join(after)))
        resources.XObject = Dictionary(xobjects)
        page.obj.Resources = contract.make_indirect(resources)
    shared = {name[1:] for name in own_fonts.keys()}
    drawn.extra = {face: glyphs for face, glyphs in merge_glyphs(*(s.glyphs for s in used.values())).items()
                   if face in shared}
    return drawn
