"""`agreements verify`: what the provenance claims, and what this checkout can vouch for.

Altered provenance is "altered" (exit 1); a contract made from other sources
is "cannot decide" (exit 3), never "altered"; one made by another generator or
from other templates has its content checked instead of its bytes: "content
matches, layout not checked" (exit 4) unless its text, numbering or bold differ.
The tamper cases are in test_verify_tamper.py, genuine ones in test_verify_genuine.py.
"""

from __future__ import annotations

import io
import json

import pypdf
import pytest

from contract_helpers import customer_yaml


from tamper import with_metadata as _with_metadata


def _verify(cli, capfd, path):
    capfd.readouterr()
    code = cli("verify", str(path))
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def meta(example_pdf) -> dict[str, str]:
    info = pypdf.PdfReader(io.BytesIO(example_pdf)).metadata
    return {k.lstrip("/"): str(v) for k, v in info.items()}


def test_altered_text_with_copied_provenance(cli, capfd, project, example_pdf, meta, tmp_path):
    """Another company's contract dressed in this contract's provenance."""
    from generator.contracts.customers import load_customer
    from generator.contracts.contract import render_pdf

    source = tmp_path / "other.yml"
    source.write_text(customer_yaml(company="上海澜舟数据科技有限责任公司"), encoding="utf-8")
    other = load_customer(source, project)
    forged = render_pdf(project.root, project.config, other.version, other)
    keys = ("AgreementVersion", "SourceSHA256", "ValuesSHA256", "ContractNumber", "CustomerValues")
    path = tmp_path / "forged.pdf"
    path.write_bytes(_with_metadata(forged, {k: meta[k] for k in keys}))
    code, out, err = _verify(cli, capfd, path)
    assert code == 1
    assert "NOT genuine" in err
    assert "[fail] rebuild" in out and "the text of page 1 differs" in out


def test_edited_customer_values(cli, capfd, example_pdf, meta, tmp_path):
    values = json.loads(meta["CustomerValues"])
    values["company"] = "别的公司有限公司"
    path = tmp_path / "edited.pdf"
    path.write_bytes(_with_metadata(example_pdf, {"CustomerValues": json.dumps(values, ensure_ascii=False)}))
    code, out, err = _verify(cli, capfd, path)
    assert code == 1 and "NOT genuine" in err
    assert "SHA-256" in out  # the values no longer match their digest


def test_altered_values_digest(cli, capfd, example_pdf, tmp_path):
    path = tmp_path / "altered.pdf"
    path.write_bytes(_with_metadata(example_pdf, {"ValuesSHA256": "0" * 64}))
    code, out, err = _verify(cli, capfd, path)
    assert code == 1 and "NOT genuine" in err
    assert "[fail] provenance" in out and "SHA-256" in out


def test_other_sources_cannot_be_decided(cli, capfd, example_pdf, tmp_path):
    """Other sources of the version (an earlier draft?): this checkout cannot vouch either way."""
    path = tmp_path / "other-sources.pdf"
    path.write_bytes(_with_metadata(example_pdf, {"SourceSHA256": "0" * 64}))
    code, out, err = _verify(cli, capfd, path)
    assert code == 3 and "cannot decide" in err
    assert "[undecided] provenance" in out and "other sources of version 2021-12-20" in out
    assert "[fail]" not in out


def test_pdf_without_provenance(cli, capfd, tmp_path):
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    path = tmp_path / "plain.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    code, out, err = _verify(cli, capfd, path)
    assert code == 1
    assert "no provenance" in out and "plain.pdf" in err


def test_not_a_pdf(cli, capfd, tmp_path):
    path = tmp_path / "notes.pdf"
    path.write_text("hello", encoding="utf-8")
    code, out, err = _verify(cli, capfd, path)
    assert code == 1 and "notes.pdf" in err


@pytest.mark.parametrize("values", ["not json", '{"company": "x"}', "[]"],
                         ids=["not-json", "incomplete", "not-an-object"])
