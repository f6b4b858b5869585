"""PAdES signing with pyHanko.

The empty signature fields are written with the pages
(:func:`generator.contracts.engine.pdf.signature_fields`). :func:`sign_field` fills one
of them with a PAdES signature (``/ETSI.CAdES.detached``) in an incremental
update, leaving the other fields empty and the unsigned revision's bytes as
they were. Signing is not reproducible (signing time, signature value), and
this module is imported only when signing, since pyHanko is slow to import.
"""

from __future__ import annotations

import io
from pathlib import Path

from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko import stamp
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError

from generator.errors import AgreementsError

__all__ = ["load_signer", "sign_field"]


def _reader(pdf: bytes) -> PdfFileReader:
    try:
        return PdfFileReader(io.BytesIO(pdf), strict=True)
    except PdfError as exc:
        raise AgreementsError(f"not a readable PDF: {exc}") from exc


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


def sign_field(pdf: bytes, field_name: str, signer: signers.SimpleSigner) -> bytes:
    """Sign the existing, empty signature field ``field_name`` (PAdES baseline B-B).

    ``signer`` comes from :func:`load_signer`, once per batch. Other fields
    stay as they are. Raises :class:`AgreementsError` if the field does not
    exist or is already signed.
    """

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
        raise AgreementsError(f"cannot sign field {field_name!r}: {exc}") from exc
    return out.getvalue()
