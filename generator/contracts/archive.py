"""`agreements archive`: what a signed contract needs to be checked decades from now.

PAdES B-LT, then B-LTA, in one incremental update:

- **B-LT**: every certificate of every signature (乙方's, 甲方's and the
  time-stamping authorities' of their signature timestamps), and a CRL or
  OCSP response for each of them, go into the document security store
  (``/DSS``, without ``/VRI``): once the certification authority's
  responders are gone, the file still shows that no certificate was revoked
  when the contract was archived;
- **B-LTA**: then an RFC 3161 document timestamp over the whole file, from
  the configured time-stamping authority and held to the same checks as a
  signing timestamp (:mod:`generator.contracts.tsa`: nonce, message imprint,
  timeStamping extended key usage, crypto policy, clock window). It proves
  the file, its validation data included, existed then; archiving again
  before its authority's certificate expires adds the data for it and a
  newer timestamp (a timestamp chain).

pyHanko collects the data (it validates each certificate path with fetching
on, which caches the CRLs and OCSP responses it fetched) and writes the
store and the timestamp; nothing is hand-written here. The revision keeps
PDF/A: Info ``/Producer`` and the XMP stay equal, as when signing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from asn1crypto import x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils import generic
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_signer import TimestampDSSContentSettings
from pyhanko.sign.validation.dss import DocumentSecurityStore, collect_validation_info
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, RevokedError
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

from generator.contracts import stamp
from generator.contracts.tsa import CheckedTimeStamper, window_from_environment
from generator.contracts.verify.tokens import carried_certificates, token_time
from generator.errors import AgreementsError
from generator.i18n import _
from generator.library_messages import certificate_name, library_reason

FETCH_TIMEOUT = 15  # seconds per CRL or OCSP request


@dataclass
class Archived:
    """The archived file's bytes and what went into its new revision."""

    data: bytes
    signatures: list[str]
    timestamp: str  # the document timestamp's field
    timestamp_time: dt.datetime
    revoked: list[str] = field(default_factory=list)  # subjects whose certificate is revoked
    ocsps: int = 0
    crls: int = 0
    certs: int = 0


def archive_pdf(pdf: bytes, tsa_url: str, *, trust_roots: Sequence[x509.Certificate] = ()) -> Archived:
    """The PDF with validation data for every signature and a document timestamp after it.

    ``trust_roots``: the roots the certificate paths end in; without them, the self-signed
    certificates the signatures carry (archiving collects evidence, it does not judge trust:
    `verify --trust` does). Raises :class:`AgreementsError` when a CRL or OCSP response cannot be
    had, or the time-stamping authority fails; nothing is returned then.
    """
    reader = _reader(pdf)
    embedded = list(reader.embedded_signatures)
    if not embedded:
        raise AgreementsError(_("the PDF has no signature: there is nothing to archive (sign it "
                                "first: `agreements contract --sign-p12`)"))
    roots = list(trust_roots) or _self_signed(embedded)
    context = ValidationContext(
        trust_roots=roots, other_certs=carried_certificates(embedded), allow_fetching=True,
        revocation_mode="hard-fail", fetcher_backend=RequestsFetcherBackend(per_request_timeout=FETCH_TIMEOUT))
    paths, revoked = asyncio.run(_collect(embedded, context))
    timestamper = CheckedTimeStamper(tsa_url, window=window_from_environment(), timeout=30)
    writer = IncrementalPdfFileWriter.from_reader(reader)
    stamp.align_producer(writer)  # Info /Producer as pyHanko's XMP will say (PDF/A)
    settings = TimestampDSSContentSettings(include_vri=False, update_before_ts=True)
    name = _timestamp_field(writer, embedded)
    try:
        DocumentSecurityStore.supply_dss_in_writer(writer, None, paths=paths, validation_context=context,
                                                   certs=carried_certificates(embedded))
        out = asyncio.run(signers.PdfTimeStamper(timestamper, field_name=name).async_timestamp_pdf(
            writer, "sha256", validation_context=context, dss_settings=settings, output=io.BytesIO()))
    except AgreementsError:  # the time-stamping authority's answer failed a check: one line already
        raise
    except (PathBuildingError, PathValidationError) as exc:
        raise AgreementsError(_("the time-stamping authority's certificate cannot be checked "
                                "({error}); nothing was written").format(error=library_reason(exc)),
                              key="--tsa") from None
    except (SigningError, PdfError) as exc:
        raise AgreementsError(_("cannot add the document timestamp ({error}); nothing was "
                                "written").format(error=library_reason(exc)),
                              key="--tsa") from None
    except OSError as exc:  # the TSA cannot be reached: requests' errors are OSErrors
        raise AgreementsError(_("the time-stamping authority at {url} did not answer ({error}); "
                                "nothing was written").format(url=tsa_url, error=type(exc).__name__),
                              key="--tsa") from None
    data = out.getvalue()
    return Archived(data, [s.field_name for s in embedded], name, _time_of(data), revoked, *_counts(data))