def test_corrupt_customer_values_is_a_clean_error(cli, capfd, example_pdf, tmp_path, values):
    path = tmp_path / "corrupt.pdf"
    path.write_bytes(_with_metadata(example_pdf, {"CustomerValues": values}))
    code, out, err = _verify(cli, capfd, path)
    assert code == 1
    assert "corrupt.pdf" in err


def test_unknown_version_cannot_be_decided(cli, capfd, example_pdf, tmp_path):
    path = tmp_path / "unknown-version.pdf"
    path.write_bytes(_with_metadata(example_pdf, {"AgreementVersion": "2019-01-01"}))
    code, out, err = _verify(cli, capfd, path)
    assert code == 3 and "cannot decide" in err
    assert "2019-01-01" in out and "checkout that has this version" in out


def test_changed_templates_have_the_content_checked(capfd, example_pdf_path, tmp_path):
    """A template edit after the fact: the content is checked instead of the bytes, naming the
    templates; "altered" only when the text itself changed."""
    import shutil

    from contract_helpers import ROOT
    from generator.cli import main

    copy = tmp_path / "project"
    for name in ("content", "templates"):
        shutil.copytree(ROOT / name, copy / name)
    shutil.copy2(ROOT / "site_config.yml", copy / "site_config.yml")
    css = copy / "templates" / "pdf" / "contract.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.fill-note { color: #000; }\n", encoding="utf-8")
    capfd.readouterr()
    # Only a colour changed: the content still matches, and the report says which check ran.
    assert main(["--root", str(copy), "verify", str(example_pdf_path)]) == 4
    out = capfd.readouterr().out
    assert "[warn] generator" in out and "LayoutSHA256 mismatch" in out
    assert "[pass] rebuild: content-level check" in out and "[fail]" not in out
    assert "[unchecked] layout: content matches, layout not checked: 乙方 did not sign it" in out
    # A template change that changes the text: the content check fails, naming it.
    template = copy / "templates" / "pdf" / "contract.html.j2"
    template.write_text(template.read_text(encoding="utf-8").replace("（以下无正文）", "（以下空白）"),
                        encoding="utf-8")
    assert main(["--root", str(copy), "verify", str(example_pdf_path)]) == 1
    out = capfd.readouterr().out
    assert "[fail] rebuild: the content is not the contract its provenance names: the text " \
           "differs" in out and "以下无正文" in out


def test_another_generator_has_its_content_checked_and_is_named(cli, capfd, example_pdf, tmp_path):
    """A contract from an earlier generator is never called altered; the report names it."""
    path = tmp_path / "older.pdf"
    path.write_bytes(_with_metadata(example_pdf, {"GeneratorVersion": "0.0.9",
                                                  "GeneratorSHA256": "ab" * 32}))
    code, out, err = _verify(cli, capfd, path)
    assert code == 4 and "[fail]" not in out
    assert "made by agreements 0.0.9 (code abababababab)" in out
    assert "GeneratorSHA256 mismatch" in out


def test_fingerprints_are_in_the_metadata(meta, project):
    from generator.contracts.contract import layout_digest
    from generator.fingerprint import code_digest, system_digest

    assert meta["LayoutSHA256"] == layout_digest(project.root)
    assert meta["GeneratorSHA256"] == code_digest()
    assert meta["SystemSHA256"] == system_digest()


def test_customer_values_that_do_not_fit_the_version_are_not_genuine(cli, capfd, example_pdf, meta, tmp_path):
    values = json.loads(meta["CustomerValues"])
    del values["consent"]["purpose"]
    altered = tmp_path / "altered.pdf"
    altered.write_bytes(_with_metadata(example_pdf, {"CustomerValues": json.dumps(values, ensure_ascii=False)}))
    code, out, err = _verify(cli, capfd, altered)
    assert code == 1
    assert "consent" in out and "purpose" in out and "NOT genuine" in err


# These tests assert messages in English, the msgids (tests/test_i18n.py checks the Chinese).
pytestmark = pytest.mark.usefixtures("english_messages")
