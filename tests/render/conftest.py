"""Fixtures for the PDF back end: the sample contract, a throwaway CA, a log guard."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "pdf"
SAMPLE_CONTRACT = FIXTURES / "sample-contract.html"
SIGNATURE_IDS = ("sig-party-a", "sig-party-b")


# --------------------------------------------------------------------------
# WeasyPrint must stay silent: any warning it logs fails the test.


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def fail_on_weasyprint_warnings(request):
    recorder = _Recorder()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(recorder)
    try:
        yield recorder
    finally:
        logger.removeHandler(recorder)
    if recorder.records and "allow_weasyprint_warnings" not in request.keywords:
        messages = "\n".join(f"{r.levelname}: {r.getMessage()}" for r in recorder.records)
        pytest.fail(f"WeasyPrint logged warnings:\n{messages}", pytrace=False)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "allow_weasyprint_warnings: the test provokes WeasyPrint warnings on purpose")


# --------------------------------------------------------------------------
# The sample contract, rendered once per session (layout takes ~0.3 s).


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def signature_ids() -> tuple[str, ...]:
    return SIGNATURE_IDS


@pytest.fixture(scope="session")
def sample_metadata() -> dict[str, str]:
    return dict(SAMPLE_METADATA)


@pytest.fixture(scope="session")
def sample_html() -> str:
    return SAMPLE_CONTRACT.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def sample_document(sample_html):
    from generator.render import pdf

    return pdf.render(sample_html, base_url=FIXTURES.as_uri() + "/")


SAMPLE_METADATA = {
    "AgreementVersion": "3.2.0",
    "SourceSHA256": "a" * 64,
    "ValuesSHA256": "b" * 64,
    "ContractNumber": "XYZ",
    "GeneratorVersion": "0.1.0",
}


@pytest.fixture(scope="session")
def sample_pdf(sample_document) -> bytes:
    from generator.render import pdf

    return pdf.write_pdf(sample_document, SAMPLE_METADATA)


@pytest.fixture(scope="session")
def sample_boxes(sample_document):
    from generator.render import pdf

    return pdf.signature_boxes(sample_document, SIGNATURE_IDS)


# --------------------------------------------------------------------------
# A throwaway CA: root certificate and a signing leaf in a password-protected P12.


@dataclass(frozen=True)
class Pki:
    root_cert: x509.Certificate
    leaf_cert: x509.Certificate
    p12_path: Path
    password: bytes

    @property
    def root_asn1(self):
        from asn1crypto import x509 as asn1_x509

        return asn1_x509.Certificate.load(self.root_cert.public_bytes(serialization.Encoding.DER))


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "知数云 Test"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


@pytest.fixture(scope="session")
def test_pki(tmp_path_factory) -> Pki:
    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name("Agreements Test Root CA")
    root_cert = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False),
            critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )

    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("乙方 Test Signer"))
        .issuer_name(root_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False),
            critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )

    password = b"correct horse battery staple 7f3a"
    p12 = pkcs12.serialize_key_and_certificates(
        name=b"party-b", key=leaf_key, cert=leaf_cert, cas=[root_cert],
        encryption_algorithm=serialization.BestAvailableEncryption(password))
    p12_path = tmp_path_factory.mktemp("pki") / "party-b.p12"
    p12_path.write_bytes(p12)
    return Pki(root_cert, leaf_cert, p12_path, password)
