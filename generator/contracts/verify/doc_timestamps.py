"""Document timestamps (PAdES B-LTA): a later revision may add one, like DSS validation data.

A document timestamp is an RFC 3161 token over the whole file up to it, in a
signature field of its own (``/Type /DocTimeStamp``, an invisible widget). It
changes nothing a reader sees and proves that the file existed at its time,
so it is on the list of what may follow the contract's signatures
(:mod:`.allowed_changes`); pyHanko validates the token, the trust of its
time-stamping authority is reported apart, as for signatures.
"""

from __future__ import annotations

import datetime as dt

from asn1crypto import x509
from pyhanko.sign.validation import validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext

from generator.contracts.verify.policy import contract_policy
from generator.contracts.verify.report import Check, Status
from generator.i18n import _
from generator.library_messages import certificate_name, library_reason

DOC_TIMESTAMP = "/DocTimeStamp"


def is_document_timestamp(signed) -> bool:
    try:
        return signed.signature.sig_object_type == DOC_TIMESTAMP
    except Exception:  # noqa: BLE001 - a damaged signature dictionary: checked as a signature
        return False


def check_document_timestamp(signed, roots: list[x509.Certificate], require_trust: bool) -> Check:
    name = f"document timestamp {signed.field}"
    context = ValidationContext(trust_roots=list(roots), allow_fetching=False,
                                revocation_mode="soft-fail")
    try:
        status = validate_pdf_timestamp(signed.signature, context, diff_policy=contract_policy())
    except Exception as exc:  # noqa: BLE001 - a damaged token can raise anything
        return Check(name, Status.FAIL, _("cannot be validated ({error})").format(error=library_reason(exc)))
    when = status.timestamp.astimezone(dt.timezone.utc).isoformat(timespec="seconds")
    facts = {"field": signed.field, "revision": signed.revision + 1,
             "timestamp": {"time": when, "tsa": status.signing_cert.subject.human_friendly,
                           "trusted": status.trusted},
             "integrity": "intact" if status.intact and status.valid else "altered",
             "trusted": status.trusted}
    details = [_("time:          {time} (proven)").format(time=when),
               _("authority:     {tsa}").format(tsa=certificate_name(status.signing_cert.subject))]
    if _visible(signed):
        return Check(name, Status.FAIL, _("its widget is visible: a document timestamp draws "
                     "nothing, so this one paints over the page"), details, facts)
    if not (status.intact and status.valid):
        return Check(name, Status.FAIL, _("the token does not verify: the file was changed "
                     "before it, or the token is damaged"), details, facts)
    if status.docmdp_ok is False:
        return Check(name, Status.FAIL, _("the changes made after it go beyond what the "
                     "contract allows"), details, facts)
    if not status.trusted:
        return Check(name, Status.FAIL if require_trust else Status.WARN,
                     _("intact, but the time-stamping authority is not under a --trust root"),
                     details, facts)
    return Check(name, Status.PASS, _("intact and trusted"), details, facts)


def _visible(signed) -> bool:
    """Does the timestamp's field (or any of its widgets) have an area on the page?"""
    field = signed.signature.sig_field
    widgets = [kid.get_object() for kid in field.get("/Kids", [])] or [field]
    for widget in widgets:
        rect = [float(v) for v in widget.get("/Rect", [0, 0, 0, 0])]
        if len(rect) == 4 and abs(rect[2] - rect[0]) * abs(rect[3] - rect[1]) > 0:
            return True
    return False
