"""`agreements customer-sheet`: a ready customer sheet for sales to fill in.

Sheet 客户 has the headers, one example row, text-formatted columns for the
identifiers a spreadsheet would otherwise turn into numbers (phone,
统一社会信用代码 …), and drop-down lists (Excel data validation) for the
services and the agreement version. Sheet 说明 explains every column from the
customer schema's field descriptions and 附录一's placeholder descriptions, so
the help says what the validator checks.

The file is reproducible: the same project gives the same bytes (fixed
document dates, fixed zip entry times), so a template kept under version
control changes only when the rules do.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.excel import ExcelWriter

from generator.content.model import Version
from generator.content.project import Project
from generator.contracts.customers import SERVICE_TITLES, Contact, CustomerFile
from generator.contracts.sources.columns import COLUMNS, LIST_SEPARATORS, Column
from generator.contracts.sources.guards import EXAMPLE_MARK
from generator.contracts.sources.sheet import SHEET_NAME
from generator.i18n import in_language

HELP_SHEET = "说明"
ROWS_PREPARED = 1000  # rows below the header that get the drop-downs
TEXT = "@"
DATE = "yyyy-mm-dd"
EXAMPLE = {  # one customer that passes every check (a test keeps it so)
    "id": "lanzhou-data", "company": "上海澜舟数据科技有限公司", "credit_code": "91310115MA1K4QXR7K",
    "address": "上海市浦东新区张江路 88 号 5 幢 1203 室", "representative": "张三",
    "contact.name": "李四", "contact.phone": "13800000000", "contact.email": "li@example.com",
    "services": "信息查询核验类接口、短信类接口", "consent.purpose": "用户实名认证",
    "consent.personal_fields": "姓名、身份证号码、手机号码", "consent.source_name": "某某数据服务有限公司",
}
_REQUIRED_FILL = PatternFill("solid", fgColor="FFD9E1F2")
_OPTIONAL_FILL = PatternFill("solid", fgColor="FFEDEDED")
_EXAMPLE_FILL = PatternFill("solid", fgColor="FFFFF2CC")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _example_cell(column: Column) -> str | None:
    """The example row's value; its 客户编号 carries the mark that keeps it from becoming a contract."""
    value = EXAMPLE.get(column.key)
    return f"{EXAMPLE_MARK}{value}" if column.key == "id" else value


def _required_text(column: Column) -> str:
    if column.required:
        return "是"
    return "开通信息查询核验类接口时必填" if column.key.startswith("consent.") else "否"


def customer_sheet_bytes(project: Project) -> bytes:
    """The template workbook (.xlsx) for ``project``."""
    workbook = Workbook()
    customers = workbook.active
    customers.title = SHEET_NAME
    _fill_customer_sheet(customers, project)
    _fill_help_sheet(workbook.create_sheet(HELP_SHEET), project)
    stamp = dt.datetime.fromisoformat(_reference_version(project).date)
    workbook.properties.creator = "agreements customer-sheet"
    workbook.properties.created = workbook.properties.modified = stamp
    return _reproducible_zip(workbook)


def _reference_version(project: Project) -> Version:
    return project.latest_published or project.newest


def _fill_customer_sheet(sheet, project: Project) -> None:
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(1, index, column.header)
        header.font = Font(bold=True)
        header.fill = _REQUIRED_FILL if column.required else _OPTIONAL_FILL
        fmt = _number_format(column)
        if fmt:  # the column's own style: what a new value typed into it gets
            sheet.column_dimensions[letter].number_format = fmt
        example = sheet.cell(2, index, _example_cell(column))
        example.fill = _EXAMPLE_FILL  # the example row is marked for the eye as well as by its id
        if fmt:
            example.number_format = fmt
        width = max(_width(column.header), _width(EXAMPLE.get(column.key, ""))) + 2
        sheet.column_dimensions[letter].width = min(max(width, 10), 48)
    sheet.freeze_panes = "B2"
    _add_lists(sheet, project)
    _add_header_tooltips(sheet, _reference_version(project))
    _print_setup(sheet, title_rows="1:1")


def _add_header_tooltips(sheet, version: Version) -> None:
    """Hovering a header shows what the column needs (the 说明 sheet's text, in short)."""
    for index, column in enumerate(COLUMNS, start=1):
        need = "必填" if column.required else "选填"
        comment = Comment(f"{column.header}（{need}）\n{column_description(column, version)}", "agreements")
        comment.width, comment.height = 320, 120  # points: room for two or three lines of Chinese
        sheet.cell(1, index).comment = comment


