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
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers

from helpers import serving

from generator.contracts.stamp import align_producer

PAGE_WHITE = b"q 1 g 0 0 10000 10000 re f Q"  # a white rectangle over the whole page


DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def sign_as_customer(data: bytes, signer, field: str = "PartyA", *, timestamper=None,
                     pdfa_aware: bool = False) -> bytes:
    """What 甲方's tool does: an approval signature in the contract's own, empty field.

    A ``pdfa_aware`` tool keeps the file PDF/A: its stamp is in an embedded font (pyHanko's
    default stamp font, Courier, is not embedded) and it sets the Info dictionary's Producer
    as pyHanko writes it into the XMP."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    style = None
    if pdfa_aware:
        align_producer(writer)
        style = stamp.TextStampStyle(stamp_text="Signed by %(signer)s\n%(ts)s",
                               text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(DEJAVU)))
    meta = signers.PdfSignatureMetadata(field_name=field, md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    out = signers.PdfSigner(meta, signer=signer, stamp_style=style, timestamper=timestamper).sign_pdf(
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


def content_stream(data: bytes, page_index: int, which: int = 0) -> int:
    """The object number of a page's content stream (the first, or ``which``: -1 the last)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        contents = pdf.pages[page_index].obj.Contents
        return (contents[which] if isinstance(contents, pikepdf.Array) else contents).objgen[0]


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


def tsa_server(timestamper):
    """Serve ``timestamper`` (pyHanko's DummyTimeStamper) over RFC 3161 HTTP on 127.0.0.1."""
    return tsa_answering(lambda request: asyncio.run(timestamper.async_request_tsa_response(request)).dump())


@contextlib.contextmanager
def tsa_answering(answer) -> Iterator[str]:
    """An RFC 3161 HTTP endpoint on 127.0.0.1 answering each request with ``answer(request) -> bytes``
    (a real timestamper's reply, or a deliberately bad one)."""
    from asn1crypto import tsp

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            if self.headers.get("Content-Type") != "application/timestamp-query":
                self.send_error(415)
                return
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            reply = answer(request)
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args) -> None:
            pass

    with serving(Handler) as url:
        yield url + "tsa"


# --------------------------------------------------------------------------- hand-written updates
# What no library writes on purpose: incremental updates whose structure readers resolve apart.


def object_offset(data: bytes, number: int) -> int:
    """Where ``number 0 obj`` starts (the last definition, as the file's newest xref places it)."""
    return [m.start() for m in re.finditer(rb"(?<![0-9])%d 0 obj" % number, data)][-1]


