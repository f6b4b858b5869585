"""The register as people and spreadsheets read it, and whether it agrees with the folders.

Times are shown in 北京时间; JSON keeps UTC (it is for programs). A value is the
customer's text: the terminal table escapes control characters (a company name
holding ESC[2J must not clear the screen), CSV prefixes a formula-like value with '.

Why CSV alone cannot keep 合同编号 and 统一社会信用代码 as text in Excel: CSV carries
no types, and Excel opening a .csv converts every cell that looks like a number
(an all-digit credit code loses its leading zeros, or becomes 9.11E+17). The
workarounds seen in the wild change the value itself (``="0123"`` is a formula a
program reading the CSV receives verbatim; a leading tab or apostrophe stays in the
cell). So the CSV holds the values exactly, and the register also exports .xlsx,
whose cells are typed text (``@`` format) — the file to give to Excel users.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from dataclasses import asdict
from pathlib import Path

from generator.characters import shown
from generator.content.project import Project
from generator.contracts.register import Entry, read_entries, register_path
from generator.contracts.register_events import STATE_NAMES, beijing
from generator.i18n import _, ngettext

HEADERS = {  # the customer sheet's headers where the two share a column
    "contract_number": "合同编号", "customer_id": "客户编号", "company": "公司名称",
    "credit_code": "统一社会信用代码", "version": "协议版本", "state": "状态", "file_name": "文件名",
    "folder": "文件夹", "sha256": "SHA-256", "size": "字节数", "signed": "乙方已签",
    "written_at": "生成时间（北京时间）", "expires_on": "到期日", "reissue_of": "补发自", "source": "来源",
}
TEXT_COLUMNS = ("contract_number", "customer_id", "credit_code")  # never numbers, in any spreadsheet
TABLE_FIELDS = ("contract_number", "customer_id", "company", "credit_code", "version", "state",
                "signed", "written_at")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def shown_row(entry: Entry) -> dict[str, object]:
    """What a person reads for each column: Chinese states, Beijing time, 是/否."""
    values = asdict(entry)
    values.pop("extra")
    values["signed"] = "是" if entry.signed else "否"
    values["state"] = STATE_NAMES[entry.state]
    values["written_at"] = beijing(entry.written_at)
    values["expires_on"] = entry.expires_on or ""
    values["reissue_of"] = entry.reissue_of or ""
    return {name: values[name] for name in HEADERS}


def entries_json(entries: list[Entry]) -> str:
    return json.dumps([asdict(e) for e in entries], ensure_ascii=False, indent=2) + "\n"


def entries_csv(entries: list[Entry]) -> str:
    """CSV for Excel: UTF-8 with a BOM (so Excel reads the Chinese), one header row; a value
    starting like a formula (=, +, -, @) is prefixed with ' so a spreadsheet never runs it."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS.values())
    for entry in entries:
        writer.writerow([_csv_cell(value) for value in shown_row(entry).values()])
    return "\ufeff" + out.getvalue()


def entries_xlsx(entries: list[Entry]) -> bytes:
    """The same table as .xlsx, every cell of the identifying columns typed text."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "合同登记"
    sheet.append(list(HEADERS.values()))
    for entry in entries:
        sheet.append([str(v) for v in shown_row(entry).values()])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.data_type, cell.number_format = "s", "@"  # text, so Excel keeps leading zeros
    for index in range(1, len(HEADERS) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 20
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def entries_table(entries: list[Entry]) -> str:
    """An aligned table for the terminal (Chinese characters count as two columns)."""
    rows = [[HEADERS[name] for name in TABLE_FIELDS]]
    for entry in entries:
        values = shown_row(entry)
        rows.append([shown(values[name], 80) for name in TABLE_FIELDS])
    widths = [max(_width(row[i]) for row in rows) for i in range(len(TABLE_FIELDS))]
    lines = ["  ".join(cell + " " * (width - _width(cell)) for cell, width in zip(row, widths)).rstrip()
             for row in rows]
    count = ngettext("{n} contract", "{n} contracts", len(entries)).format(n=len(entries))
    return "\n".join(lines) + f"\n{count}\n"


def _csv_cell(value: object) -> object:
    return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# --------------------------------------------------------------------------- the register and its folders


def disagreements(entries: list[Entry], written: set[Path] = frozenset()) -> list[str]:
    """Where the register and the folders it names disagree: a contract PDF in a folder that
    the register does not know (``written``: every file it recorded, earlier copies included),
    a contract whose newest file is gone, and a batch's temporary file left behind by a crash."""
    found = []
    known: dict[Path, dict[str, Entry]] = {}
    for entry in entries:
        known.setdefault(Path(entry.folder), {})[entry.file_name] = entry
    for folder, files in sorted(known.items()):
        for name, entry in sorted(files.items()):
            if not (folder / name).is_file():
                found.append(_("{path}: in the register as {number}, but the file is missing").format(
                    path=folder / name, number=entry.contract_number))
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.pdf")):
            if path.name not in files and path not in written:
                found.append(_("{path}: a contract file the register does not know").format(
                    path=shown(path, 300)))
        for path in sorted(folder.glob(".*.pending")):
            found.append(_pending(path, files))
    return found


def _pending(path: Path, files: dict[str, Entry]) -> str:
    """A contract a batch wrote but never named (``.NAME.PID.pending``): recorded already when
    the batch stopped between its row and its rename, otherwise never issued."""
    import hashlib

    name = path.name[1:].rsplit(".", 2)[0]
    entry = files.get(name)
    if entry and hashlib.sha256(path.read_bytes()).hexdigest() == entry.sha256 \
            and not (path.parent / name).exists():
        return _("{path}: recorded as {number}, but the batch stopped before naming it: rename it to "
                 "{name}").format(path=shown(path, 300), number=entry.contract_number, name=name)
    return _("{path}: left by a batch that stopped; it was never issued, delete it").format(
        path=shown(path, 300))


def notify_hint(project: Project, published: str) -> str:
    """After publishing: the contracts of older versions by state, and how to list them. Only
    甲方已签 (or archived) contracts were signed; the others were only written or sent."""
    older = [v.date for v in project.versions if not v.is_draft and v.date < published]
    if not older:
        return _("no older published version: no customer needs to hear about this one")
    path = register_path(project.root, project.config)
    lines = [_("customers with a contract of an older version must hear about {date}; list them "
               "with:").format(date=published)]
    for version in reversed(older):
        entries = read_entries(path, version=version)
        states = {}
        for entry in entries:
            states[STATE_NAMES[entry.state]] = states.get(STATE_NAMES[entry.state], 0) + 1
        by_state = "，".join(f"{name} {count}" for name, count in states.items()) or "0"
        lines.append(f"  agreements register --version {version}    # "
                     + _("{count} contract(s) in the register: {states}").format(count=len(entries),
                                                                                  states=by_state))
    return "\n".join(lines)