async def _collect(embedded, context: ValidationContext) -> tuple[list, list[str]]:
    """Validate every signer's and timestamp authority's certificate path with fetching on, so
    that the context caches their CRLs and OCSP responses; a revoked certificate is evidence too
    (its revocation is what the archive must keep), the others stop the archive."""
    paths, revoked = [], []
    for signature in embedded:
        try:
            paths.extend(await collect_validation_info(signature, context))
        except RevokedError as exc:
            revoked.append(_revoked_subject(exc, signature.signer_cert))
        except (PathBuildingError, PathValidationError) as exc:
            raise AgreementsError(_("cannot collect the revocation data of {signer} in field "
                                    "{field} ({error}): is its certificate authority's CRL or OCSP "
                                    "responder reachable? Nothing was written").format(
                                        signer=certificate_name(signature.signer_cert.subject),
                                        field=signature.field_name, error=library_reason(exc))) from None
    return paths, revoked


def _timestamp_field(writer: IncrementalPdfFileWriter, embedded) -> str:
    """A new, invisible field for the document timestamp (ArchiveTimestamp1, 2, … as the file is
    archived again), printed and with an empty appearance stream as PDF/A wants of every
    widget: pyHanko gives an invisible field none."""
    taken = {signature.field_name for signature in embedded}
    name = next(f"ArchiveTimestamp{n}" for n in range(1, len(taken) + 2)
                if f"ArchiveTimestamp{n}" not in taken)
    fields.append_signature_field(writer, fields.SigFieldSpec(
        name, invis_sig_settings=fields.InvisSigSettings(set_print_flag=True)))
    field_ref = next(ref for field_name, _value, ref in fields.enumerate_sig_fields(writer)
                     if field_name == name)
    widget = field_ref.get_object()
    empty = generic.StreamObject({
        generic.pdf_name("/Type"): generic.pdf_name("/XObject"),
        generic.pdf_name("/Subtype"): generic.pdf_name("/Form"),
        generic.pdf_name("/BBox"): generic.ArrayObject([generic.NumberObject(0)] * 4)}, stream_data=b"")
    widget[generic.pdf_name("/AP")] = generic.DictionaryObject(
        {generic.pdf_name("/N"): writer.add_object(empty)})
    writer.mark_update(field_ref)
    return name


def _revoked_subject(exc: RevokedError, signer_cert: x509.Certificate) -> str:
    """Whose certificate is revoked: the end of the path being validated (a signature
    timestamp's authority is validated after the signer), else the signer."""
    leaf = exc.current_path.leaf if exc.is_ee_cert else None
    return certificate_name((leaf if isinstance(leaf, x509.Certificate) else signer_cert).subject)


def _reader(pdf: bytes) -> PdfFileReader:
    try:
        return PdfFileReader(io.BytesIO(pdf), strict=True)
    except PdfError as exc:
        raise AgreementsError(_("not a readable PDF: {error}").format(
            error=library_reason(exc))) from None


def _self_signed(embedded) -> list[x509.Certificate]:
    return [cert for cert in carried_certificates(embedded) if cert.self_signed in ("maybe", "yes")]


def _time_of(data: bytes) -> dt.datetime:
    """The time the newest document timestamp's token states."""
    return token_time(PdfFileReader(io.BytesIO(data)).embedded_signatures[-1].signed_data)


def _counts(data: bytes) -> tuple[int, int, int]:
    """How many OCSP responses, CRLs and certificates the archived file's store holds."""
    dss = DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(data)))
    return len(dss.ocsps), len(dss.crls), len(dss.certs)
