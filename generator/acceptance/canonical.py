"""RFC 8785 canonical JSON and the digests made of it: what every signature and hash covers."""

from __future__ import annotations

import base64
import hashlib
import json

import rfc8785


_SAFE = 2**53


def _plain(value) -> bool:
    """No floats, and keys without characters beyond the BMP: where sorted ``json.dumps`` is JCS."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and k.isascii() and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return True
    return isinstance(value, int) and -_SAFE < value < _SAFE  # JCS refuses integers beyond 2**53


def canonical(value) -> bytes:
    """The one byte form of a JSON value (RFC 8785, JCS): sorted keys, no spaces, UTF-8.

    Receipts hold only strings, integers, booleans and ASCII keys; for such values the standard
    library's sorted, compact output is byte for byte JCS (same escapes, same order) and several
    times faster than the `rfc8785` package, which takes everything else (floats, other keys).
    tests/acceptance/test_canonical.py holds the two to the same bytes.
    """
    if _plain(value):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return rfc8785.dumps(value)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)
