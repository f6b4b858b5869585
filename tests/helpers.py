"""Shared helpers for the content and CLI tests: the real project, copies of it, the CLI."""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import reference
from reference import REFERENCE  # noqa: F401 - re-exported for the tests

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
GOOD_MINIMAL = FIXTURES / "good" / "minimal"
BAD = FIXTURES / "bad"
VERSION = "2021-12-20"
VERSION_DIR = Path("content") / "versions" / VERSION


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
    """A copy of the repository's project; ``draft`` unpublishes it and drops the lock."""
    copy_project(ROOT, dest)
    if draft:
        version_file = dest / VERSION_DIR / "version.yml"
        text = version_file.read_text(encoding="utf-8")
        assert "status: published" in text
        version_file.write_text(text.replace("status: published", "status: draft"), encoding="utf-8")
        (dest / "content" / "published.lock.json").unlink()
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


@dataclass(frozen=True)
class Pki:
    root_cert: object  # cryptography x509.Certificate
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


def make_pki(folder: Path, password: str = "s3cret-pw") -> Pki:
    """Root CA + leaf (digitalSignature, nonRepudiation) in a password-protected P12."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Agreements Test"),
                          x509.NameAttribute(NameOID.COMMON_NAME, common)])

    def usage(**on) -> x509.KeyUsage:
        flags = dict(digital_signature=False, content_commitment=False, key_encipherment=False,
                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                     crl_sign=False, encipher_only=False, decipher_only=False)
        flags.update(on)
        return x509.KeyUsage(**flags)

    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = name("Contracts Test Root CA")
    root = (x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
            .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(usage(key_cert_sign=True, crl_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA256()))
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder().subject_name(name("乙方 Contracts Signer")).issuer_name(root_name)
            .public_key(leaf_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage(digital_signature=True, content_commitment=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                           critical=False)
            .sign(root_key, hashes.SHA256()))
    p12 = pkcs12.serialize_key_and_certificates(
        name=b"party-b", key=leaf_key, cert=leaf, cas=[root],
        encryption_algorithm=serialization.BestAvailableEncryption(password.encode()))
    path = folder / "party-b.p12"
    path.write_bytes(p12)
    return Pki(root, path, password)


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
