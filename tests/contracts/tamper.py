"""What a forger (or a customer's signing tool) does to a contract PDF, with the usual libraries.

Each function takes the PDF's bytes and returns new bytes: incremental updates
with pyHanko and pypdf (the bytes before them stay as they were), in-place byte
edits, and full rewrites with pikepdf. A local RFC 3161 time-stamping authority
(pyHanko's test TSA behind ``http.server``) serves the signing tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
from http.server import BaseHTTPRequestHandler
from typing import Iterator

import pikepdf
import pypdf
from pyhanko import stamp
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from helpers import serving

PAGE_WHITE = b"q 1 g 0 0 10000 10000 re f Q"  # a white rectangle over the whole page


def sign_as_customer(data: bytes, signer, field: str = "PartyA", *, timestamper=None) -> bytes:
    """What 甲方's tool does: an approval signature in the contract's own, empty field."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    meta = signers.PdfSignatureMetadata(field_name=field, md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    out = signers.PdfSigner(meta, signer=signer, timestamper=timestamper).sign_pdf(
        writer, existing_fields_only=True)
    return out.getvalue()


def paint_page_white(data: bytes, page_index: int) -> bytes:
    """An incremental update (pyHanko) that paints one page white, leaving the rest as it was."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    stream = writer.add_object(generic.StreamObject(stream_data=PAGE_WHITE))
    writer.add_stream_to_page(page_index, stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def add_void_widget(data: bytes, signer, page_index: int = 0) -> bytes:
    """A new signature field whose visible box covers the whole page with a forger's text."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    meta = signers.PdfSignatureMetadata(field_name="Void", md_algorithm="sha256")
    style = stamp.TextStampStyle(stamp_text="CLAUSES 1-3 ARE VOID", background_opacity=1)
    spec = fields.SigFieldSpec("Void", on_page=page_index, box=(0, 0, 595, 842))
    out = signers.PdfSigner(meta, signer=signer, stamp_style=style, new_field_spec=spec).sign_pdf(writer)
    return out.getvalue()


def set_title(data: bytes, title: str) -> bytes:
    """An incremental update (pypdf) that changes only the Info dictionary's /Title."""
    writer = pypdf.PdfWriter(pypdf.PdfReader(io.BytesIO(data)), incremental=True)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def set_xmp_title(data: bytes, title: str) -> bytes:
    """An incremental update (pypdf) that gives the XMP metadata a title of its own."""
    from pypdf.xmp import XmpInformation

    xmp = XmpInformation.create()
    xmp.dc_title = {"x-default": title}
    writer = pypdf.PdfWriter(pypdf.PdfReader(io.BytesIO(data)), incremental=True)
    writer.xmp_metadata = xmp
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def flip_byte(data: bytes, offset: int, mask: int = 0x01) -> bytes:
    changed = bytearray(data)
    changed[offset] ^= mask
    return bytes(changed)


def stream_data_offset(data: bytes, object_number: int) -> int:
    """The offset of the middle of the raw data of stream object ``object_number``."""
    match = re.search(rb"(?<![0-9])%d 0 obj" % object_number, data)
    assert match, object_number
    start = data.index(b"stream", match.end()) + len(b"stream")
    start += 2 if data[start:start + 2] == b"\r\n" else 1
    end = data.index(b"endstream", start)
    return (start + end) // 2


def font_program(data: bytes) -> int:
    """The object number of an embedded font program (FontFile, FontFile2 or FontFile3)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                for key in ("/FontFile3", "/FontFile2", "/FontFile"):
                    if key in obj:
                        return obj[key].objgen[0]
    raise AssertionError("no embedded font program")


def content_stream(data: bytes, page_index: int) -> int:
    """The object number of a page's (first) content stream."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        contents = pdf.pages[page_index].obj.Contents
        return (contents[0] if isinstance(contents, pikepdf.Array) else contents).objgen[0]


def resave_with_page_painted(data: bytes, page_index: int) -> bytes:
    """A full rewrite (pikepdf) with a white box drawn over the top half of one page."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.pages[page_index].contents_add(pdf.make_stream(b"q 1 g 0 421 595 421 re f Q"))
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def swap_pages(data: bytes, first: int, second: int) -> bytes:
    """A full rewrite (pikepdf) with two pages swapped."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pages = list(pdf.pages)
        pdf.pages[first], pdf.pages[second] = pages[second], pages[first]
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def with_metadata(data: bytes, changes: dict[str, str]) -> bytes:
    """A full rewrite (pypdf) with Info entries replaced."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    writer.add_metadata({f"/{key}": value for key, value in changes.items()})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def info(data: bytes) -> dict[str, str]:
    metadata = pypdf.PdfReader(io.BytesIO(data)).metadata or {}
    return {key.lstrip("/"): str(value) for key, value in metadata.items()}


# --------------------------------------------------------------------------- a local TSA


@contextlib.contextmanager
def tsa_server(timestamper) -> Iterator[str]:
    """Serve ``timestamper`` (pyHanko's DummyTimeStamper) over RFC 3161 HTTP on 127.0.0.1."""
    from asn1crypto import tsp

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            if self.headers.get("Content-Type") != "application/timestamp-query":
                self.send_error(415)
                return
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            reply = asyncio.run(timestamper.async_request_tsa_response(request)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args) -> None:
            pass

    with serving(Handler) as url:
        yield url + "tsa"
