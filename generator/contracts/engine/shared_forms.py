"""The pages every customer shares, as Form XObjects drawn into each contract (with pikepdf).

:mod:`generator.contracts.engine.assemble` writes the shared pages once per
process; :class:`SharedForms` opens that PDF with qpdf (pikepdf) and turns
each page into a Form XObject — its content stream, still compressed, and
its resources. For each contract, qpdf copies the forms the contract needs
into the PDF WeasyPrint wrote for the customer's pages and draws each one
under the footer of its placeholder page (``q /AgwShared Do Q`` before the
page's own content: body first, then footer, as in a full render).

Fonts are not copied: a form's fonts are the contract's fonts of the same
faces (WeasyPrint names a face's font resource by a hash of its description,
the same in both PDFs), whose subsets hold the shared pages' glyphs too
(:func:`generator.contracts.engine.fonts.compact_fonts`, ``extra_glyphs``).
Only a face the customer's pages never use keeps the shared PDF's font.

qpdf writes the result with a deterministic ``/ID`` and leaves the compressed
streams as they are, so the same inputs give the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import pikepdf
from pikepdf import Dictionary, Name

__all__ = ["SharedForms"]

_FORM_NAME = Name("/AgwShared")


class SharedForms:
    """The pages of one shared PDF as Form XObjects, ready to be drawn into contracts."""

    def __init__(self, data: bytes):
        self._pdf = pikepdf.open(io.BytesIO(data))
        self.fonts: dict[str, pikepdf.Object] = {}   # resource name → the shared PDF's font
        self._forms = []
        for page in self._pdf.pages:
            resources = page.obj.get("/Resources", Dictionary())
            for name, font in resources.get("/Font", Dictionary()).items():
                self.fonts.setdefault(name, font)
            contents = page.obj.Contents
            if not isinstance(contents, pikepdf.Stream):
                raise ValueError("a shared page's content is not one stream")
            form = pikepdf.Stream(self._pdf, b"")
            form.write(contents.read_raw_bytes(), filter=contents.get("/Filter"),
                       decode_parms=contents.get("/DecodeParms"))
            form.Type, form.Subtype = Name.XObject, Name.Form
            form.BBox = page.mediabox
            form.Resources = Dictionary({key: value for key, value in resources.items()
                                         if key != "/Font"})
            self._forms.append(self._pdf.make_indirect(form))

    def __len__(self) -> int:
        return len(self._forms)

    def draw_into(self, data: bytes, placement: Mapping[int, int]) -> bytes:
        """``data`` with shared page ``placement[i]`` drawn under the content of its page ``i``."""
        with pikepdf.open(io.BytesIO(data)) as contract:
            fonts = self._fonts_for(contract)
            for page_index, shared_index in sorted(placement.items()):
                page = contract.pages[page_index]
                form = contract.copy_foreign(self._forms[shared_index])
                form.Resources.Font = fonts
                # WeasyPrint gives every page the same resources: this page gets its own.
                resources = Dictionary({key: value for key, value in page.obj.Resources.items()})
                xobjects = resources.get("/XObject", Dictionary())
                resources.XObject = Dictionary({**{k: v for k, v in xobjects.items()},
                                                str(_FORM_NAME): form})
                page.obj.Resources = contract.make_indirect(resources)
                page.contents_add(contract.make_stream(b"q %s Do Q" % str(_FORM_NAME).encode()),
                                  prepend=True)
            out = io.BytesIO()
            contract.save(out, deterministic_id=True,
                          stream_decode_level=pikepdf.StreamDecodeLevel.none,
                          object_stream_mode=pikepdf.ObjectStreamMode.generate)
            return out.getvalue()

    def _fonts_for(self, contract: pikepdf.Pdf) -> pikepdf.Object:
        """The forms' font resources in ``contract``: its own font of each face, if it has one."""
        own = contract.pages[0].obj.Resources.get("/Font", Dictionary())
        fonts = Dictionary()
        for name, font in self.fonts.items():
            fonts[name] = own[name] if name in own else contract.copy_foreign(font)
        return contract.make_indirect(fonts)
