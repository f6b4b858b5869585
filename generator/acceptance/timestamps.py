"""RFC 3161 timestamps of checkpoints: requested from a TSA, checked offline with pyHanko."""

from __future__ import annotations

import asyncio
import hashlib

from generator.acceptance.canonical import b64, canonical, unb64


def checkpoint_digest(tree_head: dict) -> bytes:
    """What the TSA stamps: the SHA-256 of the signed tree head's canonical JSON."""
    return hashlib.sha256(canonical(tree_head)).digest()


def request_timestamp(url: str, tree_head: dict) -> str:
    """The TSA's token (a CMS ContentInfo, DER, base64) over the tree head."""
    from pyhanko.sign.timestamps import HTTPTimeStamper

    stamper = HTTPTimeStamper(url, timeout=10)
    token = asyncio.run(stamper.async_timestamp(checkpoint_digest(tree_head), "sha256"))
    return b64(token.dump())


def check_timestamp(token_b64: str, tree_head: dict) -> tuple[bool, str | None, str | None]:
    """(token intact and over this tree head, its time in ISO 8601, the TSA's name)."""
    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
    from pyhanko_certvalidator import ValidationContext

    try:
        token = cms.ContentInfo.load(unb64(token_b64))
        signed = token["content"]
        digest = checkpoint_digest(tree_head)
        # the token's integrity and its signature; whether the TSA is trusted is the reader's call
        context = ValidationContext(trust_roots=[], allow_fetching=False)
        status = asyncio.run(validate_tst_signed_data(signed, context, lambda _algorithm: digest))
    except Exception:  # noqa: BLE001 - a damaged token is a failed check, whatever broke
        return False, None, None
    tst = signed["encap_content_info"]["content"].parsed
    imprint_ok = tst["message_imprint"]["hashed_message"].native == digest
    ok = bool(status.get("intact")) and bool(status.get("valid")) and imprint_ok
    cert = status.get("signing_cert")
    return ok, tst["gen_time"].native.isoformat(), cert.subject.human_friendly if cert else None
