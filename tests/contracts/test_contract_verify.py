"""`agreements verify`: genuine contracts pass, altered text or provenance does not."""

from __future__ import annotations

import io
import json

import pypdf
import pytest

from contract_helpers import customer_yaml


def _with_metadata(data: bytes, changes: dict[str, str]) -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    writer.add_metadata({f"/{k}": v for k, v in changes.items()})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _verify(cli, capfd, path):
    capfd.readouterr()
    code = cli("verify", str(path))
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def test_genuine_contract(cli, capfd, example_pdf_path):
    code, out, err = _verify(cli, capfd, example_pdf_path)
    assert code == 0, out + err
    assert "version:  2021-12-20" in out
    assert "contract: ZSY-2026-0001" in out
    assert "customer: 上海澜舟数据科技有限公司" in out
    assert "genuine" in out and "NOT" not in out + err


def test_signed_contract_is_genuine(cli, capfd, signed_run):
    code, out, err = _verify(cli, capfd, signed_run[0])
    assert code == 0, out + err


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
    assert "problem:" in out and "page 1" in out


def test_edited_customer_values(cli, capfd, example_pdf, meta, tmp_path):
    values = json.loads(meta["CustomerValues"])
    values["company"] = "别的公司有限公司"
    path = tmp_path / "edited.pdf"
    path.write_bytes(_with_metadata(example_pdf, {"CustomerValues": json.dumps(values, ensure_ascii=False)}))
    code, out, err = _verify(cli, capfd, path)
    assert code == 1 and "NOT genuine" in err
    assert "SHA-256" in out  # the values no longer match their digest


@pytest.mark.parametrize("key", ["SourceSHA256", "ValuesSHA256"])
def test_altered_digest(cli, capfd, example_pdf, meta, tmp_path, key):
    path = tmp_path / "altered.pdf"
    path.write_bytes(_with_metadata(example_pdf, {key: "0" * 64}))
    code, out, err = _verify(cli, capfd, path)
    assert code == 1 and "NOT genuine" in err
    assert "SHA-256" in out


def test_pdf_without_provenance(cli, capfd, tmp_path):
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    path = tmp_path / "plain.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    code, out, err = _verify(cli, capfd, path)
    assert code == 1
    assert "no provenance" in err and "plain.pdf" in err


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


def test_unknown_version_in_provenance(cli, capfd, example_pdf, tmp_path):
    path = tmp_path / "unknown-version.pdf"
    path.write_bytes(_with_metadata(example_pdf, {"AgreementVersion": "2019-01-01"}))
    code, out, err = _verify(cli, capfd, path)
    assert code == 1
    assert "2019-01-01" in err


def test_changed_templates_are_named_as_the_reason(capfd, example_pdf_path, tmp_path):
    """A template edit after the fact: the verdict says so instead of only "the text differs"."""
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
    # Only a colour changed: the text still matches, and the verdict notes the change.
    assert main(["--root", str(copy), "verify", str(example_pdf_path)]) == 0
    out = capfd.readouterr().out
    assert "note:" in out and "LayoutSHA256 mismatch" in out and "genuine" in out
    # A template change that moves text: not genuine, and the note says why.
    template = copy / "templates" / "pdf" / "contract.html.j2"
    template.write_text(template.read_text(encoding="utf-8").replace("（以下无正文）", "（以下空白）"),
                        encoding="utf-8")
    assert main(["--root", str(copy), "verify", str(example_pdf_path)]) == 1
    out = capfd.readouterr().out
    assert "LayoutSHA256 mismatch" in out and "problem:" in out


def test_layout_digest_is_in_the_metadata(meta, project):
    from generator.contracts.contract import layout_digest

    assert meta["LayoutSHA256"] == layout_digest(project.root)


def test_customer_values_that_do_not_fit_the_version_are_not_genuine(cli, capfd, example_pdf, meta, tmp_path):
    values = json.loads(meta["CustomerValues"])
    del values["consent"]["purpose"]
    altered = tmp_path / "altered.pdf"
    altered.write_bytes(_with_metadata(example_pdf, {"CustomerValues": json.dumps(values, ensure_ascii=False)}))
    code, out, err = _verify(cli, capfd, altered)
    assert code == 1
    assert "consent" in out and "purpose" in out and "NOT genuine" in err
