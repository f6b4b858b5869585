"""PAdES signing with pyHanko, refusing keys that no e-signature system would accept.

The empty signature fields are written with the pages
(:func:`generator.contracts.engine.signature_fields.signature_fields`). :func:`sign_field` fills one
of them with a PAdES signature (``/ETSI.CAdES.detached``) in an incremental
update, leaving the other fields empty and the unsigned revision's bytes as
they were. 乙方's signature is a *certification* signature with DocMDP
permission 2, as e-signature platforms make it: form filling and signing stay
allowed (甲方 signs ``PartyA`` afterwards in any reader), and every PDF reader
flags any other change made after it. With a time-stamping authority the
signature carries an RFC 3161 signature timestamp (PAdES B-T).

Signing is not reproducible (signing time, signature value), and this module
is imported only when signing, since pyHanko is slow to import.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import TimeStamper

from generator.contracts import stamp
from generator.contracts.signing_policy import p12_problem
from generator.contracts.tsa import CheckedTimeStamper, window_from_environment
from generator.errors import AgreementsError
from generator.i18n import _, os_reason
from generator.library_messages import library_reason

__all__ = ["check_certificate", "load_signer", "sign_field", "timestamper"]

# What the key usage of a contract-signing certificate must allow (RFC 5280 names).
REQUIRED_KEY_USAGE = {"digital_signature": "digitalSignature",
                      "content_commitment": "nonRepudiation"}


def _reader(pdf: bytes) -> PdfFileReader:
    try:
        return PdfFileReader(io.BytesIO(pdf), strict=True)
    except PdfError as exc:
        raise AgreementsError(_("not a readable PDF ({reason})").format(reason=library_reason(exc))) from exc




def load_signer(p12_path: Path, password: bytes, *,
                now: dt.datetime | None = None) -> signers.SimpleSigner:
    """Load key and certificates from a PKCS#12 file; refuse a key unfit to sign a contract.

    Errors name the file, never the password. ``SimpleSigner.load_pkcs12``
    returns ``None`` for every failure (and logs it), so the file is read here
    and opened with ``cryptography`` first, whose errors tell the cases apart.
    """
    p12_path = Path(p12_path)
    try:
        data = p12_path.read_bytes()
    except FileNotFoundError:
        raise AgreementsError(
            _("PKCS#12 file not found; check the path to the signing key"),
            file=p12_path) from None
    except OSError as exc:
        raise AgreementsError(
            _("cannot read PKCS#12 file: {reason}").format(reason=os_reason(exc)), file=p12_path) from None
    try:
        key, cert, others = pkcs12.load_key_and_certificates(data, password)
    except (ValueError, TypeError):
        raise AgreementsError(
            _("cannot open PKCS#12 file: wrong password, or not a PKCS#12 (.p12/.pfx) file"),
            file=p12_path) from None
    if key is not None and cert is None and others:
        # cryptography pairs the key with the certificate holding its public key
        raise AgreementsError(
            _("the private key in the PKCS#12 file does not match any of its certificates; "
              "export the signing key together with its own certificate"), file=p12_path)
    if key is None or cert is None:
        raise AgreementsError(
            _("PKCS#12 file holds no private key with its certificate; export the signing "
              "key together with its certificate"), file=p12_path)
    if _public_der(key.public_key()) != _public_der(cert.public_key()):
        raise AgreementsError(
            _("the private key in the PKCS#12 file does not match its certificate; export "
              "the signing key together with its own certificate"), file=p12_path)
    problem = check_certificate(cert, now or dt.datetime.now(dt.timezone.utc))
    if problem:
        raise AgreementsError(_("the signing certificate {problem}").format(problem=problem), file=p12_path)
    problem = p12_problem(data, cert, list(others))  # the crypto policy verify holds it to
    if problem:
        raise AgreementsError(_("the PKCS#12 file {problem}").format(problem=problem), file=p12_path)
    try:
        return signers.SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=password)
    except ValueError:
        raise AgreementsError(
            _("cannot use the key in the PKCS#12 file (unsupported key type?)"),
            file=p12_path) from None


def _public_der(public_key) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER,
                                   serialization.PublicFormat.SubjectPublicKeyInfo)


def check_certificate(cert: x509.Certificate, now: dt.datetime) -> str | None:
    """Why ``cert`` cannot sign a contract at ``now`` (a phrase), or None when it can."""
    subject = cert.subject.rfc4514_string()
    if now < cert.not_valid_before_utc:
        return _("({subject}) is not valid yet: valid from {start} UTC; sign once it is valid, or "
                 "check this machine's clock").format(subject=subject,
                                                      start=f"{cert.not_valid_before_utc:%Y-%m-%d %H:%M}")
    if now > cert.not_valid_after_utc:
        return _("({subject}) expired on {end} UTC; renew it with the certificate authority and "
                 "export a new PKCS#12 file").format(subject=subject,
                                                     end=f"{cert.not_valid_after_utc:%Y-%m-%d %H:%M}")
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    # no keyUsage extension: any use is allowed (RFC 5280 does not require it)
    missing = [name for attribute, name in REQUIRED_KEY_USAGE.items()
               if usage is not None and not getattr(usage, attribute)]
    if missing:
        return _("({subject}) does not allow {usages} in its key usage, which signing a contract "
                 "needs; ask the certificate authority for a signing certificate").format(
                     subject=subject, usages=_(" and ").join(missing))
    return None


def timestamper(url: str) -> TimeStamper:
    """An RFC 3161 client for ``url``, tried once now so that a wrong URL stops a batch
    before any file is written (the answer is also what pyHanko sizes signatures with)."""
    client = CheckedTimeStamper(url, window=window_from_environment(), timeout=30)
    try:
        asyncio.run(client.async_dummy_response("sha256"))
    except AgreementsError:  # an answer that is not a fresh timestamp: already one clear line
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of the TSA: network, HTTP, ASN.1
        raise AgreementsError(
            _("the time-stamping authority at {url} did not answer with a timestamp "
              "({reason}); check the URL (an RFC 3161 service taking "
              "application/timestamp-query) or sign without --tsa").format(
                  url=url, reason=library_reason(exc)), key="--tsa") from None
    return client


def sign_field(pdf: bytes, field_name: str, signer: signers.SimpleSigner, *,
               certify: bool = False, timestamps: TimeStamper | None = None,
               appearance: stamp.Appearance | None = None) -> bytes:
    """Sign the existing, empty signature field ``field_name`` (PAdES B-B, or B-T with
    ``timestamps``).

    With ``certify`` the signature is a certification signature allowing form
    filling and signing (DocMDP permission 2). ``signer`` comes from
    :func:`load_signer`, once per batch. Other fields stay as they are. Raises
    :class:`AgreementsError` if the field does not exist or is already signed.
    ``appearance`` (default: the signer's certificate name, in the Noto Sans working face)
    is what the field shows (:mod:`generator.contracts.stamp`); the revision keeps PDF/A.
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
    stamp.align_producer(writer)   # Info /Producer as pyHanko's XMP will say (PDF/A)
    style, text = stamp.stamp_style(
        appearance or stamp.Appearance(_common_name(signer), "Noto Sans CJK SC"),
        dt.datetime.now(dt.timezone.utc))
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        certify=certify,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
    )
    try:
        out = signers.PdfSigner(meta, signer=signer, stamp_style=style,
                                timestamper=timestamps).sign_pdf(
            writer, existing_fields_only=True, appearance_text_params=text)
    except (SigningError, PdfError, OSError) as exc:
        raise AgreementsError(_("cannot sign the field “{field}” ({reason})").format(
            field=field_name, reason=library_reason(exc))) from exc
    return out.getvalue()


def _common_name(signer: signers.SimpleSigner) -> str:
    """The signer's certificate common name (its whole subject when it has none)."""
    subject = signer.signing_cert.subject
    return subject.native.get("common_name") or subject.human_friendly
