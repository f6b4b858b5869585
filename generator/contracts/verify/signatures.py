"""Each signature: intact, valid, made with a certificate fit for it, and trusted or not.

pyHanko validates the CMS signature, the signing certificate's chain against
the roots given with ``--trust``, the signature timestamp, DocMDP and the
modifications after the signature (with the contract's own difference policy).
Added here: the certificate must have been valid when the signature was made
(the timestamp's time, else the time the signer states) — pyHanko judges the
chain at the moment of validation, so an expired certificate would only show
as "untrusted" — and :mod:`.cms` accounts for the bytes of ``/Contents`` that
no signature covers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from asn1crypto import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from pyhanko.sign.fields import MDPPerm
from pyhanko_certvalidator.errors import InvalidCertificateError
from pyhanko.sign.validation import EmbeddedPdfSignature, KeyUsageConstraints, validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from generator.contracts.contract import PROVIDER_FIELD
from generator.contracts.verify import cms, crypto
from generator.contracts.verify.policy import CONTRACT_FIELDS, contract_policy
from generator.contracts.verify.pyhanko_reasons import modification_level, trust_problem
from generator.contracts.verify.report import Check, Status
from generator.i18n import N_, _
from generator.library_messages import certificate_name, library_reason

# A signing certificate must allow one of these (pyHanko's names: nonRepudiation, digitalSignature).
SIGNING_USAGES = KeyUsageConstraints(key_usage={"non_repudiation", "digital_signature"},
                                     match_all_key_usages=False)
# What pyHanko itself requires: nothing, so that a certificate without keyUsage is judged above.
ANY_USAGE = KeyUsageConstraints(key_usage=set())  # None would mean pyHanko's default


@dataclass(frozen=True)
class Signed:
    """One embedded signature: the field it fills and the revision it was added in."""

    field: str
    revision: int
    signature: EmbeddedPdfSignature

    @property
    def certification(self) -> MDPPerm | None:
        """The DocMDP permission of a certification signature (None when unreadable: the
        signature's own check then fails)."""
        try:
            return self.signature.docmdp_level
        except Exception:  # noqa: BLE001 - pyHanko raises several kinds on a damaged /Reference
            return None


def embedded(reader: PdfFileReader) -> tuple[list[Signed], list[Check]]:
    """Every filled signature field, in signing order, and a failed check for each that
    cannot even be read (pyHanko's own listing skips signatures it does not support)."""
    found, broken = [], []
    try:
        filled = list(fields.enumerate_sig_fields(reader, filled_status=True))
    except Exception as exc:  # noqa: BLE001 - a damaged form can raise anything
        return [], [Check("signatures", Status.FAIL, _("the signature fields cannot be read "
                          "({error})").format(error=library_reason(exc)))]
    for name, _value, field_ref in filled:
        try:
            signature = EmbeddedPdfSignature(reader, field_ref, name)
            found.append(Signed(name, signature.signed_revision, signature))
        except Exception as exc:  # noqa: BLE001
            broken.append(Check(f"signature {name}", Status.FAIL,
                                _("cannot be read ({error})").format(error=library_reason(exc))))
    return sorted(found, key=lambda one: one.revision), broken


def check_signature(signed: Signed, data: bytes, roots: list[x509.Certificate],
                    require_trust: bool) -> Check:
    name = f"signature {signed.field}"
    algorithm = crypto.unsupported_algorithm(signed.signature.signed_data)
    if algorithm:
        return Check(name, Status.UNDECIDED, _("cannot decide (unsupported algorithm {algorithm})").format(
            algorithm=algorithm),
                     facts={"field": signed.field, "revision": signed.revision + 1,
                            "integrity": "unknown", "trusted": None})
    try:
        status = validate_pdf_signature(
            signed.signature, _context(roots), _context(roots), diff_policy=contract_policy(),
            key_usage_settings=ANY_USAGE)
    except Exception as exc:  # noqa: BLE001 - a damaged signature can raise anything
        return Check(name, Status.FAIL, _("cannot be validated ({error})").format(error=library_reason(exc)))
    facts = _facts(signed, status)
    byte_range = [int(n) for n in signed.signature.byte_range]
    problems = [p for p in (_field_problem(signed.field), cms.contents_problem(data, byte_range),
                            cms.unsigned_data_problem(signed.signature.signed_data,
                                                      status.signing_cert, roots),
                            *_status_problems(status), _validity_problem(status),
                            *crypto.policy_problems(signed.signature.signed_data, signed.field))
                if p]
    trust = _trust_notes(status, roots)
    details = _describe(facts, status) + trust
    if problems:
        return Check(name, Status.FAIL, "; ".join(problems), details, facts)
    if trust:
        return Check(name, Status.FAIL if require_trust else Status.WARN,
                     _("intact and valid, but not trusted (--require-trust)") if require_trust
                     else _("intact and valid, but not trusted"), details, facts)
    if signed.field == PROVIDER_FIELD and signed.certification is None:
        return Check(name, Status.WARN, _("intact, valid and trusted, but an approval signature: "
                     "readers will not flag changes made after it (`agreements contract` "
                     "certifies 乙方's signature)"), details, facts)
    return Check(name, Status.PASS, _("intact, valid and trusted"), details, facts)


def _context(roots: list[x509.Certificate]) -> ValidationContext:
    # No fetching: verification works offline and says "untrusted" rather than guessing.
    return ValidationContext(trust_roots=list(roots), allow_fetching=False,
                             revocation_mode="soft-fail")


def _field_problem(field: str) -> str | None:
    if field in CONTRACT_FIELDS:
        return None
    return _("it fills “{field}”, which is not one of the contract's signature fields "
             "({fields})").format(field=field, fields=", ".join(sorted(CONTRACT_FIELDS)))


def _status_problems(status: PdfSignatureStatus) -> list[str]:
    problems = []
    if not status.intact:
        problems.append(_("digest mismatch: the signed bytes were changed after signing"))
    elif not status.valid:
        problems.append(_("the signature value does not verify with the signer's certificate"))
    if status.coverage is None or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        problems.append(_("the signature does not cover its whole revision"))
    if status.docmdp_ok is False:
        problems.append(_("the changes made after it go beyond what it allows (DocMDP)"))
    timestamp = status.timestamp_validity
    if timestamp is not None and not (timestamp.intact and timestamp.valid):
        problems.append(_("its timestamp token is damaged or does not verify"))
    try:
        if status.signing_cert.key_usage_value is not None:  # none: any use (RFC 5280)
            SIGNING_USAGES.validate(status.signing_cert)
    except InvalidCertificateError:
        problems.append(_("the certificate's key usage allows neither digitalSignature nor "
                          "nonRepudiation"))
    return problems


def _validity_problem(status: PdfSignatureStatus) -> str | None:
    """Was the certificate valid when the signature was made?"""
    validity = status.signing_cert["tbs_certificate"]["validity"]
    start, end = validity["not_before"].native, validity["not_after"].native
    when = _signing_moment(status)
    if when < start:
        return _("the certificate was not valid yet when it signed (valid from {start} UTC)").format(
            start=f"{start:%Y-%m-%d %H:%M}")
    if when > end:
        return _("the certificate had expired when it signed (on {end} UTC)").format(end=f"{end:%Y-%m-%d %H:%M}")
    return None


def _signing_moment(status: PdfSignatureStatus) -> dt.datetime:
    timestamp = status.timestamp_validity
    if timestamp is not None and timestamp.intact and timestamp.valid:
        return timestamp.timestamp
    return status.signer_reported_dt or dt.datetime.now(dt.timezone.utc)


def _trust_notes(status: PdfSignatureStatus, roots: list[x509.Certificate]) -> list[str]:
    notes = []
    if not status.trusted:
        why = trust_problem(status.trust_problem_indic)
        notes.append((_("untrusted: {why}") if roots else _("untrusted: {why} (no --trust roots given)"))
                     .format(why=why))
    timestamp = status.timestamp_validity
    if timestamp is not None and not timestamp.trusted:
        notes.append(_("timestamp untrusted: the time-stamping authority is not under a --trust root"))
    return notes


def _facts(signed: Signed, status: PdfSignatureStatus) -> dict:
    cert = status.signing_cert
    timestamp = status.timestamp_validity
    certification = signed.certification
    return {
        "field": signed.field,
        "revision": signed.revision + 1,
        "signer": cert.subject.human_friendly,
        "issuer": cert.issuer.human_friendly,
        "serial": format(cert.serial_number, "x"),
        "signing_time": _iso(status.signer_reported_dt),  # claimed, not proven
        "timestamp": None if timestamp is None else {
            "time": _iso(timestamp.timestamp), "tsa": timestamp.signing_cert.subject.human_friendly,
            "trusted": timestamp.trusted},
        "key_usage": sorted(cert.key_usage_value.native) if cert.key_usage_value else [],
        "valid_until": _iso(cert["tbs_certificate"]["validity"]["not_after"].native),
        "certification": None if certification is None else int(certification.value),
        "integrity": ("intact" if status.intact and status.valid else
                      "digest mismatch" if not status.intact else "invalid signature value"),
        "trusted": status.trusted,  # trust (which root) is reported apart from integrity
        "modification_level": status.modification_level.name.lower()
        if status.modification_level is not None else None,
    }


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds") if moment else None


def _describe(facts: dict, status: PdfSignatureStatus) -> list[str]:
    signing_time = facts["signing_time"] or _("not stated")
    lines = [_("signer:        {signer}").format(signer=certificate_name(status.signing_cert.subject)),
             _("issuer:        {issuer}").format(issuer=certificate_name(status.signing_cert.issuer)),
             (_("signing time:  {time} (claimed by the signer; the timestamp proves the time below)")
              if facts["timestamp"] else
              _("signing time:  {time} (claimed by the signer; not proven: no timestamp)")).format(time=signing_time)]
    timestamp = facts["timestamp"]
    tsa = status.timestamp_validity.signing_cert.subject if timestamp else None
    lines.append(_("timestamp:     {time} by {tsa}").format(time=timestamp["time"], tsa=certificate_name(tsa))
                 if timestamp else _("timestamp:     none"))
    lines.append(_("key usage:     {usages}").format(usages=", ".join(facts["key_usage"]) or _("not restricted")))
    if facts["certification"] is not None:
        level = CERTIFICATION.get(facts["certification"])
        lines.append(_("certification: DocMDP {level} ({meaning})").format(
            level=facts["certification"], meaning=_(level) if level else "?"))
    lines.append(_("revision:      {revision}, later changes: {level}").format(
        revision=facts["revision"], level=modification_level(status.modification_level)))
    if facts["valid_until"] < _iso(dt.datetime.now(dt.timezone.utc)):
        lines.append(_("note:          the certificate has expired since ({date})").format(date=facts["valid_until"]))
    return lines


CERTIFICATION = {1: N_("no changes allowed"), 2: N_("form filling and signing allowed"),
                 3: N_("form filling, signing and annotations allowed")}
