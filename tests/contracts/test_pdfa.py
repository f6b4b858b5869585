"""PDF/A-3b: every contract and version PDF passes `agreements pdfa-check` before and after
each signature (乙方's through the CLI, 甲方's with pyHanko as a customer's tool makes it), and
carries its provenance as an associated file dated from the sources."""

from __future__ import annotations

import io
import json
import re

import pikepdf
import pytest
import tamper
from contract_helpers import EXAMPLE_PDF_NAME

from generator.contracts import contract
from generator.contracts.pdfa_check import check_pdfa


def _check(cli, capsys, path, *options) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli("pdfa-check", str(path), *options)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def both_signed(signed_run, customer_signer, tmp_path_factory):
    path = tmp_path_factory.mktemp("pdfa-both") / EXAMPLE_PDF_NAME
    path.write_bytes(tamper.sign_as_customer(signed_run[0].read_bytes(), customer_signer, pdfa_aware=True))
    return path


def test_unsigned_contract_passes(cli, capsys, example_pdf_path):
    code, out, _ = _check(cli, capsys, example_pdf_path, "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["ok"], report["problems"]
    assert (report["part"], report["conformance"]) == ("3", "B")
    assert report["checked"]["annotations"] >= 2 and report["checked"]["associated files"] == 1


def test_passes_after_party_b_signs_with_its_chinese_stamp(cli, capsys, signed_run):
    code, out, err = _check(cli, capsys, signed_run[0])
    assert code == 0, out + err
    report = check_pdfa(signed_run[0].read_bytes())
    assert report.checked["fonts"] > 2   # the stamp's embedded CJK subset was looked at


def test_passes_after_party_a_signs_too(cli, capsys, both_signed):
    code, out, err = _check(cli, capsys, both_signed)
    assert code == 0, out + err


def test_a_stamp_in_a_font_that_is_not_embedded_fails(cli, capsys, signed_both_path, monkeypatch):
    """pyHanko's default stamp uses Courier without embedding it: the check says so."""
    monkeypatch.setenv("LANGUAGE", "en")
    code, out, err = _check(cli, capsys, signed_both_path)
    assert code == 1
    assert re.search(r"font /Courier\S* is not embedded", out), out
    assert "not PDF/A" in err


def test_version_pdf_passes_and_is_tagged(cli, capsys, generic_pdf_path):
    code, out, err = _check(cli, capsys, generic_pdf_path, "--format", "json")
    report = json.loads(out)
    assert code == 0, out + err
    assert (report["part"], report["conformance"]) == ("3", "A")   # PDF/A-3a: tagged
    with pikepdf.open(generic_pdf_path) as pdf:
        assert "/StructTreeRoot" in pdf.Root and pdf.Root.MarkInfo.Marked


def test_provenance_is_attached_and_dated_from_the_sources(example_pdf, example_customer):
    with pikepdf.open(io.BytesIO(example_pdf)) as pdf:
        (spec,) = pdf.Root.AF
        assert spec.AFRelationship == "/Data" and str(spec.UF) == "provenance.json"
        stream = spec.EF.F
        attached = json.loads(stream.read_bytes())
        info = {str(k)[1:]: str(v) for k, v in pdf.trailer.Info.items()}
        params = stream.Params
        assert str(params.ModDate) == str(params.CreationDate) == \
            "D:" + example_customer.version.date.replace("-", "") + "000000Z"
    assert attached == {k: v for k, v in info.items() if k not in ("Producer", "Title")}
    assert attached[contract.META_VERSION] == example_customer.version.date


@pytest.mark.parametrize("breakage, message", [
    (lambda pdf: pdf.Root.__delattr__("OutputIntents"), "output intent"),
    (lambda pdf: pdf.Root.__delattr__("Metadata"), "no XMP metadata"),
    (lambda pdf: setattr(pdf.trailer.Info, "Title", pikepdf.String("Other")), "differs from XMP"),
    (lambda pdf: setattr(pdf.Root.AcroForm.Fields[0], "F", 0), "not printed"),
    (lambda pdf: pdf.Root.AcroForm.Fields[0].__delattr__("AP"), "no normal appearance"),
    (lambda pdf: pdf.Root.AF[0].__delattr__("AFRelationship"), "lacks /AFRelationship"),
    (lambda pdf: setattr(pdf.Root, "OpenAction", pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))), "JavaScript"),
])
def test_each_rule_catches_its_breakage(example_pdf, breakage, message, monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")
    with pikepdf.open(io.BytesIO(example_pdf)) as pdf:
        breakage(pdf)
        out = io.BytesIO()
        pdf.save(out)
    report = check_pdfa(out.getvalue())
    assert not report.ok and any(message in p for p in report.problems), report.problems
