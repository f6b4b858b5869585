"""Was any signing or timestamping certificate revoked? Judged from the data the file carries.

`agreements archive` stores a CRL or OCSP response for every certificate in
the document security store (``/DSS``); a signer may also have put them in
its signature (``adbe-revocationInfoArchival``). Each signature (and each
document timestamp) gets one check: its signer's certificate and the
certificates of its timestamp authorities, validated by pyHanko's
certificate validator with revocation checking required ("hard-fail") and
only that data — no network, unless ``verify --online`` asks for it. The
moment judged is the newest document timestamp's (when the data was
archived), so the answer stays the same decades later; without one, the
signature's own timestamp's, else now.

A file with no revocation data at all (a contract never archived) is not
failed: one warning says it was not checked. Whether a root is trusted is
the signature checks' business; the paths here end in the ``--trust`` roots,
or else in the self-signed certificates the file carries.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509
from pyhanko.sign.general import CMSExtractionError, extract_certificate_info
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError, SignatureValidationError
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, RevokedError
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

from generator.contracts.verify.doc_timestamps import is_document_timestamp
from generator.contracts.verify.report import Check, Status
from generator.contracts.verify.tokens import carried_certificates, timestamp_tokens, token_time
from generator.contracts.verify.pyhanko_reasons import revocation_reason
from generator.i18n import _
from generator.library_messages import certificate_name, library_reason

FETCH_TIMEOUT = 15  # seconds per CRL or OCSP request with --online


@dataclass
class Evidence:
    """The revocation data a file carries, and the certificates it holds to build paths with."""

    certs: list[x509.Certificate]
    ocsps: list[asn1_ocsp.OCSPResponse]
    crls: list[asn1_crl.CertificateList]

    @property
    def empty(self) -> bool:
        return not (self.ocsps or self.crls)


def check(reader, signed: list, roots: list[x509.Certificate], *, online: bool = False) -> list[Check]:
    """One check per signature and document timestamp; one warning when the file carries no
    revocation data and ``online`` is off."""
    if not signed:
        return []
    evidence = _evidence(reader, signed)
    if evidence.empty and not online:
        return [Check("revocation", Status.WARN, _(
            "not checked: the file carries no revocation data (no CRL or OCSP response in a /DSS "
            "or in a signature); `agreements archive` adds it, `verify --online` fetches it"),
            facts={"source": None})]
    moment = _archive_moment(signed) if not online else None
    anchors = list(roots) or [c for c in evidence.certs if c.self_signed in ("maybe", "yes")]
    return [_check_one(one, evidence, anchors, moment, online) for one in signed]


def _check_one(one, evidence: Evidence, anchors: list[x509.Certificate], moment: dt.datetime | None,
               online: bool) -> Check:
    name = f"revocation {one.field}"
    try:
        certificates = _certificates_of(one.signature)
    except (CMSExtractionError, SignatureValidationError) as exc:  # damaged: its own check fails it
        return Check(name, Status.SKIPPED, _("not checked: the signature's certificates cannot be read "
                                             "({error})").format(error=library_reason(exc)))
    results = []
    if moment is None and not online:  # not archived: as of its own timestamp, if it has one
        moment = _timestamp_time(one.signature)
    for cert in certificates:
        try:
            asyncio.run(_validate(cert, evidence, anchors, moment, online))
        except RevokedError as exc:
            return Check(name, Status.FAIL, _("the certificate of {subject} is REVOKED ({when}, "
                         "{reason})").format(subject=certificate_name(cert.subject),
                                             when=f"{exc.revocation_dt:%Y-%m-%d %H:%M} UTC",
                                             reason=revocation_reason(exc.reason)),
                         facts={"revoked": cert.subject.human_friendly})
        except (PathBuildingError, PathValidationError) as exc:
            return Check(name, Status.WARN, _("not decided for {subject}: {error}").format(
                subject=certificate_name(cert.subject), error=library_reason(exc)),
                facts={"revoked": None})
        results.append(_source(cert, evidence, online))
    return Check(name, Status.PASS, "; ".join(results), facts={"revoked": False, "online": online})


async def _validate(cert: x509.Certificate, evidence: Evidence, anchors: list[x509.Certificate],
                    moment: dt.datetime | None, online: bool) -> None:
    context = ValidationContext(
        trust_roots=anchors, other_certs=evidence.certs, ocsps=evidence.ocsps, crls=evidence.crls,
        moment=moment, allow_fetching=online, revocation_mode="hard-fail", retroactive_revinfo=True,
        fetcher_backend=RequestsFetcherBackend(per_request_timeout=FETCH_TIMEOUT) if online else None)
    await CertificateValidator(cert, validation_context=context).async_validate_usage(key_usage=set())


def _source(cert: x509.Certificate, evidence: Evidence, online: bool) -> str:
    """What the verdict rests on: the embedded OCSP response or CRL for ``cert``, and its time."""
    subject = certificate_name(cert.subject)
    if online:
        return _("{subject}: not revoked per OCSP/CRL fetched now").format(subject=subject)
    for response in evidence.ocsps:
        basic = response["response_bytes"]["response"].parsed["tbs_response_data"]
        if any(single["cert_id"]["serial_number"].native == cert.serial_number
               for single in basic["responses"]):
            return _("{subject}: not revoked per embedded OCSP response of {time}").format(
                subject=subject, time=f"{basic['produced_at'].native:%Y-%m-%d %H:%M} UTC")
    for crl in evidence.crls:
        if crl["tbs_cert_list"]["issuer"] == cert.issuer:
            return _("{subject}: not revoked per embedded CRL of {time}").format(
                subject=subject, time=f"{crl['tbs_cert_list']['this_update'].native:%Y-%m-%d %H:%M} UTC")
    return _("{subject}: not revoked (no revocation data needed)").format(subject=subject)


def _certificates_of(signature) -> list[x509.Certificate]:
    """The signer's certificate and those of the authorities of its timestamp tokens."""
    return [signature.signer_cert, *(extract_certificate_info(token).signer_cert
                                     for token in timestamp_tokens(signature))]


