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
  hand (carried too, or a ``--trust`` root; a root signs itself);
- the unsigned fields of SignedData and SignerInfo hold exactly what RFC 5652
  derives from the signed ones, and the only unsigned attribute is the
  signature timestamp (PAdES puts validation data in the DSS instead).
"""

from __future__ import annotations

import re

from asn1crypto import cms, parser, x509
from cryptography import x509 as pyca_x509
from cryptography.exceptions import InvalidSignature

_HEX = re.compile(rb"[0-9a-f]*|[0-9A-F]*")
_UNSIGNED_ATTRIBUTES = {"signature_time_stamp_token"}


def contents_problem(data: bytes, byte_range: list[int]) -> str | None:
    """The gap in /ByteRange must be exactly the hex signature and its zero padding."""
    if len(byte_range) != 4 or byte_range[0] != 0:
        return "its /ByteRange does not start at the beginning of the file"
    gap = data[byte_range[1]:byte_range[2]]
    digits = gap[1:-1]
    if gap[:1] != b"<" or gap[-1:] != b">" or len(digits) % 2 or not _HEX.fullmatch(digits):
        return ("the bytes outside the signed ranges are not just the signature's hex string "
                "(/Contents was altered)")
    raw = bytes.fromhex(digits.decode("ascii"))
    try:
        _cls, _method, _tag, header, content, trailer = parser.parse(raw, strict=False)
    except ValueError:
        return "/Contents does not hold a DER-encoded signature"
    if any(raw[len(header) + len(content) + len(trailer):]):
        return "the padding after the signature in /Contents is not all zero: altered after signing"
    return None


def unsigned_data_problem(signed_data: cms.SignedData, roots: list[x509.Certificate]) -> str | None:
    """A problem in what the CMS object carries outside the signature, or None."""
    try:
        return _structure_problem(signed_data) or _certificates_problem(signed_data, roots)
    except (ValueError, TypeError, KeyError) as exc:  # asn1crypto parses lazily
        return f"the signature's CMS data cannot be parsed ({type(exc).__name__}): altered"


def _structure_problem(signed_data: cms.SignedData) -> str | None:
    infos = list(signed_data["signer_infos"])
    for info in infos:
        expected = "v1" if info["sid"].name == "issuer_and_serial_number" else "v3"
        if info["version"].native != expected:
            return "a SignerInfo version does not match its signer identifier (RFC 5652)"
        unsigned = info["unsigned_attrs"]
        names = {attr["type"].native for attr in unsigned} if unsigned.native else set()
        if names - _UNSIGNED_ATTRIBUTES:
            return f"the signature carries unsigned attributes ({', '.join(sorted(names))})"
    wanted = {info["digest_algorithm"].dump() for info in infos}
    if {algorithm.dump() for algorithm in signed_data["digest_algorithms"]} != wanted:
        return "the digest algorithms listed in the signature are not the ones it uses"
    simple = (signed_data["encap_content_info"]["content_type"].native == "data"
              and all(info["version"].native == "v1" for info in infos)
              and all(c.name == "certificate" for c in signed_data["certificates"] or []))
    if simple and signed_data["version"].native != "v1":
        return "the SignedData version does not match its content (RFC 5652)"
    return None


def _certificates_problem(signed_data: cms.SignedData, roots: list[x509.Certificate]) -> str | None:
    carried = [c.chosen for c in signed_data["certificates"] or [] if c.name == "certificate"]
    issuers = [pyca_x509.load_der_x509_certificate(c.dump()) for c in [*carried, *roots]]
    for cert in carried:
        child = pyca_x509.load_der_x509_certificate(cert.dump())
        candidates = [issuer for issuer in issuers if issuer.subject == child.issuer]
        if candidates and not any(_issued_by(child, issuer) for issuer in candidates):
            return (f"the certificate “{cert.subject.human_friendly}” carried in the signature is "
                    "not signed by its issuer: altered after signing")
    return None


def _issued_by(child: pyca_x509.Certificate, issuer: pyca_x509.Certificate) -> bool:
    try:
        child.verify_directly_issued_by(issuer)
        return True
    except (ValueError, TypeError, InvalidSignature):
        return False
