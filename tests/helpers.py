"""Shared helpers for the content and CLI tests: the real project, copies of it, the CLI."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path

import reference
from reference import REFERENCE  # noqa: F401 - re-exported for the tests

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
GOOD_MINIMAL = FIXTURES / "good" / "minimal"
BAD = FIXTURES / "bad"
VERSION = "2021-12-20"
VERSION_DIR = Path("content") / "versions" / VERSION


def examples(thorough: int) -> int:
    """``max_examples`` for a property test that runs ``thorough`` examples under the `thorough`
    Hypothesis profile (make test-thorough): scaled by the loaded profile (tests/conftest.py), so
    `ci` (make test) runs a quarter of them."""
    from hypothesis import settings

    return max(1, thorough * settings().max_examples // 100)


def fold(text: str) -> str:
    """Collapse every run of whitespace to one space, as Markdown reads it."""
    return " ".join(text.split())


def reference_blocks() -> list[str]:
    """The reference file's paragraphs as Markdown, in order."""
    return [block.markdown for block in reference.blocks()]


def reference_paragraphs() -> list[str]:
    """Paragraphs as plain text: no `#`, no `**`, no backslash escapes, whitespace folded."""
    return [fold(block.text) for block in reference.blocks()]


def reference_bold_passages() -> list[str]:
    """Every `**…**` passage of the reference, per paragraph, as plain folded text."""
    return [fold(passage) for block in reference.blocks() for passage in block.bold]


def copy_project(source: Path, dest: Path) -> Path:
    """Copy a project (site_config.yml and content/) to ``dest`` and return it."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / "site_config.yml", dest / "site_config.yml")
    shutil.copytree(source / "content", dest / "content")
    return dest


def copy_site_project(dest: Path) -> Path:
    """A copy of everything a site build reads: content, templates and both configurations."""
    copy_project(ROOT, dest)
    shutil.copytree(ROOT / "templates", dest / "templates")
    shutil.copy2(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    return dest


def copy_real_project(dest: Path, *, draft: bool = False) -> Path:
    """A copy of the repository's project; ``draft`` unpublishes it and drops the lock and the
    release records (a record names a published version)."""
    copy_project(ROOT, dest)
    if draft:
        version_file = dest / VERSION_DIR / "version.yml"
        text = version_file.read_text(encoding="utf-8")
        assert "status: published" in text
        version_file.write_text(text.replace("status: published", "status: draft"), encoding="utf-8")
        (dest / "content" / "published.lock.json").unlink()
        for record in ("releases.yml", "releases.lock.json"):
            (dest / "content" / record).unlink(missing_ok=True)
    return dest


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    """Run ``agreements ARGV`` in-process; return exit code, stdout and stderr."""
    from generator.cli import main

    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def line_of(text: str, marker: str | re.Pattern, occurrence: int = -1) -> int:
    """1-based line of the ``occurrence``-th line holding ``marker`` (last by default)."""
    def hit(line: str) -> bool:
        return bool(marker.search(line)) if isinstance(marker, re.Pattern) else marker in line

    lines = [i for i, line in enumerate(text.splitlines(), 1) if hit(line)]
    assert lines, f"marker {marker!r} not found"
    return lines[occurrence]


# --------------------------------------------------------------------------
# A throwaway CA for signing tests

SIGNING_USAGE = frozenset({"digital_signature", "content_commitment"})  # nonRepudiation


def _name(common: str):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Agreements Test"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _usage(on: frozenset[str]):
    from cryptography import x509

    flags = dict.fromkeys(("digital_signature", "content_commitment", "key_encipherment",
                           "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign",
                           "encipher_only", "decipher_only"), False)
    flags.update(dict.fromkeys(on, True))
    return x509.KeyUsage(**flags)


@dataclass(frozen=True)
class Pki:
    """A root CA, its key, and 乙方's good P12 (digitalSignature + nonRepudiation)."""

    root_cert: object  # cryptography x509.Certificate
    root_key: object
    p12_path: Path
    password: str

    @property
    def password_bytes(self) -> bytes:
        return self.password.encode()

    @property
    def root_asn1(self):
        from asn1crypto import x509 as asn1_x509
        from cryptography.hazmat.primitives import serialization

        return asn1_x509.Certificate.load(self.root_cert.public_bytes(serialization.Encoding.DER))

    def root_pem(self, folder: Path) -> Path:
        """The root certificate as a PEM file, for `verify --trust`."""
        from cryptography.hazmat.primitives import serialization

        path = folder / "test-root.pem"
        path.write_bytes(self.root_cert.public_bytes(serialization.Encoding.PEM))
        return path

    def issue(self, key, common: str, *, usage=SIGNING_USAGE, days: tuple[float, float] = (-1 / 288, 1),
              extended_usage=None):
        """A leaf certificate for ``key``, valid from now+days[0] to now+days[1]."""
        import datetime as dt

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes

        now = dt.datetime.now(dt.timezone.utc)
        builder = (x509.CertificateBuilder().subject_name(_name(common))
                   .issuer_name(self.root_cert.subject).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now + dt.timedelta(days=days[0]))
                   .not_valid_after(now + dt.timedelta(days=days[1]))
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                       self.root_key.public_key()), critical=False))
        if usage is not None:
            builder = builder.add_extension(_usage(frozenset(usage)), critical=True)
        if extended_usage is not None:
            builder = builder.add_extension(x509.ExtendedKeyUsage(extended_usage), critical=True)
        return builder.sign(self.root_key, hashes.SHA256())

    def make_p12(self, folder: Path, name: str, *, common: str = "乙方 Contracts Signer",
                 usage=SIGNING_USAGE, days: tuple[float, float] = (-1 / 288, 1),
                 mismatched_key: bool = False) -> Path:
        """A password-protected P12 (the Pki's password): e.g. ``days=(-3, -1)`` for an expired
        certificate, ``days=(1, 3)`` for one not valid yet, ``usage={"key_encipherment"}`` for
        the wrong key usage, ``mismatched_key=True`` for a key that is not the certificate's."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.serialization import pkcs12

        key = ec.generate_private_key(ec.SECP256R1())
        cert = self.issue(key, common, usage=usage, days=days)
        encryption = serialization.BestAvailableEncryption(self.password_bytes)
        if mismatched_key:
            # A P12 cannot pair a key with a foreign certificate (cryptography refuses to
            # write it and pairs by public key when reading), so this is the shape such a
            # file takes when read: another key, next to the certificate.
            other = ec.generate_private_key(ec.SECP256R1())
            data = pkcs12.serialize_key_and_certificates(
                name.encode(), other, None, [cert, self.root_cert], encryption)
        else:
            data = pkcs12.serialize_key_and_certificates(
                name.encode(), key, cert, [self.root_cert], encryption)
        path = folder / f"{name}.p12"
        path.write_bytes(data)
        return path

    def signer(self, p12: Path):
        """pyHanko's signer for one of these P12 files, as a third-party tool would load it."""
        from pyhanko.sign import signers

        return signers.SimpleSigner.load_pkcs12_data(p12.read_bytes(), other_certs=(),
                                                     passphrase=self.password_bytes)

    def timestamper(self):
        """pyHanko's test TSA (timeStamping extended key usage) issued by this root."""
        from asn1crypto import keys as asn1_keys
        from asn1crypto import x509 as asn1_x509
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import ExtendedKeyUsageOID
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # the test TSA is RSA-only
        cert = self.issue(key, "Agreements Test TSA", usage={"digital_signature"},
                          extended_usage=[ExtendedKeyUsageOID.TIME_STAMPING])
        return DummyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
            tsa_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption())))


