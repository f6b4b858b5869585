"""An RFC 3161 client that checks every answer before a contract carries it.

pyHanko's client checks the nonce. A timestamp is evidence of *when*, so the
signer also requires that the token is for this very signature (its message
imprint is the digest asked for), signed with a certificate meant for
timestamps (extended key usage timeStamping) that the shared crypto policy
accepts, and dated within a window of this machine's clock (default ±10
minutes; ``AGREEMENTS_TSA_WINDOW_MINUTES`` sets another): a replayed token, a
token ten years old, another document's token or garbage bytes stop the
batch with one line, before any contract is written.
"""

from __future__ import annotations

import datetime as dt
import os

from asn1crypto import cms
from cryptography import x509 as pyca_x509
from pyhanko.sign.timestamps.common_utils import TimestampRequestError, handle_tsp_response
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

from generator.crypto_policy import Purpose, Unsupported, certificate_problem
from generator.errors import AgreementsError
from generator.i18n import _
from generator.library_messages import library_reason

WINDOW_VARIABLE = "AGREEMENTS_TSA_WINDOW_MINUTES"
DEFAULT_WINDOW = dt.timedelta(minutes=10)


def window_from_environment() -> dt.timedelta:
    raw = os.environ.get(WINDOW_VARIABLE)
    if raw is None:
        return DEFAULT_WINDOW
    try:
        minutes = float(raw)
    except ValueError:
        minutes = -1
    if not 0 < minutes <= 24 * 60:
        raise AgreementsError(_("{variable} must be a number of minutes between 0 and "
                                "1440 (it is {value!r})").format(variable=WINDOW_VARIABLE, value=raw),
                              key=WINDOW_VARIABLE)
    return dt.timedelta(minutes=minutes)


class CheckedTimeStamper(RequestsHTTPTimeStamper):
    """pyHanko's HTTP client, refusing an answer that is not a fresh timestamp of this digest."""

    def __init__(self, url: str, *, window: dt.timedelta = DEFAULT_WINDOW, timeout: int = 30) -> None:
        super().__init__(url, timeout=timeout)
        self.window = window

    async def async_timestamp(self, message_digest: bytes, md_algorithm: str) -> cms.ContentInfo:
        nonce, request = self.request_cms(message_digest, md_algorithm)
        try:
            response = await self.async_request_tsa_response(request)
            token = handle_tsp_response(response, None)  # its nonce check fails on an int nonce
            problem = _nonce_problem(token, nonce) or token_problem(
                token, message_digest, md_algorithm, self.window)
        except TimestampRequestError as exc:  # the TSA's own status: not granted
            problem = _("refused the request ({error})").format(error=library_reason(exc))
        except Exception as exc:  # noqa: BLE001 - garbage bytes make asn1crypto raise anything
            problem = _("answered with something that is not a timestamp ({error})").format(error=library_reason(exc))
        if problem:
            raise AgreementsError(_("the time-stamping authority at {url} {problem}; "
                                    "nothing was signed").format(url=self.url, problem=problem), key="--tsa")
        return token


def _nonce_problem(token: cms.ContentInfo, nonce: int | None) -> str | None:
    received = token["content"]["encap_content_info"]["content"].parsed["nonce"].native
    if nonce is not None and received != nonce:
        return _("sent back a wrong nonce: a replayed or foreign answer")
    return None


def token_problem(token: cms.ContentInfo, digest: bytes, md_algorithm: str,
                  window: dt.timedelta, now: dt.datetime | None = None) -> str | None:
    """Why ``token`` is not a fresh timestamp of ``digest`` by a timestamping certificate."""
    signed = token["content"]
    info = signed["encap_content_info"]["content"].parsed
    imprint = info["message_imprint"]
    if (imprint["hash_algorithm"]["algorithm"].native != md_algorithm
            or imprint["hashed_message"].native != digest):
        return _("answered for another document (the message imprint is not this signature's digest)")
    now = now or dt.datetime.now(dt.timezone.utc)
    when = info["gen_time"].native
    if abs(now - when) > window:
        return _("dated its timestamp {when} UTC, more than "
                 "{minutes} minutes from this machine's clock "
                 "({now} UTC)").format(when=f"{when:%Y-%m-%d %H:%M}", minutes=f"{window.total_seconds() / 60:g}",
                                       now=f"{now:%Y-%m-%d %H:%M}")
    return _certificate_problem(signed)


def _certificate_problem(signed: cms.SignedData) -> str | None:
    sid = signed["signer_infos"][0]["sid"]
    cert = next((c.chosen for c in signed["certificates"] or [] if c.name == "certificate"
                 and sid.name == "issuer_and_serial_number"
                 and c.chosen.issuer == sid.chosen["issuer"]
                 and c.chosen.serial_number == sid.chosen["serial_number"].native), None)
    if cert is None:
        return _("sent no certificate for its signature")
    usage = cert.extended_key_usage_value
    if usage is None or "time_stamping" not in usage.native:
        return _("signs with a certificate not meant for timestamps (no timeStamping extended "
                 "key usage)")
    try:
        problem = certificate_problem(pyca_x509.load_der_x509_certificate(cert.dump()),
                                      Purpose.TIMESTAMP)
    except Unsupported as exc:
        problem = _("uses {algorithm}, which verify cannot check").format(algorithm=exc)
    return _("signs with a certificate that {problem}").format(problem=problem) if problem else None
