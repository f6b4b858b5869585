"""`agreements customer-sheet`: a template workbook that the contract command accepts as it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from helpers import ROOT
from sheet_helpers import ISSUE_HEADERS, libreoffice_convert


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    from generator.cli import main

    path = tmp_path_factory.mktemp("template") / "customers.xlsx"
    assert main(["--root", str(ROOT), "customer-sheet", "-o", str(path)]) == 0
    return path


def test_headers_and_example_row(template):
    sheet = load_workbook(template)["客户"]
    assert [c.value for c in sheet[1]] == list(ISSUE_HEADERS)
    example = dict(zip(ISSUE_HEADERS, (c.value for c in sheet[2])))
    assert example["客户编号"] == "示例-lanzhou-data" and example["联系电话"] == "13800000000"
    assert sheet.max_row == 2
    assert not sheet.row_dimensions[2].hidden  # marked for the eye, never hidden
    assert {c.fill.fgColor.rgb for c in sheet[2]} == {"FFFFF2CC"}


def test_identifier_columns_are_text(template):
    sheet = load_workbook(template)["客户"]
    letters = {h: c.column_letter for h, c in zip(ISSUE_HEADERS, sheet[1])}
    for header in ("客户编号", "统一社会信用代码", "联系电话", "合同编号", "协议版本"):
        assert sheet.column_dimensions[letters[header]].number_format == "@", header
        assert sheet[f"{letters[header]}2"].number_format == "@", header
    assert sheet.column_dimensions[letters["签订日期"]].number_format == "yyyy-mm-dd"


def test_drop_down_lists(template, project):
    sheet = load_workbook(template)["客户"]
    letters = {h: c.column_letter for h, c in zip(ISSUE_HEADERS, sheet[1])}
    lists = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    services = lists[f"{letters['开通服务']}2:{letters['开通服务']}1001"]
    assert services.type == "list"
    assert services.formula1 == '"信息查询核验类接口,短信类接口,充值缴费类接口,其他接口"'
    assert not services.showErrorMessage  # several services in one cell stay possible
    version = lists[f"{letters['协议版本']}2:{letters['协议版本']}1001"]
    published = [v.date for v in project.versions if not v.is_draft]
    assert version.formula1 == '"' + ",".join(reversed(published)) + '"' and version.showErrorMessage
    assert "2026-11-28" not in version.formula1  # a draft cannot be signed


def test_help_sheet_comes_from_the_schema(template, project):
    from generator.contracts.customers import Contact, CustomerFile
    from generator.i18n import in_language

    help_sheet = load_workbook(template)["说明"]
    table = {}
    for row in help_sheet.iter_rows(values_only=True):
        if row[1] in ISSUE_HEADERS:
            table[row[1]] = row
    assert list(table) == list(ISSUE_HEADERS)
    for header, (_letter, _header, key, required, description, _example) in table.items():
        assert key == ISSUE_HEADERS[header]
        first, *rest = key.split(".")
        if first == "consent":
            [placeholder] = [p for p in project.latest_published.consent.placeholders if p.name == rest[0]]
            assert placeholder.description in description
        else:
            model = Contact if first == "contact" else CustomerFile
            # the schema's English description, in Chinese whatever the language of who made the sheet
            english = model.model_fields[rest[0] if rest else first].description
            assert description == in_language("zh", english) != english
        expected = ("否" if key in ("contract_number", "signing_date", "version")
                    else "开通信息查询核验类接口时必填" if key.startswith("consent.") else "是")
        assert required == expected


def test_reproducible(template, tmp_path):
    from generator.cli import main

    again = tmp_path / "again.xlsx"
    assert main(["--root", str(ROOT), "customer-sheet", "-o", str(again)]) == 0
    assert again.read_bytes() == template.read_bytes()


def test_the_template_as_written_makes_no_contract(template, cli, tmp_path, capsys, monkeypatch):
    """Its example row is refused with its row number, and nothing is written or registered."""
    monkeypatch.setenv("LANGUAGE", "en")
    out = tmp_path / "out"
    assert cli("contract", str(template), "--out", str(out)) == 1
    err = capsys.readouterr().err
    assert "customers.xlsx:客户!2: 客户编号 (id): this is the template's example row" in err, err
    assert err.count("\n") == 1  # that line only: no schema noise about the same row
    assert not out.exists() or not any(out.iterdir())


def test_the_example_row_with_its_id_overwritten_makes_a_contract(template, cli, tmp_path):
    path = tmp_path / "filled.xlsx"
    workbook = load_workbook(template)
    workbook["客户"]["A2"] = "lanzhou-data"
    workbook.save(path)
    out = tmp_path / "out"
    assert cli("contract", str(path), "--out", str(out)) == 0
    assert [p.name for p in out.iterdir()] == ["lanzhou-data_2021-12-20.pdf"]


def test_a_filled_in_template_makes_contracts(template, cli, tmp_path):
    path = tmp_path / "filled.xlsx"
    workbook = load_workbook(template)
    sheet = workbook["客户"]
    example = [c.value for c in sheet[2]]
    for n in range(3, 5):
        sheet.append([f"customer-{n}" if i == 0 else value for i, value in enumerate(example)])
    sheet.delete_rows(2)  # sales delete the example once they have their own rows
    workbook.save(path)
    out = tmp_path / "out"
    assert cli("contract", str(path), "--out", str(out)) == 0
    assert sorted(p.name for p in out.iterdir()) == ["customer-3_2021-12-20.pdf", "customer-4_2021-12-20.pdf"]


def test_libreoffice_reads_the_template(template, tmp_path, office):
    """An independent reader: LibreOffice opens it, keeps the text columns, and a workbook it
    saves again is still a valid customer sheet."""
    csv_text = libreoffice_convert(office, template, tmp_path / "csv", "csv:Text - txt - csv (StarCalc):44,34,76")
    header, example = csv_text.read_text(encoding="utf-8").splitlines()[:2]
    assert header.split(",") == list(ISSUE_HEADERS)
    assert "13800000000" in example and "91310115MA1K4QXR7K" in example
    resaved = libreoffice_convert(office, template, tmp_path / "xlsx", "xlsx")
    sheet = load_workbook(resaved)["客户"]
    letters = {h: c.column_letter for h, c in zip(ISSUE_HEADERS, sheet[1])}
    assert sheet[f"{letters['联系电话']}2"].data_type == "s"
    assert len(sheet.data_validations.dataValidation) == 2
