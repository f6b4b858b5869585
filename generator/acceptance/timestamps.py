"""RFC 3161 timestamps of checkpoints: requested from a TSA, checked offline with pyHanko."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass

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


@dataclass(frozen=True)
class TimestampCheck:
    ok: bool  # intact, validly signed, and over this tree head
    time: str | None
    tsa: str | None
    trusted: bool  # the TSA's certificate chains to one of the given roots


def check_timestamp(token_b64: str, tree_head: dict, trust_roots=()) -> TimestampCheck:
    """Check an RFC 3161 token over ``tree_head``; ``trust_roots`` (asn1crypto certificates)
    decide whether its TSA is trusted."""
    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
    from pyhanko_certvalidator import ValidationContext

    try:
        token = cms.ContentInfo.load(unb64(token_b64))
        signed = token["content"]
        digest = checkpoint_digest(tree_head)
        # offline: no fetching; without roots only integrity and signature are judged
        context = ValidationContext(trust_roots=list(trust_roots), allow_fetching=False)
        status = asyncio.run(validate_tst_signed_data(signed, context, lambda _algorithm: digest))
    except Exception:  # noqa: BLE001 - a damaged token is a failed check, whatever broke
        return TimestampCheck(False, None, None, False)
    tst = signed["encap_content_info"]["content"].parsed
    imprint_ok = tst["message_imprint"]["hashed_message"].native == digest
    ok = bool(status.get("intact")) and bool(status.get("valid")) and imprint_ok
    cert = status.get("signing_cert")
    return TimestampCheck(ok, tst["gen_time"].native.isoformat(), cert.subject.human_friendly if cert else None,
                          status.get("validation_path") is not None and status.get("trust_problem_indic") is None)
