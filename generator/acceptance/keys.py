"""The service's Ed25519 signing keys: one active, the older ones kept so old receipts verify.

Keys live as PKCS#8 PEM files named ``<created>_<key id>.pem`` in a folder only the service
reads; the newest is the active one. The key id is the first 16 hex digits of the SHA-256 of
the raw public key, so anyone holding the public key can recompute it. Rotation adds a file;
every public key stays published at /.well-known/agreements-keys.json.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from generator.acceptance.canonical import b64, canonical, sha256_hex, unb64
from generator.errors import AgreementsError
from generator.i18n import _

ALGORITHM = "Ed25519"


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return sha256_hex(raw)[:16]


def public_b64(public: Ed25519PublicKey) -> str:
    return b64(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


@dataclass(frozen=True)
class SigningKey:
    kid: str
    created: str
    private: Ed25519PrivateKey

    def sign(self, document: dict) -> dict:
        """``document`` with ``key_id`` and ``signature`` (over its canonical JSON without them)."""
        body = {k: v for k, v in document.items() if k not in ("key_id", "signature")}
        body["key_id"] = self.kid
        return {**body, "signature": b64(self.private.sign(canonical(body)))}


class Keyring:
    """Every key of the folder; :attr:`active` signs."""

    def __init__(self, keys: list[SigningKey]) -> None:
        self.keys = keys

    @property
    def active(self) -> SigningKey:
        return self.keys[-1]

    def published(self) -> dict:
        """The document served at /.well-known/agreements-keys.json."""
        return {"keys": [{"kid": k.kid, "alg": ALGORITHM, "public_key": public_b64(k.private.public_key()),
                          "created": k.created, "active": k is self.active} for k in self.keys]}


def load_keyring(folder: Path, *, create: bool = True) -> Keyring:
    files = sorted(folder.glob("*_*.pem")) if folder.is_dir() else []
    if not files and create:
        return Keyring([rotate(folder)])
    if not files:
        raise AgreementsError(_("no signing keys; start the service once or run "
                                "`agreements accept-keys --rotate` to create one"), file=folder)
    keys = []
    for path in files:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise AgreementsError(_("not an Ed25519 private key"), file=path)
        keys.append(SigningKey(key_id(private.public_key()), path.name.split("_")[0], private))
    return Keyring(keys)


def rotate(folder: Path) -> SigningKey:
    """Create a new key, which becomes the active one."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    private = Ed25519PrivateKey.generate()
    created = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    kid = key_id(private.public_key())
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    path = folder / f"{created}_{kid}.pem"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return SigningKey(kid, created, private)


def public_keys(published: dict) -> dict[str, Ed25519PublicKey]:
    """Key id → public key, from a keys document (the key id is recomputed, not trusted)."""
    found = {}
    for entry in published.get("keys", []):
        public = Ed25519PublicKey.from_public_bytes(unb64(entry["public_key"]))
        found[key_id(public)] = public
    return found


def signature_valid(document: dict, keys: dict[str, Ed25519PublicKey]) -> bool:
    """Is ``document`` signed (see :meth:`SigningKey.sign`) by one of ``keys``?"""
    public = keys.get(document.get("key_id"))
    if public is None or not isinstance(document.get("signature"), str):
        return False
    body = {k: v for k, v in document.items() if k != "signature"}
    try:
        public.verify(unb64(document["signature"]), canonical(body))
    except (InvalidSignature, ValueError):
        return False
    return True