def _print_setup(sheet, *, title_rows: str) -> None:
    """Printed as sales print it: A4 landscape, every column on the page's width, the header
    row repeated on every page."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = title_rows
    sheet.print_options.gridLines = True


def _number_format(column: Column) -> str | None:
    if column.kind == "code" or column.key == "version":
        return TEXT  # typed identifiers stay text: no lost zeros, no 9.13E+17
    if column.kind == "date":
        return DATE
    return None


def _add_lists(sheet, project: Project) -> None:
    letters = {column.key: get_column_letter(i) for i, column in enumerate(COLUMNS, start=1)}
    services = DataValidation(
        type="list", formula1=_list_formula(SERVICE_TITLES.values()), allow_blank=True,
        showErrorMessage=False,  # several services in one cell (a、b) must stay possible
        showInputMessage=True, promptTitle="开通服务",
        prompt=f"从列表选择，或写多项并用“、”分隔，例如 {EXAMPLE['services']}")
    published = [v.date for v in reversed(project.versions) if not v.is_draft]
    for validation, key in ((services, "services"), (_version_list(published), "version")):
        if validation is None:
            continue
        validation.add(f"{letters[key]}2:{letters[key]}{ROWS_PREPARED + 1}")
        sheet.add_data_validation(validation)


def _version_list(published: list[str]) -> DataValidation | None:
    if not published:
        return None
    while len(_list_formula(published)) > 257:  # Excel's limit for a typed list: 255 characters
        published.pop()  # the oldest go first
    return DataValidation(
        type="list", formula1=_list_formula(published), allow_blank=True, showErrorMessage=True,
        errorTitle="协议版本", error="请选择一个已发布的版本，或留空（使用最新发布的版本）",
        showInputMessage=True, promptTitle="协议版本", prompt="留空即使用最新发布的版本")


def _list_formula(items) -> str:
    return '"' + ",".join(items) + '"'


def _fill_help_sheet(sheet, project: Project) -> None:
    version = _reference_version(project)
    notes = [
        "客户表填写说明（由 agreements customer-sheet 生成，规则与客户 YAML 文件完全相同）",
        f"在“{SHEET_NAME}”表中每行填写一个客户；第 2 行（黄色，客户编号以“{EXAMPLE_MARK}”开头）是示例，"
        "不会生成合同，请改写（包括客户编号）或删除。空行会被忽略。",
        "表头不是客户字段的列（如“备注”）会随客户记入合同登记簿，但不会印入合同。",
        "附录一（核验目的、个人信息字段、最终信息源名称）仅在开通信息查询核验类接口时填写；"
        "未开通时合同中的附录一显示为“不适用”。",
        "一行有任何问题时，整批合同都不会生成；错误信息会指出文件、工作表、行号和列名。",
        f"多个值（开通服务、个人信息字段）用以下任一符号分隔：{' '.join(LIST_SEPARATORS)}",
        f"开通服务可写中文名称或英文键：{'、'.join(f'{t}（{k}）' for k, t in SERVICE_TITLES.items())}",
        "日期可用日期单元格，或写成 2026-12-01、2026/12/1、2026年12月1日。",
        "客户编号、统一社会信用代码、联系电话、合同编号请保持“文本”格式：存成数字的值会被拒绝。",
        f"导出合同：agreements contract 本文件.xlsx；附录一的说明取自 {version.date} 版本。",
    ]
    for row, note in enumerate(notes, start=1):
        sheet.cell(row, 1, note).font = Font(bold=row == 1)
    top = len(notes) + 2
    titles = ("列", "列名", "英文键", "必填", "说明", "示例")
    for index, title in enumerate(titles, start=1):
        sheet.cell(top, index, title).font = Font(bold=True)
    for offset, column in enumerate(COLUMNS, start=1):
        values = (get_column_letter(offset), column.header, column.key, _required_text(column),
                  column_description(column, version), EXAMPLE.get(column.key, ""))
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(top + offset, index, value)
            cell.alignment = Alignment(wrap_text=index == 5, vertical="top")
    for letter, width in zip("ABCDEF", (5, 20, 26, 6, 70, 30)):
        sheet.column_dimensions[letter].width = width
    _print_setup(sheet, title_rows=f"{top}:{top}")


def column_description(column: Column, version: Version) -> str:
    """What the column holds, from the schema (or 附录一's placeholder) it feeds."""
    first, *rest = column.path
    if first == "consent":
        placeholder = next((p for p in version.consent.placeholders if p.name == rest[0]), None)
        if placeholder is None:
            return f"附录一 的占位符 {rest[0]}（{version.date} 版本未声明）"
        return f"附录一：{placeholder.title}。{placeholder.description}"
    model = Contact if first == "contact" else CustomerFile
    # The schema's descriptions are English msgids (the JSON Schemas show them); the sheet is Chinese.
    return in_language("zh", model.model_fields[rest[0] if rest else first].description or "")


def _width(text: str) -> int:
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def _reproducible_zip(workbook: Workbook) -> bytes:
    """Save through openpyxl's writer (its save_workbook stamps the current time), then give
    every zip entry the same date, so the bytes depend on the content only."""
    raw = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
