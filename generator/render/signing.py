"""Signature fields and PAdES signing with pyHanko.

:func:`add_signature_fields` turns the boxes found by
:func:`generator.render.pdf.signature_boxes` into empty, visible AcroForm
signature fields (``/FT /Sig``) in one incremental update. The result is
reproducible (see :class:`_ReproducibleWriter`): pyHanko's random second
``/ID`` element and wall-clock ``/ModDate`` are replaced by values derived
from the input, so the same input gives the same bytes.

:func:`sign_field` fills one of those fields with a PAdES signature
(``/ETSI.CAdES.detached``) in a further incremental update, leaving the other
fields empty. Signing is not reproducible (signing time, signature value).
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko import stamp
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError

from generator.errors import AgreementsError
from generator.render.pdf import SignatureBox

__all__ = ["add_signature_fields", "sign_field"]


def _reader(pdf: bytes) -> PdfFileReader:
    try:
        return PdfFileReader(io.BytesIO(pdf), strict=True)
    except PdfError as exc:
        raise AgreementsError(f"not a readable PDF: {exc}") from exc


class _ReproducibleWriter(IncrementalPdfFileWriter):
    """An incremental writer whose output depends only on its input.

    pyHanko makes two things up on every write:

    * the second element of the trailer ``/ID``: ``_handle_id`` draws it from
      ``os.urandom(16)``. We keep the first element as pyHanko chose it (the
      original document's, as ISO 32000 §14.4 asks) and derive the second
      from a hash of the input PDF and ``salt`` (what the update adds);
    * ``/ModDate`` in the Info dictionary: ``_update_meta`` always sets
      ``last_modified = 'now'``. We put back the input's ``/ModDate`` (WeasyPrint
      writes none unless the HTML has ``<meta name="dcterms.modified">``).

    ``/Producer`` gets "; pyHanko x.y.z" appended, which is deterministic.
    Both hooks are pyHanko internals (checked against 0.38); the tests compare
    two runs byte for byte, so a change in pyHanko shows up there.
    """

    def __init__(self, reader: PdfFileReader, pdf: bytes, salt: bytes):
        # ``reader`` must be reading ``pdf``; its stream is copied to the output.
        super().__init__(reader.stream, prev=reader)
        if not hasattr(self, "_document_id"):  # pragma: no cover - pyHanko internals moved
            raise RuntimeError("pyHanko no longer keeps the trailer ID in _document_id")
        id1 = self._document_id[0]
        if "/ID" not in self.prev.trailer:
            id1 = generic.ByteStringObject(hashlib.sha256(pdf).digest()[:16])
        digest = hashlib.sha256(pdf + b"\0" + salt).digest()
        self._document_id = generic.ArrayObject([id1, generic.ByteStringObject(digest[:16])])

    def _update_meta(self):
        before = self._info.get_object() if self._info is not None else None
        mod_date = before.get("/ModDate") if before is not None else None
        super()._update_meta()
        if self._info is None:
            return
        info = self._info.get_object()
        if mod_date is None:
            info.pop("/ModDate", None)
        else:
            info["/ModDate"] = mod_date


def add_signature_fields(pdf: bytes, boxes: list[SignatureBox]) -> bytes:
    """Add one empty, visible signature field per box, as an incremental update."""
    names = [box.field_name for box in boxes]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise AgreementsError(f"signature field names must be unique: {', '.join(duplicates)}")
    dotted = [n for n in names if not n or "." in n]
    if dotted:
        # pyHanko (like ISO 32000) reads "a.b" as field "b" inside field "a".
        raise AgreementsError(
            f"signature field names must be non-empty and contain no '.': {', '.join(map(repr, dotted))}")

    reader = _reader(pdf)
    page_count = int(reader.root["/Pages"]["/Count"])
    existing = {name for name, _, _ in fields.enumerate_sig_fields(reader, filled_status=None)}
    for box in boxes:
        if not 0 <= box.page_index < page_count:
            raise AgreementsError(
                f"signature field {box.field_name!r} is on page {box.page_index + 1}, "
                f"but the PDF has {page_count} pages")
        if box.field_name in existing:
            raise AgreementsError(f"the PDF already has a signature field {box.field_name!r}")

    spec_text = json.dumps(
        [[b.field_name, b.page_index, list(b.rect)] for b in boxes], ensure_ascii=False)
    writer = _ReproducibleWriter(reader, pdf, spec_text.encode())
    for box in boxes:
        fields.append_signature_field(
            writer,
            fields.SigFieldSpec(
                sig_field_name=box.field_name,
                on_page=box.page_index,
                box=box.rect,
            ),
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# pyHanko's default stamp prints the signer's name in a Latin font, which turns a
# Chinese certificate name into mojibake; the certificate itself names the signer.
_STAMP = stamp.TextStampStyle(stamp_text="Digitally signed\nTime: %(ts)s")


def load_signer(p12_path: Path, password: bytes) -> signers.SimpleSigner:
    """Load key and certificates from a PKCS#12 file; errors name the file, never the password.

    ``SimpleSigner.load_pkcs12`` returns ``None`` for every failure (and logs
    it), so the file is read here and handed to ``load_pkcs12_data`` to tell a
    missing file from a wrong password.
    """
    p12_path = Path(p12_path)
    try:
        data = p12_path.read_bytes()
    except FileNotFoundError:
        raise AgreementsError(
            "PKCS#12 file not found; check the path to the signing key",
            file=p12_path) from None
    except OSError as exc:
        raise AgreementsError(
            f"cannot read PKCS#12 file: {exc.strerror}", file=p12_path) from None
    # Check with cryptography first: its error tells wrong password from bad data
    # only loosely, so the message covers both; it never echoes the password.
    try:
        key, cert, _ = pkcs12.load_key_and_certificates(data, password)
    except (ValueError, TypeError):
        raise AgreementsError(
            "cannot open PKCS#12 file: wrong password, or not a PKCS#12 (.p12/.pfx) file",
            file=p12_path) from None
    if key is None or cert is None:
        raise AgreementsError(
            "PKCS#12 file holds no private key with its certificate; export the signing "
            "key together with its certificate", file=p12_path)
    try:
        return signers.SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=password)
    except ValueError:
        raise AgreementsError(
            "cannot use the key in the PKCS#12 file (unsupported key type?)",
            file=p12_path) from None


def sign_field(pdf: bytes, field_name: str, p12_path: Path, password: bytes) -> bytes:
    """Sign the existing, empty signature field ``field_name`` (PAdES baseline B-B).

    Other fields stay as they are. Raises :class:`AgreementsError` if the
    field does not exist or is already signed, or the key cannot be loaded.
    """
    signer = load_signer(p12_path, password)

    reader = _reader(pdf)
    status = {
        name: value is not None for name, value, _ in fields.enumerate_sig_fields(reader)}
    if field_name not in status:
        known = ", ".join(sorted(status)) or "none"
        raise AgreementsError(
            f"no signature field {field_name!r} in the PDF (fields: {known})")
    if status[field_name]:
        raise AgreementsError(f"signature field {field_name!r} is already signed")

    # A plain incremental writer: a signature is dated (/M, signing time) anyway.
    writer = IncrementalPdfFileWriter.from_reader(reader)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    try:
        out = signers.PdfSigner(meta, signer=signer, stamp_style=_STAMP).sign_pdf(
            writer, existing_fields_only=True)
    except (SigningError, PdfError) as exc:
        raise AgreementsError(f"cannot sign field {field_name!r}: {exc}", file=p12_path) from exc
    return out.getvalue()
