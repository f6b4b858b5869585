"""Fixtures for the contract tests: the example contract rendered once per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from contract_helpers import (EXAMPLE, EXAMPLE_PDF_NAME, ROOT, VERSION, own_pages,  # noqa: E402
                              shared_pages_drawn, pdftotext_pages)
from helpers import copy_site_project, make_pki  # noqa: E402


@pytest.fixture(scope="session")
def project():
    from generator.content.project import load_project

    return load_project(ROOT)


@pytest.fixture(scope="session")
def example_customer(project):
    from generator.contracts.customers import load_customer

    return load_customer(EXAMPLE, project)


@pytest.fixture(scope="session")
def contract_root(tmp_path_factory) -> Path:
    """A copy of the project for the commands that write contracts: each run records its
    contracts in the project's register (out/register.sqlite), which must not be the checkout's."""
    return copy_site_project(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="session")
def example_pdf_path(tmp_path_factory, contract_root) -> Path:
    """The example contract, written by the CLI as a user would."""
    from generator.cli import main

    out = tmp_path_factory.mktemp("example-contract")
    assert main(["--root", str(contract_root), "contract", str(EXAMPLE), "--out", str(out)]) == 0
    path = out / EXAMPLE_PDF_NAME
    assert path.is_file()
    return path


@pytest.fixture(scope="session")
def generic_pdf_path(tmp_path_factory) -> Path:
    """The version's generic PDF (no customer), written by `agreements pdf` as a user would."""
    from generator.cli import main

    out = tmp_path_factory.mktemp("generic-pdf")
    assert main(["--root", str(ROOT), "pdf", VERSION, "--out", str(out)]) == 0
    return out / f"{VERSION}.pdf"


@pytest.fixture(scope="session")
def example_pdf(example_pdf_path) -> bytes:
    return example_pdf_path.read_bytes()


@pytest.fixture(scope="session")
def example_pages(example_pdf_path) -> list[str]:
    return pdftotext_pages(example_pdf_path)


@pytest.fixture(scope="session")
def shared_page_count(example_pdf, example_pages) -> int:
    """Pages every customer of the example's version shares, which the fast path draws as forms."""
    shared = [index for index in range(len(example_pages)) if index not in own_pages(example_pages)]
    assert len(shared) >= 5 and shared_pages_drawn(example_pdf) == shared
    return len(shared)


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def cli(contract_root):
    """``cli("contract", file, "--out", dir)`` → exit code; output via capsys/capfd."""
    from generator.cli import main

    def run_cli(*args: str) -> int:
        return main(["--root", str(contract_root), *args])

    return run_cli


@pytest.fixture(scope="session")
def signed_run(pki, tmp_path_factory, cli):
    """The example contract signed for 乙方 through the CLI: (path, exit code, stdout, stderr)."""
    import contextlib
    import io

    out = tmp_path_factory.mktemp("signed")
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(stdout), \
            contextlib.redirect_stderr(stderr):
        mp.setenv("AGREEMENTS_P12_PASSWORD", pki.password)
        code = cli("contract", str(EXAMPLE), "--out", str(out), "--sign-p12", str(pki.p12_path))
    return out / EXAMPLE_PDF_NAME, code, stdout.getvalue(), stderr.getvalue()


# --------------------------------------------------------------------------- signing and verify


@pytest.fixture(scope="session")
def customer_signer(pki, tmp_path_factory):
    """甲方's own key (from the same test CA), loaded by pyHanko as the customer's tool would."""
    return pki.signer(pki.make_p12(tmp_path_factory.mktemp("party-a"), "party-a",
                                   common="甲方 Customer Signer"))


@pytest.fixture(scope="session")
def signed_both_path(signed_run, customer_signer, tmp_path_factory) -> Path:
    """The contract 乙方 signed through the CLI, then signed by 甲方 in ``PartyA`` with pyHanko."""
    from tamper import sign_as_customer

    path = tmp_path_factory.mktemp("signed-both") / EXAMPLE_PDF_NAME
    path.write_bytes(sign_as_customer(signed_run[0].read_bytes(), customer_signer))
    return path


@pytest.fixture(scope="session")
def trust_root(pki, tmp_path_factory) -> Path:
    return pki.root_pem(tmp_path_factory.mktemp("trust"))


@pytest.fixture(scope="session")
def tsa_url(pki):
    """An RFC 3161 time-stamping authority on 127.0.0.1 for the whole session."""
    from tamper import tsa_server

    with tsa_server(pki.timestamper()) as url:
        yield url


@pytest.fixture
def verify(capfd, cli):
    """``verify(path, *options)`` → (exit code, stdout, stderr), run as a user would."""
    def run(path, *options: str) -> tuple[int, str, str]:
        capfd.readouterr()
        code = cli("verify", str(path), *options)
        out, err = capfd.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    return run


@pytest.fixture(scope="session")
def timestamped_path(pki, tsa_url, tmp_path_factory, cli) -> Path:
    """The example contract signed for 乙方 through the CLI with a timestamp (PAdES B-T)."""
    out = tmp_path_factory.mktemp("timestamped")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AGREEMENTS_P12_PASSWORD", pki.password)
        assert cli("contract", str(EXAMPLE), "--out", str(out), "--sign-p12", str(pki.p12_path),
                       "--tsa", tsa_url) == 0
    return out / EXAMPLE_PDF_NAME
