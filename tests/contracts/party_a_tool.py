"""甲方's signing tool, as a PDF/A-aware customer would use it: shared by the PDF/A and archive tests."""

from __future__ import annotations

import io

from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.stamp import TextStampStyle

from generator.contracts.stamp import align_producer

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def sign_party_a(data: bytes, signer, timestamper=None) -> bytes:
    """pyHanko with a stamp in an embedded font, the Info dictionary's Producer set as pyHanko
    writes it into the XMP, and (given a timestamper) a signature timestamp (PAdES B-T)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    align_producer(writer)
    style = TextStampStyle(stamp_text="Signed by %(signer)s\n%(ts)s",
                           text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(DEJAVU)))
    meta = signers.PdfSignatureMetadata(field_name="PartyA", md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    return signers.PdfSigner(meta, signer=signer, stamp_style=style, timestamper=timestamper).sign_pdf(
        writer, existing_fields_only=True).getvalue()
