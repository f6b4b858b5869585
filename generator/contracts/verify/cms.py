"""What a PDF signature's ``/Contents`` holds that no signature covers, checked here.

A signature's ``/Contents`` is the one part of the file outside its signed
byte ranges, and inside it the CMS object carries data the signer did not
sign: the certificates, the list of digest algorithms, version numbers, the
zero padding after the DER. pyHanko verifies what the signature depends on
(the signed attributes, the signer's certificate through the ESS attribute,
the timestamp token) and ignores the rest, so a changed byte in, say, the
embedded root certificate would still verify. Contracts demand that every
byte is accounted for, so here:

- the gap in ``/ByteRange`` is exactly ``<`` + hex digits of one case + ``>``,
  and everything after the DER object is zero padding;
- every certificate carried is signed by its issuer when the issuer is at
  hand (carried too, or a ``--trust`` root; a root signs itself), and the one
  whose issuer is not at hand is the top of the signer's chain;
- the unsigned fields of SignedData and SignerInfo hold exactly what RFC 5652
  derives from the signed ones, and the only unsigned attribute is the
  signature timestamp (PAdES puts validation data in the DSS instead).
"""

from __future__ import annotations

import re

from asn1crypto import cms, parser, x509
from cryptography import x509 as pyca_x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm

from generator.i18n import _
from generator.library_messages import library_reason

_HEX = re.compile(rb"[0-9a-f]*|[0-9A-F]*")
_UNSIGNED_ATTRIBUTES = {"signature_time_stamp_token"}


def contents_problem(data: bytes, byte_range: list[int]) -> str | None:
    """The gap in /ByteRange must be exactly the hex signature and its zero padding."""
    if len(byte_range) != 4 or byte_range[0] != 0:
        return _("its /ByteRange does not start at the beginning of the file")
    gap = data[byte_range[1]:byte_range[2]]
    digits = gap[1:-1]
    if gap[:1] != b"<" or gap[-1:] != b">" or len(digits) % 2 or not _HEX.fullmatch(digits):
        return _("the bytes outside the signed ranges are not just the signature's hex string "
                 "(/Contents was altered)")
    raw = bytes.fromhex(digits.decode("ascii"))
    try:
        _cls, _method, _tag, header, content, trailer = parser.parse(raw, strict=False)
    except ValueError:
        return _("/Contents does not hold a DER-encoded signature")
    if any(raw[len(header) + len(content) + len(trailer):]):
        return _("the padding after the signature in /Contents is not all zero: altered after signing")
    return None


def unsigned_data_problem(signed_data: cms.SignedData, signer: x509.Certificate,
                          roots: list[x509.Certificate]) -> str | None:
    """A problem in what the CMS object carries outside the signature, or None."""
    try:
        return _structure_problem(signed_data) or _certificates_problem(signed_data, signer, roots)
    except Exception as exc:  # noqa: BLE001 - lazily parsed, damaged data raises many kinds
        return _("the signature's CMS data cannot be read ({error}): altered").format(error=library_reason(exc))


def _structure_problem(signed_data: cms.SignedData) -> str | None:
    infos = list(signed_data["signer_infos"])
    for info in infos:
        expected = "v1" if info["sid"].name == "issuer_and_serial_number" else "v3"
        if info["version"].native != expected:
            return _("a SignerInfo version does not match its signer identifier (RFC 5652)")
        unsigned = info["unsigned_attrs"]
        names = {attr["type"].native for attr in unsigned} if unsigned.native else set()
        if names - _UNSIGNED_ATTRIBUTES:
            return _("the signature carries unsigned attributes ({names})").format(names=", ".join(sorted(names)))
    wanted = {info["digest_algorithm"].dump() for info in infos}
    if {algorithm.dump() for algorithm in signed_data["digest_algorithms"]} != wanted:
        return _("the digest algorithms listed in the signature are not the ones it uses")
    simple = (signed_data["encap_content_info"]["content_type"].native == "data"
              and all(info["version"].native == "v1" for info in infos)
              and all(c.name == "certificate" for c in signed_data["certificates"] or []))
    if simple and signed_data["version"].native != "v1":
        return _("the SignedData version does not match its content (RFC 5652)")
    return None


def _certificates_problem(signed_data: cms.SignedData, signer: x509.Certificate,
                          roots: list[x509.Certificate]) -> str | None:
    """Each carried certificate is signed by an issuer at hand, or is the top of the signer's
    chain whose issuer is not at hand (then nothing can check it, and nothing depends on it)."""
    carried = [pyca_x509.load_der_x509_certificate(c.chosen.dump())
               for c in signed_data["certificates"] or [] if c.name == "certificate"]
    issuers = carried + [pyca_x509.load_der_x509_certificate(root.dump()) for root in roots]

    def issuers_of(cert: pyca_x509.Certificate) -> list[pyca_x509.Certificate]:
        return [issuer for issuer in issuers if issuer.subject == cert.issuer]

    top = pyca_x509.load_der_x509_certificate(signer.dump())
    for _ in range(len(carried)):  # walk up the signer's chain through verified issuers
        parents = [p for p in issuers_of(top) if p != top and _issued_by(top, p)]
        if not parents:
            break
        top = parents[0]
    for cert in carried:
        candidates = issuers_of(cert)
        if candidates and not any(_issued_by(cert, issuer) for issuer in candidates):
            return _("the certificate “{subject}” carried in the signature "
                     "is not signed by its issuer: altered after signing").format(subject=cert.subject.rfc4514_string())
        if not candidates and cert != top:
            return _("the certificate “{subject}” carried in the signature "
                     "is neither signed by a certificate at hand nor part of the signer's chain").format(
                         subject=cert.subject.rfc4514_string())
    return None


def _issued_by(child: pyca_x509.Certificate, issuer: pyca_x509.Certificate) -> bool:
    try:
        child.verify_directly_issued_by(issuer)
        return True
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