def _evidence(reader, signed: list) -> Evidence:
    certs: dict[bytes, x509.Certificate] = {}
    ocsps, crls = [], []
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        dss = None  # a file never archived: no store
    if dss is not None:
        ocsps.extend(asn1_ocsp.OCSPResponse.load(ref.get_object().data) for ref in dss.ocsps)
        crls.extend(asn1_crl.CertificateList.load(ref.get_object().data) for ref in dss.crls)
        certs.update((c.dump(), c) for c in dss.load_certs())
    certs.update((c.dump(), c) for c in carried_certificates(one.signature for one in signed))
    for one in signed:
        archival = _archival(one.signature)
        if archival is not None:
            ocsps.extend(archival["ocsp"] or [])
            crls.extend(archival["crl"] or [])
    return Evidence(list(certs.values()), ocsps, crls)


def _archival(signature):
    """The signature's ``adbe-revocationInfoArchival`` attribute (Adobe's own place), if any."""
    for attribute in signature.signer_info["signed_attrs"]:
        if attribute["type"].native == "adobe_revocation_info_archival":
            return attribute["values"][0]
    return None


def _timestamp_time(signature) -> dt.datetime | None:
    """When the signature's first timestamp token says it was made (adbe-revocationInfoArchival
    data is as of signing)."""
    tokens = timestamp_tokens(signature)
    return token_time(tokens[0]) if tokens else None


def _archive_moment(signed: list) -> dt.datetime | None:
    """The newest document timestamp's time: when the revocation data was archived."""
    times = [token_time(one.signature.signed_data) for one in signed if is_document_timestamp(one)]
    return max(times) if times else None
