"""Sheet guards (issue 18, item 4): the example row never becomes a contract, notes columns are
kept but never printed, and 附录一 is filled only for the service that needs it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from contract_helpers import body_text, customer_yaml, pdftotext_pages
from sheet_helpers import example_row, write_csv, write_workbook

SMS_ONLY = dict(services=["sms", "recharge"])
NOT_APPLICABLE = "不适用（甲方未开通信息查询核验类接口）"


def appendix_one(text: str, project) -> str:
    """What stands between 附录一's title and 附录二's label."""
    version = project.version("2021-12-20")
    start = text.index(version.consent.title) + len(version.consent.title)
    return text[start:text.index(version.prohibited.title, start)]


def load(project, path: Path):
    from generator.contracts.export import load_customers

    return load_customers([path], project)


def refused(project, path: Path) -> list[str]:
    from generator.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as info:
        load(project, path)
    return [str(e) for e in info.value.errors]


def sms_only_file(tmp_path: Path) -> Path:
    data = yaml.safe_load(customer_yaml(**SMS_ONLY))
    del data["consent"]
    path = tmp_path / "sms-only.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("writer", [write_csv, write_workbook])
def test_an_example_row_is_refused_with_its_row_number(project, tmp_path, writer, monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")
    rows = [example_row(客户编号="acme"), example_row(客户编号="示例-lanzhou-data")]
    path = writer(tmp_path / f"c{'.csv' if writer is write_csv else '.xlsx'}", rows)
    [message] = refused(project, path)
    assert ":3: 客户编号 (id): this is the template's example row" in message.replace("客户!3", "3")


def test_a_notes_column_is_kept_with_the_customer_and_never_printed(project, tmp_path):
    from generator.contracts.contract import contract_html
    from generator.content.config import load_config

    path = write_workbook(tmp_path / "c.xlsx", [example_row(备注="老客户续签，王经理跟进")])
    [customer] = load(project, path)
    assert customer.notes == (("备注", "老客户续签，王经理跟进"),)
    plain = load(project, write_workbook(tmp_path / "plain.xlsx", [example_row()]))[0]
    assert customer.values_sha256 == plain.values_sha256  # the contract does not depend on notes
    html = contract_html(project.root, load_config(project.root), customer.version, customer)
    assert "王经理" not in html


def test_a_misspelt_header_is_refused_not_kept_as_a_note(project, tmp_path, monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")
    row = example_row(最终信息源名称=None)
    row["最终信息源"] = "某某数据服务有限公司"
    [message, *_] = refused(project, write_csv(tmp_path / "c.csv", [row]))
    assert "unknown column “最终信息源” (column O), close to 最终信息源名称" in message


def test_consent_values_for_a_customer_without_verification_are_refused(project, tmp_path, monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")
    path = tmp_path / "c.yml"
    path.write_text(customer_yaml(**SMS_ONLY), encoding="utf-8")
    [message] = refused(project, path)
    assert ": consent: 附录一 applies only to the 信息查询核验类接口 service" in message


def test_a_sheet_row_without_verification_needs_no_consent_columns(project, tmp_path):
    row = example_row(开通服务="短信类接口", 核验目的=None, 个人信息字段=None, 最终信息源名称=None)
    [customer] = load(project, write_csv(tmp_path / "c.csv", [row]))
    assert customer.values == {} and not customer.consent_applies


@pytest.fixture(scope="module")
def sms_contract(tmp_path_factory):
    """An sms-only customer's contract, written and verified through the CLI as sales would."""
    from generator.cli import main
    from helpers import copy_site_project

    root = copy_site_project(tmp_path_factory.mktemp("project"))
    work = tmp_path_factory.mktemp("sms")
    source = sms_only_file(work)
    out = work / "out"
    assert main(["--root", str(root), "contract", str(source), "--out", str(out)]) == 0
    [pdf] = out.glob("*.pdf")
    return root, source, pdf


def test_the_contract_prints_not_applicable_for_appendix_one(sms_contract, project):
    import pikepdf

    _root, _source, pdf = sms_contract
    text = body_text(pdftotext_pages(pdf)).replace("\n", "")
    assert appendix_one(text, project).replace("附录二", "").strip() == NOT_APPLICABLE
    with pikepdf.open(pdf) as document:
        assert str(document.docinfo["/Appendix1"]) == "not-applicable"


def test_the_not_applicable_contract_verifies(sms_contract):
    from generator.cli import main

    root, _source, pdf = sms_contract
    assert main(["--root", str(root), "verify", str(pdf)]) == 0


def test_the_word_copy_says_not_applicable_too(sms_contract, tmp_path, project):
    from docx import Document

    from generator.cli import main

    root, source, _pdf = sms_contract
    assert main(["--root", str(root), "contract", str(source), "--out", str(tmp_path), "--format", "docx"]) == 0
    [docx] = tmp_path.glob("*.docx")
    text = "".join(p.text for p in Document(docx).paragraphs)
    assert appendix_one(text, project).replace("附录二", "") == NOT_APPLICABLE


def test_consent_command_refuses_a_customer_it_does_not_apply_to(sms_contract, capsys, monkeypatch):
    from generator.cli import main

    monkeypatch.setenv("LANGUAGE", "en")
    root, source, _pdf = sms_contract
    assert main(["--root", str(root), "consent", str(source)]) == 1
    assert "附录一 does not apply to this customer" in capsys.readouterr().err
