"""Customer sheets (.xlsx, .csv): a row is the same customer as a YAML file, validated by the same
rules, and every problem names file, sheet, row and column."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from sheet_helpers import (
    EXAMPLE,
    EXAMPLE_ROW,
    ISSUE_HEADERS,
    example_row,
    libreoffice_convert,
    libreoffice_csv_filter,
    numbered,
    write_csv,
    write_workbook,
)

CODE_HEADERS = {"客户编号", "统一社会信用代码", "联系电话", "合同编号"}


def load(project, *paths: Path, allow_draft: bool = False):
    from generator.contracts.export import load_customers

    return load_customers(paths, project, allow_draft=allow_draft)


def problems(project, *paths: Path) -> list[str]:
    """Every message of a refused batch, as the CLI prints them."""
    from generator.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as info:
        load(project, *paths)
    return [str(e) for e in info.value.errors]


@pytest.fixture(scope="module")
def from_yaml(project):
    from generator.contracts.customers import load_customer

    return load_customer(EXAMPLE, project)


def same_customer(customer, reference) -> None:
    assert customer.data == reference.data
    assert customer.values == reference.values
    assert customer.values_sha256 == reference.values_sha256  # the PDF's provenance is the same too


# --------------------------------------------------------------------------- one customer, many spellings


def test_xlsx_row_is_the_yaml_customer(project, tmp_path, from_yaml):
    [customer] = load(project, write_workbook(tmp_path / "customers.xlsx", [example_row()]))
    same_customer(customer, from_yaml)
    assert customer.origin == f"{tmp_path / 'customers.xlsx'}:客户!2"


def test_english_keys_as_headers(project, tmp_path, from_yaml):
    row = {ISSUE_HEADERS[header]: value for header, value in EXAMPLE_ROW.items()}
    [customer] = load(project, write_workbook(tmp_path / "keys.xlsx", [row]))
    same_customer(customer, from_yaml)


def test_service_keys_list_separators_and_date_forms(project, tmp_path, from_yaml):
    row = example_row(开通服务="verification；sms", 个人信息字段="姓名，身份证号码;手机号码、",
                      签订日期="2026年12月1日", 协议版本="2021/12/20")
    [customer] = load(project, write_workbook(tmp_path / "forms.xlsx", [row]))
    same_customer(customer, from_yaml)


@pytest.mark.parametrize("separator", list("、，,;；"))
def test_every_list_separator(project, tmp_path, separator):
    row = example_row(个人信息字段=separator.join(["姓名", "身份证号码", "手机号码"]),
                      开通服务=separator.join(["信息查询核验类接口", "短信类接口", "其他接口"]))
    [customer] = load(project, write_csv(tmp_path / "c.csv", [row]))
    assert customer.values["personal_fields"] == ("姓名", "身份证号码", "手机号码")
    assert customer.data.services == ["verification", "sms", "other"]


def test_real_date_cells(project, tmp_path, from_yaml):
    row = example_row(签订日期=dt.datetime(2026, 12, 1), 协议版本=dt.date(2021, 12, 20))
    [customer] = load(project, write_workbook(tmp_path / "dates.xlsx", [row]))
    same_customer(customer, from_yaml)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings_excel_saves(project, tmp_path, from_yaml, encoding):
    path = write_csv(tmp_path / f"{encoding}.csv", [example_row()], encoding=encoding)
    [customer] = load(project, path)
    same_customer(customer, from_yaml)


def test_optional_columns_may_be_left_out(project, tmp_path):
    row = example_row(合同编号=None, 签订日期=None, 协议版本=None)
    [customer] = load(project, write_workbook(tmp_path / "short.xlsx", [row]))
    assert customer.version == project.latest_published
    assert re.fullmatch(r"ZSY-20211220-[0-9A-F]{8}", customer.contract_number)
    assert customer.data.signing_date is None


def test_empty_trailing_rows_and_columns_are_ignored(project, tmp_path):
    from openpyxl import load_workbook

    path = write_workbook(tmp_path / "wide.xlsx", [numbered(example_row(), 1), numbered(example_row(), 2)])
    workbook = load_workbook(path)
    sheet = workbook["客户"]
    sheet.cell(200, 40).number_format = "@"  # formatted but empty: the sheet's size grows
    sheet.cell(3, 30, "   ")
    sheet.cell(5, 2, "")
    workbook.save(path)
    assert workbook["客户"].max_row == 200 and workbook["客户"].max_column == 40
    customers = load(project, path)
    assert [c.id for c in customers] == ["customer-1", "customer-2"]
    csv_path = tmp_path / "trailing.csv"
    text = write_csv(tmp_path / "t.csv", [example_row()]).read_text(encoding="utf-8")
    csv_path.write_text("\n".join(line + ",," for line in text.splitlines()) + "\n,,\n\n", encoding="utf-8")
    assert [c.id for c in load(project, csv_path)] == ["lanzhou-data"]


def test_customers_sheet_is_read_before_other_sheets(project, tmp_path):
    path = write_workbook(tmp_path / "two.xlsx", [example_row()], before=["说明", "备注"])
    [customer] = load(project, path)
    assert customer.origin.endswith("two.xlsx:客户!2")


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run from tmp_path, so messages name files as sales see them: customers.xlsx, not a long path."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_without_a_customers_sheet_the_first_sheet_is_read(project, in_tmp):
    path = write_workbook(in_tmp / "plain.xlsx", [example_row(统一社会信用代码="91310115MA1K4QXR7A")],
                          sheet="Sheet1")
    [message] = problems(project, path)
    assert message.startswith("plain.xlsx:Sheet1!2: 统一社会信用代码 (credit_code): check digit"), message


# --------------------------------------------------------------------------- error shapes


def test_error_names_file_sheet_row_and_column(project, in_tmp):
    rows = [numbered(example_row(), 1), numbered(example_row(), 2), numbered(example_row(), 3),
            numbered(example_row(统一社会信用代码="91310115MA1K4QXR7A"), 4)]
    path = write_workbook(in_tmp / "customers.xlsx", rows)
    assert problems(project, path) == [
        "customers.xlsx:客户!5: 统一社会信用代码 (credit_code): check digit is wrong (last character A, "
        "expected K per GB 32100-2015); the code has a typo, copy it again from the business licence"]


def test_csv_rows_are_numbered_as_a_spreadsheet_shows_them(project, in_tmp):
    rows = [numbered(example_row(), 1), numbered(example_row(电子邮箱="li at example"), 2)]
    text = write_csv(in_tmp / "x.csv", rows).read_text(encoding="utf-8")
    # A quoted line break inside a cell is still one spreadsheet row.
    text = text.replace("上海市浦东新区张江路 88 号 5 幢 1203 室", '"上海市浦东新区\n张江路 88 号"', 1)
    (in_tmp / "customers.csv").write_text(text, encoding="utf-8")
    found = problems(project, in_tmp / "customers.csv")
    assert any(m.startswith("customers.csv:2: 住所 (address): contains the invisible or control character "
                            "U+000A") for m in found), found
    assert any(m.startswith("customers.csv:3: 电子邮箱 (contact.email): must be an e-mail address")
               for m in found), found


CELL_CASES = {  # header → (cell value, words of the message)
    "联系电话": (13800000000, "is stored as a number (13800000000)"),
    "统一社会信用代码": (913101150000000001, "is stored as a number (9.1310115e+17)"),
    "客户编号": (1001, "is stored as a number (1001)"),
    "合同编号": (20260001, "is stored as a number (20260001)"),
    "公司名称": (42, "is a number (42), not text"),
    "开通服务": ("短信接口", "unknown service “短信接口”; write 信息查询核验类接口、短信类接口"),
    "签订日期": ("12/01/2026", "“12/01/2026” is not a date; use a date cell or write it as 2026-12-01"),
    "协议版本": ("2021-02-30", "“2021-02-30” is not a real date"),
    "住所": ("  ", "is empty; fill it in (住所 is required)"),
    "核验目的": (None, "is empty; fill it in (核验目的 is required with the 信息查询核验类接口 service)"),
}


@pytest.mark.parametrize("header", sorted(CELL_CASES))
def test_cell_problem(project, in_tmp, header):
    value, words = CELL_CASES[header]
    row = example_row()
    row[header] = value
    path = write_workbook(in_tmp / "customers.xlsx", [example_row(客户编号="first", 合同编号="N-1"), row],
                          text_columns=False)
    found = problems(project, path)
    key = ISSUE_HEADERS[header]
    assert len(found) == 1, found  # the reader's message only, not also the schema's
    assert found[0].startswith(f"customers.xlsx:客户!3: {header} ({key}): "), found
    assert words in found[0], found
    if isinstance(value, (int, float)) and header != "公司名称":
        assert "format the column as text" in found[0]


@pytest.mark.parametrize("text", ["9.13101E+17", "1.38E+10", "9.1E+17"])
def test_scientific_notation_in_a_csv_is_refused(project, in_tmp, text):
    path = write_csv(in_tmp / "customers.csv", [example_row(统一社会信用代码=text, 联系电话=text)])
    found = problems(project, path)
    assert [m.split(": ", 2)[1] for m in found] == ["统一社会信用代码 (credit_code)", "联系电话 (contact.phone)"]
    for message in found:
        assert f"reads {text}, a number in Excel's scientific notation" in message
        assert "format the column as text" in message


def test_every_schema_rule_applies_to_rows(project, in_tmp):
    """Rules that live in the customer schema, not in the sheet reader, reach sheet rows."""
    row = example_row(客户编号="Bad_ID", 公司名称="甲\u200b公司", 联系电话="call me", 合同编号="ZSY/1")
    found = problems(project, write_workbook(in_tmp / "customers.xlsx", [row]))
    keys = sorted(m.split(": ", 2)[1] for m in found)
    assert keys == ["公司名称 (company)", "合同编号 (contract_number)", "客户编号 (id)", "联系电话 (contact.phone)"]
    assert all(m.startswith("customers.xlsx:客户!2: ") for m in found)


def test_list_items_are_located_in_their_column(project, in_tmp):
    row = example_row(个人信息字段="姓名、身份\u200b证号码")
    [message] = problems(project, write_workbook(in_tmp / "customers.xlsx", [row]))
    # (Which words follow is the schema's business: for a text-or-list value pydantic reports the
    # text branch, the same for a YAML file.)
    assert message.startswith("customers.xlsx:客户!2: 个人信息字段 (consent.personal_fields"), message


def test_header_problems(project, in_tmp):
    row = example_row(住所=None)
    row["公司名"] = "某某公司"  # a misspelt 公司名称: refused, never kept as a note
    row["联系电话 "] = "13900000000"  # the same column twice (spaces do not count)
    path = write_workbook(in_tmp / "customers.xlsx", [row])
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    workbook["客户"].cell(2, 30, "orphan")
    workbook.save(path)
    found = problems(project, path)
    assert all(m.startswith("customers.xlsx:客户!1: ") for m in found), found
    text = "\n".join(found)
    assert "unknown column “公司名” (column O), close to 公司名称" in text
    assert "column P repeats 联系电话 (contact.phone)" in text
    assert "column AD has values (row 2) but no header" in text
    assert "no column 住所 (address); add a column headed 住所" in text
    assert len(found) == 4


def test_empty_sheets_are_refused(project, in_tmp):
    from openpyxl import Workbook

    Workbook().save(in_tmp / "blank.xlsx")
    write_csv(in_tmp / "header-only.csv", [{h: None for h in EXAMPLE_ROW}])
    found = problems(project, in_tmp / "blank.xlsx", in_tmp / "header-only.csv")
    assert found[0].startswith("blank.xlsx:Sheet!1: the sheet is empty")
    assert found[1].startswith("header-only.csv:1: no customers below the header row")


@pytest.mark.parametrize("data,words", [
    (b"\xff\xfe" + "客户编号\t公司名称\n".encode("utf-16-le"), "UTF-16 text file"),
    (b"\x81\x30\xff\xfe\x00", "neither UTF-8 nor GB18030"),
], ids=["utf-16", "binary"])
def test_undecodable_csv(project, in_tmp, data, words):
    (in_tmp / "customers.csv").write_bytes(data)
    [message] = problems(project, in_tmp / "customers.csv")
    assert message.startswith("customers.csv: ") and words in message


@pytest.mark.parametrize("name,data,words", [
    ("customers.xlsx", b"PK\x03\x04 not really", "cannot read this workbook"),
    ("customers.xlsx", b"\xd0\xcf\x11\xe0 an encrypted or old workbook", "cannot read this workbook"),
    ("customers.xls", b"\xd0\xcf\x11\xe0", "Save the sheet as an Excel workbook (.xlsx)"),
], ids=["broken-zip", "ole", "xls"])
def test_unreadable_workbooks(project, in_tmp, name, data, words):
    (in_tmp / name).write_bytes(data)
    [message] = problems(project, in_tmp / name)
    assert message.startswith(f"{name}: ") and words in message


def test_formula_without_a_saved_result_is_an_error(project, in_tmp):
    row = example_row(合同编号='="ZSY-"&"0009"')  # openpyxl saves formulas without results
    [message] = problems(project, write_workbook(in_tmp / "customers.xlsx", [row]))
    assert message.startswith('customers.xlsx:客户!2: 合同编号 (contract_number): holds the formula ="ZSY-"&"0009" '
                              "but no result was saved with it")


# --------------------------------------------------------------------------- duplicates, all-or-nothing


def test_duplicates_across_yaml_and_sheets(project, in_tmp):
    first = write_workbook(in_tmp / "a.xlsx", [numbered(example_row(), 1), example_row(合同编号="ZSY-X-1")])
    second = write_csv(in_tmp / "b.csv", [numbered(example_row(), 1), example_row(客户编号="other")])
    found = set(problems(project, EXAMPLE, first, second))
    assert found == {
        f"a.xlsx:客户!3: 客户编号 (id): id `lanzhou-data` is also used by {EXAMPLE}; both would write "
        "the same file, give each customer its own id",
        "b.csv:2: 客户编号 (id): id `customer-1` is also used by a.xlsx:客户!2; both would write the same "
        "file, give each customer its own id",
        "b.csv:2: 合同编号 (contract_number): contract number ZSY-T-0001 is also used by a.xlsx:客户!2; "
        "each contract needs its own",
        f"b.csv:3: 合同编号 (contract_number): contract number ZSY-2026-0001 is also used by {EXAMPLE}; "
        "each contract needs its own",
    }


def test_one_bad_row_and_nothing_is_written(cli, in_tmp, capfd, contract_root):
    good_sheet = write_workbook(in_tmp / "good.xlsx", [numbered(example_row(), n) for n in (1, 2)])
    bad_sheet = write_csv(in_tmp / "bad.csv", [numbered(example_row(), 3),
                                               numbered(example_row(联系电话="1.38E+10"), 4)])
    out = in_tmp / "out"
    register = contract_root / "out" / "register.sqlite"
    before = register.stat().st_mtime_ns if register.exists() else None
    capfd.readouterr()
    assert cli("contract", str(EXAMPLE), str(good_sheet), str(bad_sheet), "--out", str(out)) == 1
    err = capfd.readouterr().err
    assert re.search(r"^bad\.csv:3: 联系电话 \(contact\.phone\): reads 1\.38E\+10", err, re.M), err
    assert "Traceback" not in err
    assert not out.exists(), "nothing may be written when one row is bad"
    assert (register.stat().st_mtime_ns if register.exists() else None) == before


def test_mixed_batch_writes_every_customer(cli, in_tmp, capfd):
    import pypdf

    sheet = write_workbook(in_tmp / "customers.xlsx", [numbered(example_row(), n) for n in (1, 2)])
    csv_file = write_csv(in_tmp / "more.csv", [numbered(example_row(), 3)], encoding="gb18030")
    out = in_tmp / "out"
    assert cli("contract", str(EXAMPLE), str(sheet), str(csv_file), "--out", str(out), "-j", "2") == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["customer-1_2021-12-20.pdf", "customer-2_2021-12-20.pdf", "customer-3_2021-12-20.pdf",
                     "lanzhou-data_2021-12-20.pdf"]
    meta = pypdf.PdfReader(out / "customer-3_2021-12-20.pdf").metadata
    assert meta["/ContractNumber"] == "ZSY-T-0003"


# --------------------------------------------------------------------------- workbooks LibreOffice wrote


def test_workbook_written_by_libreoffice(project, tmp_path, from_yaml, office):
    """LibreOffice types the identifier columns as text and turns the dates into date cells; a
    formula (contract number) arrives with the result LibreOffice saved."""
    rows = [example_row(合同编号='="ZSY-2026-"&"0001"')]
    source = write_csv(tmp_path / "customers.csv", rows)
    headers = list(rows[0])
    converted = libreoffice_convert(office, source, tmp_path / "lo",  # the formula's column is not text
                                    infilter=libreoffice_csv_filter(headers, CODE_HEADERS - {"合同编号"}))
    from openpyxl import load_workbook

    cells = dict(zip(headers, load_workbook(converted)["customers"][2]))
    assert cells["签订日期"].is_date and cells["合同编号"].data_type == "f"  # really a date cell, a formula
    [customer] = load(project, converted)
    same_customer(customer, from_yaml)


def test_libreoffice_turns_untyped_phone_into_a_number_which_is_refused(project, tmp_path, monkeypatch, office):
    source = write_csv(tmp_path / "customers.csv", [example_row()])
    converted = libreoffice_convert(office, source, tmp_path / "lo",
                                    infilter=libreoffice_csv_filter(list(EXAMPLE_ROW), set()))
    monkeypatch.chdir(converted.parent)
    [message] = problems(project, converted)
    assert message.startswith("customers.xlsx:customers!2: 联系电话 (contact.phone): is stored as a number "
                              "(13800000000)"), message
    assert "format the column as text" in message


def test_libreoffice_error_cell_is_refused(project, tmp_path, monkeypatch, office):
    source = write_csv(tmp_path / "customers.csv", [example_row(核验目的="=NA()")])
    converted = libreoffice_convert(office, source, tmp_path / "lo",
                                    infilter=libreoffice_csv_filter(list(EXAMPLE_ROW), CODE_HEADERS))
    monkeypatch.chdir(converted.parent)
    [message] = problems(project, converted)
    assert message.startswith("customers.xlsx:customers!2: 核验目的 (consent.purpose): shows the error #N/A")


# --------------------------------------------------------------------------- consent from a sheet


def test_consent_of_a_sheet_row_is_that_of_the_yaml_file(in_tmp, capsys):
    from helpers import ROOT, run_cli

    sheet = write_workbook(in_tmp / "customers.xlsx", [numbered(example_row(), 1), example_row()])
    code, from_yaml, _ = run_cli(["--root", str(ROOT), "consent", str(EXAMPLE), "--type", "md"], capsys)
    assert code == 0
    code, from_sheet, _ = run_cli(["--root", str(ROOT), "consent", str(sheet), "--customer", "lanzhou-data",
                                   "--type", "md"], capsys)
    assert code == 0 and from_sheet == from_yaml
    code, _, err = run_cli(["--root", str(ROOT), "consent", str(sheet)], capsys)
    assert code == 1
    assert err.strip() == ("customers.xlsx: --customer: several customers here (customer-1, lanzhou-data); "
                           "choose one with --customer ID")


# These tests assert messages in English, the msgids (tests/test_i18n.py checks the Chinese).
pytestmark = pytest.mark.usefixtures("english_messages")
