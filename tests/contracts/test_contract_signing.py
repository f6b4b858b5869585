"""乙方 signs through the CLI with a P12 whose password comes only from the environment."""

from __future__ import annotations

import io
import re

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from contract_helpers import EXAMPLE, pdftotext_pages

VARIABLE = "AGREEMENTS_P12_PASSWORD"


def test_signed_contract_is_valid_and_trusted(signed_run, pki):
    path, code, stdout, stderr = signed_run
    assert code == 0, stderr
    assert "乙方 signed" in stdout
    reader = PdfFileReader(io.BytesIO(path.read_bytes()))
    [signature] = reader.embedded_signatures
    assert signature.field_name == "PartyB"
    context = ValidationContext(trust_roots=[pki.root_asn1], allow_fetching=False)
    status = validate_pdf_signature(signature, context)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.coverage is not None


def test_party_a_stays_open(signed_run):
    path = signed_run[0]
    reader = PdfFileReader(io.BytesIO(path.read_bytes()))
    filled = {name: value is not None for name, value, _ in enumerate_sig_fields(reader)}
    assert filled == {"PartyA": False, "PartyB": True}


def test_signing_keeps_the_contract_text(signed_run, example_pdf):
    """Signing only adds the stamp in 乙方's box, in an incremental update."""
    from generator.contracts.verify import page_texts

    signed = page_texts(signed_run[0].read_bytes())
    stamp = re.compile(r"DigitallysignedTime:\d{4}-\d\d-\d\d\d\d:\d\d:\d\dUTC")
    assert len(stamp.findall(signed[-1])) == 1
    assert [stamp.sub("", page) for page in signed] == page_texts(example_pdf)
    assert signed_run[0].read_bytes().startswith(example_pdf)


def test_signature_stamp_is_legible(signed_run):
    last = pdftotext_pages(signed_run[0])[-1]
    assert "þÿ" not in last and "¹" not in last


def test_password_never_printed_when_signing(signed_run, pki):
    _, _, stdout, stderr = signed_run
    assert pki.password not in stdout and pki.password not in stderr


def test_missing_password_variable(cli, pki, tmp_path, capfd, monkeypatch):
    monkeypatch.delenv(VARIABLE, raising=False)
    out = tmp_path / "out"
    assert cli("contract", str(EXAMPLE), "--out", str(out), "--sign-p12", str(pki.p12_path)) == 1
    captured = capfd.readouterr()
    assert VARIABLE in captured.err
    assert "Traceback" not in captured.err
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_wrong_password(cli, pki, tmp_path, capfd, monkeypatch, debug):
    wrong = "wrong-pw-Zq81"
    monkeypatch.setenv(VARIABLE, wrong)
    out = tmp_path / "out"
    args = ["--debug"] if debug else []
    code = cli(*args, "contract", str(EXAMPLE), "--out", str(out), "--sign-p12", str(pki.p12_path))
    captured = capfd.readouterr()
    assert code == 1
    assert pki.p12_path.name in captured.err
    for secret in (wrong, pki.password):
        assert secret not in captured.err and secret not in captured.out
    if not debug:
        assert "Traceback" not in captured.err
    assert not out.exists() or not any(out.iterdir())


def test_missing_p12_file(cli, tmp_path, capfd, monkeypatch, pki):
    monkeypatch.setenv(VARIABLE, pki.password)
    out = tmp_path / "out"
    assert cli("contract", str(EXAMPLE), "--out", str(out), "--sign-p12", str(tmp_path / "nope.p12")) == 1
    captured = capfd.readouterr()
    assert "nope.p12" in captured.err and "Traceback" not in captured.err
    assert pki.password not in captured.err + captured.out
    assert not out.exists() or not any(out.iterdir())
