"""RFC 8785 canonical JSON and the digests made of it: what every signature and hash covers."""

from __future__ import annotations

import base64
import hashlib

import rfc8785


def canonical(value) -> bytes:
    """The one byte form of a JSON value (RFC 8785, JCS): sorted keys, no spaces, UTF-8."""
    return rfc8785.dumps(value)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)
