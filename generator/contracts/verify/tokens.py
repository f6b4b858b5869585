"""What a PDF signature carries besides its own signature: its RFC 3161 timestamp tokens, the
times they state and the certificates they all hold. `archive` collects revocation data for
these certificates, and verify's revocation check judges them: one reading serves both."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from asn1crypto import cms, x509
from pyhanko.sign.general import CMSExtractionError, extract_certificate_info
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter

__all__ = ["carried_certificates", "timestamp_tokens", "token_time"]


def timestamp_tokens(signature) -> list[cms.SignedData]:
    """The timestamp tokens of an embedded signature: its unsigned attributes', then its signed ones'."""
    return [token for signed in (False, True)
            for token in extract_tst_data_iter(signature.signer_info, signed=signed)]


def token_time(signed_data: cms.SignedData) -> dt.datetime:
    """The time an RFC 3161 token states (a signature's token, or a document timestamp's SignedData)."""
    return signed_data["encap_content_info"]["content"].parsed["gen_time"].native


def carried_certificates(signatures: Iterable) -> list[x509.Certificate]:
    """Every certificate the embedded ``signatures`` and their timestamp tokens carry, each once.
    A damaged SignedData whose signer's certificate cannot be found adds none: the signature
    checks fail that signature, and the others' certificates still count."""
    found: dict[bytes, x509.Certificate] = {}
    for signature in signatures:
        for signed_data in (signature.signed_data, *timestamp_tokens(signature)):
            try:
                info = extract_certificate_info(signed_data)
            except CMSExtractionError:
                continue
            for cert in (info.signer_cert, *info.other_certs):
                found.setdefault(cert.dump(), cert)
    return list(found.values())
