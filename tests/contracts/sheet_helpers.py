"""Helpers for the customer-sheet tests: rows of the example customer, workbooks written by
openpyxl and by LibreOffice itself, and CSV files in the encodings Excel saves."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from contract_helpers import EXAMPLE  # noqa: F401  (re-exported for the tests)

# The header table of issue 11, as sales see it: header → key of a customer file.
ISSUE_HEADERS = {
    "客户编号": "id", "公司名称": "company", "统一社会信用代码": "credit_code", "住所": "address",
    "法定代表人或授权代表": "representative", "联系人": "contact.name", "联系电话": "contact.phone",
    "电子邮箱": "contact.email", "开通服务": "services", "核验目的": "consent.purpose",
    "个人信息字段": "consent.personal_fields", "最终信息源名称": "consent.source_name",
    "合同编号": "contract_number", "签订日期": "signing_date", "协议版本": "version",
}

# customers/examples/lanzhou-data.yml spelled as a sheet row, values as sales would type them.
EXAMPLE_ROW = {
    "客户编号": "lanzhou-data", "公司名称": "上海澜舟数据科技有限公司", "统一社会信用代码": "91310115MA1K4QXR7K",
    "住所": "上海市浦东新区张江路 88 号 5 幢 1203 室", "法定代表人或授权代表": "张三", "联系人": "李四",
    "联系电话": "13800000000", "电子邮箱": "li@example.com", "开通服务": "信息查询核验类接口、短信类接口",
    "核验目的": "用户实名认证", "个人信息字段": "姓名、身份证号码、手机号码", "最终信息源名称": "某某数据服务有限公司",
    "合同编号": "ZSY-2026-0001", "签订日期": "2026-12-01", "协议版本": "2021-12-20",
}


def example_row(**changes) -> dict[str, object]:
    """The example customer as a row; ``changes`` by header (None drops the column)."""
    row = {**EXAMPLE_ROW, **changes}
    return {header: value for header, value in row.items() if value is not None}


def numbered(row: dict[str, object], n: int) -> dict[str, object]:
    """Another customer: its own id and contract number."""
    return {**row, "客户编号": f"customer-{n}", "合同编号": f"ZSY-T-{n:04d}"}


def write_workbook(path: Path, rows: list[dict[str, object]], *, sheet: str = "客户",
                   text_columns: bool = True, before: list[str] | None = None) -> Path:
    """A workbook like Excel writes: headers from the rows' keys, one row each. ``text_columns``
    formats every cell as text (what the template does); ``before`` adds sheets in front."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = (before or [sheet])[0]
    for name in (before or [])[1:] + ([sheet] if before else []):
        workbook.create_sheet(name)
    target = workbook[sheet]
    headers = list(dict.fromkeys(h for row in rows for h in row))
    target.append(headers)
    for row in rows:
        target.append([row.get(h) for h in headers])
    if text_columns:
        for cells in target.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.number_format = "@"
    workbook.save(path)
    return path


def write_csv(path: Path, rows: list[dict[str, object]], *, encoding: str = "utf-8") -> Path:
    headers = list(dict.fromkeys(h for row in rows for h in row))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if row.get(h) is None else row.get(h) for h in headers])
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def libreoffice_convert(office, source: Path, out_dir: Path, target: str = "xlsx", *,
                        infilter: str | None = None) -> Path:
    """The file as LibreOffice Calc itself writes it, by the session's LibreOffice (``office``);
    ``target`` and ``infilter`` are spelled as for ``soffice --convert-to`` and ``--infilter``
    (``csv:FILTER:OPTIONS``, ``CSV:OPTIONS``)."""
    from office import CALC_FILTERS, CSV_IMPORT

    ext, *spec = target.split(":", 2)
    export_filter, options = spec if len(spec) == 2 else CALC_FILTERS[ext]
    import_filter, import_options = None, None
    if infilter:
        name, import_options = infilter.split(":", 1)
        import_filter = CSV_IMPORT if name == "CSV" else name
    return office.convert(source, out_dir / f"{source.stem}.{ext}", export_filter, options,
                          import_filter=import_filter, import_options=import_options)


def libreoffice_csv_filter(headers: list[str], text: set[str]) -> str:
    """LibreOffice's CSV import options: comma, double quote, UTF-8 (76), from line 1; the
    ``text`` columns typed as text (2), the others detected (1) — dates become date cells."""
    formats = "/".join(f"{i}/{2 if h in text else 1}" for i, h in enumerate(headers, start=1))
    return f"CSV:44,34,76,1,{formats}"