def make_pki(folder: Path, password: str = "s3cret-pw") -> Pki:
    """Root CA + 乙方's leaf (digitalSignature, nonRepudiation) in a password-protected P12."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name("Contracts Test Root CA")
    root = (x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
            .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=30)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_usage(frozenset({"key_cert_sign", "crl_sign"})), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA256()))
    pki = Pki(root, root_key, folder / "party-b.p12", password)
    pki.make_p12(folder, "party-b")
    return pki


# --------------------------------------------------------------------------
# A full disk, faked at the OS boundary


def small_disk(monkeypatch, folder: Path, capacity: int) -> None:
    """From now on ``os.write`` into ``folder`` fails with ENOSPC beyond ``capacity`` bytes.

    The bytes already in the folder count, so the "disk" is shared by every process
    forked after this call (the contract workers) without any shared counter.
    """
    real_write = os.write

    def write(fd: int, data) -> int:
        try:
            target = Path(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            return real_write(fd, data)
        if target.parent == folder:
            used = sum(p.stat().st_size for p in folder.iterdir() if p.is_file() and p != target)
            if used + len(data) > capacity:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)


@contextlib.contextmanager
def serving(handler) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 (a free port) in a thread, for as long as the block runs;
    yields its base URL, ``http://127.0.0.1:PORT/``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def warnings_fail(request, logger_name: str, marker: str, what: str) -> Iterator[_Records]:
    """Record the warnings ``logger_name`` logs during a test; fail it if there are any, unless
    the test carries ``marker`` (it provokes them on purpose). Kept apart from the code under
    test's own log collectors, so the tests check the warnings independently."""
    import pytest

    records = _Records()
    logger = logging.getLogger(logger_name)
    logger.addHandler(records)
    try:
        yield records
    finally:
        logger.removeHandler(records)
    if records.records and marker not in request.keywords:
        messages = "; ".join(f"{r.levelname}: {r.getMessage()}" for r in records.records)
        pytest.fail(f"{what}: {messages}", pytrace=False)
