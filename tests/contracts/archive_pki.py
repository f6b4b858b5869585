"""A test PKI with a CRL, an OCSP responder and a time-stamping authority on 127.0.0.1.

certomancer (pyHanko's own test PKI tool) builds it from
tests/fixtures/archive-pki/certomancer.yml and serves it with its Animator (a
WSGI app) in a thread, one server per session. The keys are made afresh per
session; the certificates' CRL and OCSP URLs point at the server's port.
``refusing()`` makes the server answer 503 for a while, as a responder that is down.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from helpers import FIXTURES

CONFIG = FIXTURES / "archive-pki" / "certomancer.yml"
ARCH = "agreements"
KEYS = ("root", "ocsp", "tsa", "party-b", "party-a", "party-a-revoked")
PASSWORD = "archive-pw"


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


@dataclass
class ArchivePki:
    arch: object  # certomancer PKIArchitecture
    base_url: str
    folder: Path
    refused: set[str] = field(default_factory=set)  # path parts answered with 503

    @property
    def tsa_url(self) -> str:
        return f"{self.base_url}/{ARCH}/tsa/tsa"

    def cert(self, label: str):
        return self.arch.get_cert(label)

    def subject(self, label: str) -> str:
        return self.cert(label).subject.human_friendly

    def p12(self, label: str) -> Path:
        """``label``'s key with its certificate and the root, in a P12 (password PASSWORD)."""
        path = self.folder / f"{label}.p12"
        if not path.exists():
            path.write_bytes(self.arch.package_pkcs12(label, password=PASSWORD.encode()))
        return path

    def signer(self, label: str):
        from pyhanko.sign import signers

        return signers.SimpleSigner.load_pkcs12(str(self.p12(label)), passphrase=PASSWORD.encode())

    def root_pem(self) -> Path:
        from asn1crypto import pem

        path = self.folder / "archive-root.pem"
        path.write_bytes(pem.armor("CERTIFICATE", self.cert("root").dump()))
        return path

    @contextlib.contextmanager
    def refusing(self, *parts: str) -> Iterator[None]:
        """Answer 503 to every request whose path holds one of ``parts`` (all when none)."""
        parts = parts or ("/",)
        self.refused.update(parts)
        try:
            yield
        finally:
            self.refused.difference_update(parts)


def _write_keys(folder: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    for label in KEYS:
        key = ec.generate_private_key(ec.SECP256R1())
        (folder / f"{label}.key.pem").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))


@contextlib.contextmanager
def serving_pki(folder: Path) -> Iterator[ArchivePki]:
    """The PKI and its services on 127.0.0.1 (a free port) for as long as the block runs."""
    import yaml
    from certomancer.integrations.animator import Animator, AnimatorArchStore
    from certomancer.registry import CertomancerConfig

    _write_keys(folder)
    pki_box: list[ArchivePki] = []

    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if any(part in path for part in pki_box[0].refused):
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"down"]
        return animator(environ, start_response)

    server: WSGIServer = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    base_url = f"http://127.0.0.1:{server.server_port}"
    config = CertomancerConfig(yaml.safe_load(CONFIG.read_text(encoding="utf-8")),
                               key_search_dir=str(folder), external_url_prefix=base_url)
    arch = config.get_pki_arch(ARCH)
    animator = Animator(AnimatorArchStore({ARCH: arch}), with_web_ui=False)
    pki_box.append(ArchivePki(arch, base_url, folder))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield pki_box[0]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
