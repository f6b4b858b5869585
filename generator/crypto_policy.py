"""One crypto policy, keyed by purpose, for everything that signs or checks a signature.

The signer (:mod:`generator.contracts.signing`) refuses a key or certificate
this policy rejects before it writes anything, and `verify` fails a signature
that breaks it, so what the signer accepts, verify accepts (a property test
holds them to it). Other signers (receipts) ask the same module with their
own purpose.

For every purpose:

- keys: RSA of at least 2048 bits, ECDSA on P-256 or P-384. Ed25519 and Ed448
  are refused clearly: PDF readers in use (Adobe Acrobat among them) cannot
  check them, and a contract must verify anywhere. DSA is refused;
- hashes: SHA-256, SHA-384, SHA-512 (no SHA-1 or MD5, neither in the
  signature nor anywhere in the certificate chain);
- SM2 and SM3 (many Chinese CAs and e-signature platforms) are *unsupported*,
  not wrong: verify says "cannot decide (unsupported algorithm SM2)" for them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

from generator.i18n import N_, _


class Purpose(enum.Enum):
    COMPANY_CONTRACT_SIGNATURE = "乙方's contract signature"
    CUSTOMER_CONTRACT_SIGNATURE = "甲方's contract signature"
    RECEIPT_SIGNATURE = "a receipt's signature"
    TIMESTAMP = "an RFC 3161 timestamp"


@dataclass(frozen=True)
class Rules:
    rsa_min_bits: int = 2048
    curves: frozenset[str] = frozenset({"secp256r1", "secp384r1"})
    hashes: frozenset[str] = frozenset({"sha256", "sha384", "sha512"})


POLICIES = {purpose: Rules() for purpose in Purpose}  # one place to make a purpose stricter

# Object identifiers of the Chinese national algorithms (GM/T 0006): unsupported, not wrong.
UNSUPPORTED = {"1.2.156.10197.1.501": "SM2", "1.2.156.10197.1.301": "SM2",
               "1.2.156.10197.1.401": "SM3", "1.2.156.10197.1.504": "SM2"}
_CURVE_NAMES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}


class Unsupported(Exception):
    """An algorithm nothing here can check (SM2, SM3): neither valid nor invalid."""


def key_problem(public_key, purpose: Purpose) -> str | None:
    """Why ``public_key`` (a ``cryptography`` public key) may not serve ``purpose``, or None."""
    rules = POLICIES[purpose]
    if isinstance(public_key, rsa.RSAPublicKey):
        if public_key.key_size < rules.rsa_min_bits:
            return _("has an RSA key of {bits} bits; at least "
                     "{minimum} are required").format(bits=public_key.key_size, minimum=rules.rsa_min_bits)
        return None
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        if public_key.curve.name not in rules.curves:
            name = _CURVE_NAMES.get(public_key.curve.name, public_key.curve.name)
            return _("has an ECDSA key on curve {name}; only "
                     "{curves} are accepted").format(name=name, curves=", ".join(_CURVE_NAMES[c] for c in sorted(rules.curves)))
        return None
    if isinstance(public_key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
        return _("has an EdDSA key (Ed25519/Ed448), which PDF readers in use cannot check; "
                 "use RSA (2048 bits or more) or ECDSA P-256/P-384")
    if isinstance(public_key, dsa.DSAPublicKey):
        return _("has a DSA key; use RSA (2048 bits or more) or ECDSA P-256/P-384")
    return _("has a key of an unsupported kind ({kind})").format(kind=type(public_key).__name__)


def hash_problem(name: str | None, purpose: Purpose, what: str = N_("it is signed with")) -> str | None:
    """Why the hash algorithm ``name`` (e.g. "sha1", "sha256") may not serve ``purpose``."""
    name = (name or "").lower().replace("-", "")
    if name in POLICIES[purpose].hashes:
        return None
    return _("{what} {hash}; only SHA-256, SHA-384 or SHA-512 are accepted").format(
        what=_(what), hash=name.upper() or _("an unknown hash"))


def certificate_problem(cert: x509.Certificate, purpose: Purpose) -> str | None:
    """The key of ``cert`` and the hash its issuer signed it with, against the policy."""
    oid = cert.signature_algorithm_oid.dotted_string
    if oid in UNSUPPORTED:
        raise Unsupported(UNSUPPORTED[oid])
    try:
        public_key = cert.public_key()
    except Exception:  # noqa: BLE001 - cryptography cannot load e.g. an SM2 key
        raise Unsupported(_key_oid_name(cert)) from None
    try:
        algorithm = cert.signature_hash_algorithm
    except UnsupportedAlgorithm:
        raise Unsupported(_("the signature algorithm {oid}").format(oid=oid)) from None
    return key_problem(public_key, purpose) or hash_problem(
        algorithm.name if algorithm is not None else "eddsa", purpose,
        N_("is signed by its issuer with"))


def _key_oid_name(cert: x509.Certificate) -> str:
    text = cert.public_bytes(_der()).hex()
    return next((name for oid, name in UNSUPPORTED.items() if _oid_hex(oid) in text), "unknown")


def _der():
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def _oid_hex(dotted: str) -> str:
    """The DER content octets of an object identifier, in hex (to find it inside a certificate)."""
    parts = [int(p) for p in dotted.split(".")]
    out = [40 * parts[0] + parts[1]]
    for part in parts[2:]:
        chunk = [part & 0x7F]
        part >>= 7
        while part:
            chunk.append(0x80 | (part & 0x7F))
            part >>= 7
        out += reversed(chunk)
    return bytes(out).hex()