def raw_update(data: bytes, objects: list[tuple[int, bytes]], *, entries=None, extra: bytes = b"",
               prev: int | None = None, startxref: int | None = None) -> bytes:
    """Append a revision by hand: ``objects`` (number, body) written in order, then a classic
    xref table listing ``entries`` ((number, offset or "f"), in order, duplicates kept; by
    default each written object at its offset), a trailer (the previous one's /Root, /Info and
    /ID, ``extra``) and ``startxref`` (default: the table's offset)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root, info = pdf.trailer.Root.objgen[0], pdf.trailer.Info.objgen[0]
        size = int(pdf.trailer.Size)
    last = int(re.findall(rb"startxref\s+(\d+)\s+%%EOF", data)[-1])
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    written = []
    for number, body in objects:
        written.append((number, len(out)))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    table = len(out)
    out += b"xref\n"
    for number, where in (written if entries is None else entries):
        line = b"0000000000 00001 f" if where == "f" else b"%010d 00000 n" % where
        out += b"%d 1\n%s \n" % (number, line)
    size = max([size] + [number + 1 for number, _ in objects])
    out += (b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /Prev %d %s >>\nstartxref\n%d\n%%%%EOF\n"
            % (size, root, info, last if prev is None else prev, extra,
               table if startxref is None else startxref))
    return bytes(out)


def white_stream() -> bytes:
    return b"<< /Length %d >>\nstream\n%s\nendstream" % (len(PAGE_WHITE), PAGE_WHITE)


def _next_offset(data: bytes) -> int:
    """Where :func:`raw_update` writes its first object."""
    return len(data) + (0 if data.endswith(b"\n") else 1)


def listed_twice(data: bytes, number: int) -> bytes:
    """Object ``number`` listed twice in one xref table: first a white page, then where it was."""
    return raw_update(data, [(number, white_stream())],
                      entries=[(number, _next_offset(data)), (number, object_offset(data, number))])


def defined_twice(data: bytes, number: int) -> bytes:
    """Object ``number`` defined twice in one revision; its table points at the second one."""
    first = b"%d 0 obj\n%s\nendobj\n" % (number, white_stream())
    return raw_update(data, [(number, white_stream()), (number, _object_bytes(data, number))],
                      entries=[(number, _next_offset(data) + len(first))])


def _object_bytes(data: bytes, number: int) -> bytes:
    """The body (between ``N 0 obj`` and ``endobj``) of a top-level object."""
    start = object_offset(data, number)
    body_start = data.index(b"obj", start) + 3
    end = data.index(b"endstream", body_start) + len(b"endstream")
    return data[body_start:end].strip()


def hybrid_disagreeing(data: bytes, number: int) -> bytes:
    """A classic table keeping object ``number`` where it was, and an /XRefStm placing it on a
    white page (written first, so its offset is known)."""
    white_at = _next_offset(data)
    header = b"%d 0 obj\n%s\nendobj\n" % (number, white_stream())
    stream_at = white_at + len(header)
    rows = bytes([1]) + white_at.to_bytes(4, "big") + bytes(2)
    xref_stream = (b"<< /Type /XRef /W [1 4 2] /Index [%d 1] /Size %d /Length %d >>\nstream\n%s\n"
                   b"endstream" % (number, number + 1, len(rows), rows))
    size = 10_000
    return raw_update(data, [(number, white_stream()), (size - 1, xref_stream)],
                      entries=[(number, object_offset(data, number)), (size - 1, stream_at)],
                      extra=b"/XRefStm %d" % stream_at)


def object_stream_redefining(data: bytes, number: int, body: bytes, stream_number: int) -> bytes:
    """An object stream holding object ``number`` (as ``body``) next to a table defining it."""
    head = b"%d 0 " % number
    content = head + body
    objstm = (b"<< /Type /ObjStm /N 1 /First %d /Length %d >>\nstream\n%s\nendstream"
              % (len(head), len(content), content))
    return raw_update(data, [(number, body), (stream_number, objstm)])


def freeing(data: bytes, number: int) -> bytes:
    """An update whose table frees (an 'f' entry) object ``number``."""
    return raw_update(data, [], entries=[(number, "f")])


def set_entry(data: bytes, key: str, value, *, in_form: bool = False) -> bytes:
    """An incremental update (pypdf) setting one entry of the catalog or of its /AcroForm,
    and nothing else; ``value`` is a pypdf object or a Python bool, int, str or dict of those."""
    writer = pypdf.PdfWriter(pypdf.PdfReader(io.BytesIO(data)), incremental=True)
    target = writer.root_object
    if in_form:
        target = target["/AcroForm"].get_object()
    target[pypdf.generic.NameObject(key)] = _pypdf_value(value)
    out = io.BytesIO()
    writer.write(out)
    return _keeping_info(data, out.getvalue())


def _keeping_info(original: bytes, updated: bytes) -> bytes:
    """``updated`` with /Info in its newest trailer: pypdf's incremental writer leaves it out
    unless Info itself changed, so every reader would find no Info (no provenance) in the
    update. The trailer is the dictionary of the xref stream ``startxref`` points to; text
    added inside that dictionary moves no object an xref entry locates."""
    with pikepdf.open(io.BytesIO(original)) as pdf:
        info = pdf.trailer.get("/Info")
        if info is None:
            return updated
        number, generation = info.objgen
    start = int(updated.rsplit(b"startxref", 1)[1].split()[0])
    head = updated.index(b"<<", start) + 2
    if b"/Info" in updated[head:updated.index(b"stream", head)]:
        return updated
    return updated[:head] + f"\n/Info {number} {generation} R".encode() + updated[head:]


def _pypdf_value(value):
    from pypdf import generic as g

    if isinstance(value, bool):
        return g.BooleanObject(value)
    if isinstance(value, int):
        return g.NumberObject(value)
    if isinstance(value, str):
        return g.NameObject(value) if value.startswith("/") else g.TextStringObject(value)
    if isinstance(value, dict):
        return g.DictionaryObject({g.NameObject(k): _pypdf_value(v) for k, v in value.items()})
    return value


def with_signature_algorithm(data: bytes, field: str, oid: str) -> bytes:
    """The signature in ``field`` claiming another signature algorithm (e.g. SM2's OID): the
    CMS object in /Contents is rewritten in place, within its zero padding."""
    from asn1crypto import cms
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data))
    signature = next(s for s in reader.embedded_signatures if s.field_name == field)
    start, length = signature.byte_range[1] + 1, signature.byte_range[2] - signature.byte_range[1] - 2
    info = cms.ContentInfo.load(bytes.fromhex(data[start:start + length].decode()))
    signer = info["content"]["signer_infos"][0]
    signer["signature_algorithm"] = {"algorithm": oid}
    new = info.dump(force=True).hex().encode()
    assert len(new) <= length
    return data[:start] + new.ljust(length, b"0") + data[start + length:]
