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
    assert "乙方已签名" in stdout or "乙方 signed" in stdout  # a shared fixture: the shell's language
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
    stamp = re.compile(r"签署方：北京静觅网络科技有限公司签署时间：\d{4}年\d{1,2}月\d{1,2}日\d\d:\d\d（北京时间）")
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


# --------------------------------------------------------------------------- refusals


def _refused(cli, capfd, tmp_path, *args) -> str:
    """Run `contract` with ``args``; it must fail cleanly and write nothing."""
    out = tmp_path / "out"
    capfd.readouterr()
    code = cli("contract", str(EXAMPLE), "--out", str(out), *args)
    captured = capfd.readouterr()
    assert code == 1, captured.out + captured.err
    assert "Traceback" not in captured.err
    assert not out.exists() or not any(out.iterdir())
    return captured.err


@pytest.mark.parametrize(("kind", "options", "message"), [
    ("expired", {"days": (-3, -1)}, "expired on"),
    ("not-yet-valid", {"days": (1, 3)}, "is not valid yet"),
    ("encipherment-only", {"usage": {"key_encipherment"}},
     "does not allow digitalSignature and nonRepudiation"),
    ("no-non-repudiation", {"usage": {"digital_signature"}}, "does not allow nonRepudiation"),
    ("mismatched-key", {"mismatched_key": True}, "does not match any of its certificates"),
])
def test_unfit_keys_are_refused_before_anything_is_written(cli, capfd, pki, tmp_path, monkeypatch,
                                                          kind, options, message):
    p12 = pki.make_p12(tmp_path, kind, **options)
    monkeypatch.setenv(VARIABLE, pki.password)
    err = _refused(cli, capfd, tmp_path, "--sign-p12", str(p12))
    assert message in err and p12.name in err
    assert pki.password not in err


def test_allow_draft_cannot_be_combined_with_signing(cli, capfd, pki, tmp_path, monkeypatch):
    monkeypatch.setenv(VARIABLE, pki.password)
    err = _refused(cli, capfd, tmp_path, "--sign-p12", str(pki.p12_path), "--allow-draft")
    assert "--allow-draft" in err and "never signed" in err


def test_drafts_are_never_signed_through_the_api(project, pki, tmp_path):
    """Whoever calls export_contracts directly: a draft customer with a signer is refused."""
    from generator.contracts import export
    from generator.contracts.customers import load_customer
    from generator.errors import AgreementsError

    draft = next(v for v in project.versions if v.is_draft)
    source = tmp_path / "draft.yml"
    source.write_text(EXAMPLE.read_text(encoding="utf-8").replace(
        "version: 2021-12-20", f"version: {draft.date}"), encoding="utf-8")
    customer = load_customer(source, project, allow_draft=True)
    signing = export.Signing(pki.p12_path, pki.signer(pki.p12_path))
    with pytest.raises(AgreementsError, match="is a draft and cannot be signed"):
        export.export_contracts(project, [customer], tmp_path / "out", signing=signing, workers=1)
    assert not (tmp_path / "out").exists()


def test_tsa_needs_a_signing_key(cli, capfd, tmp_path):
    err = _refused(cli, capfd, tmp_path, "--tsa", "http://127.0.0.1:9/")
    assert "--tsa" in err and "--sign-p12" in err


def test_unreachable_tsa_stops_the_batch_before_anything_is_written(cli, capfd, pki, tmp_path,
                                                                   monkeypatch):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/tsa"
    monkeypatch.setenv(VARIABLE, pki.password)
    err = _refused(cli, capfd, tmp_path, "--sign-p12", str(pki.p12_path), "--tsa", url)
    assert "--tsa" in err and url in err


def test_timestamped_signature_is_pades_b_t(timestamped_path, pki):
    """pyHanko's validator, independently of `verify`, finds a valid, trusted timestamp token."""
    reader = PdfFileReader(io.BytesIO(timestamped_path.read_bytes()))
    [signature] = reader.embedded_signatures
    context = ValidationContext(trust_roots=[pki.root_asn1], allow_fetching=False)
    status = validate_pdf_signature(signature, context)
    assert status.bottom_line, status.pretty_print_details()
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted


# These tests assert messages in English, the msgids (tests/test_i18n.py checks the Chinese).
pytestmark = pytest.mark.usefixtures("english_messages")
