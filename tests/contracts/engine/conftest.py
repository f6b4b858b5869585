"""Fixtures for the PDF back end: the sample contract, a throwaway CA, a log guard."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import FIXTURES as _FIXTURES  # noqa: E402
from helpers import warnings_fail  # noqa: E402

FIXTURES = _FIXTURES / "pdf"
SAMPLE_CONTRACT = FIXTURES / "sample-contract.html"
SIGNATURE_IDS = ("sig-party-a", "sig-party-b")


# --------------------------------------------------------------------------
# WeasyPrint must stay silent: any warning it logs fails the test.


@pytest.fixture(autouse=True)
def fail_on_weasyprint_warnings(request):
    with warnings_fail(request, "weasyprint", "allow_weasyprint_warnings",
                       "WeasyPrint logged warnings") as records:
        yield records


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
    from generator.contracts.engine import pdf

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
    from generator.contracts.engine import pdf

    return pdf.write_pdf(sample_document, SAMPLE_METADATA)


@pytest.fixture(scope="session")
def sample_boxes(sample_document):
    from generator.contracts.engine import signature_fields

    return signature_fields.signature_boxes(sample_document, SIGNATURE_IDS)


# --------------------------------------------------------------------------
# A throwaway CA: root certificate and a signing leaf in a password-protected P12.


@pytest.fixture(scope="session")
def test_pki(tmp_path_factory):
    from helpers import make_pki

    return make_pki(tmp_path_factory.mktemp("pki"), password="correct horse battery staple")
