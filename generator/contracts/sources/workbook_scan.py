"""A workbook's true shape, read in one bounded streaming pass before openpyxl opens it.

Hand-written because no library answers these questions within a memory bound:
openpyxl's read-only mode (the streaming one) exposes neither hidden rows nor
hidden columns, and it trusts the sheet's declared dimension, padding every row
out to it. Here the zip directory is checked first (the sizes it declares bound
what zipfile will inflate), then each worksheet's XML is streamed with the
standard library's iterparse, element by element, and refused at the first cell
outside the limits.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from generator.contracts.sources.limits import MAX_COLUMNS, MAX_DATA_ROWS, MAX_UNPACKED_BYTES
from generator.errors import AgreementsError
from generator.i18n import _
from generator.library_messages import library_reason

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CELL_REF = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]{1,7})$")
MAX_ROW_NUMBER = MAX_DATA_ROWS + 100  # room for blank rows above and between the customers


@dataclass
class SheetShape:
    """Where a worksheet holds data, and which of it a reader could not see."""

    name: str
    state: str  # visible, hidden or veryHidden
    part: str
    max_row: int = 0
    max_column: int = 0
    hidden_rows: list[int] = field(default_factory=list)  # rows that hold data
    hidden_columns: list[int] = field(default_factory=list)  # columns that hold data

    @property
    def has_data(self) -> bool:
        return self.max_row > 0


def scan_workbook(path: Path, archive: zipfile.ZipFile) -> list[SheetShape]:
    """Every worksheet's shape; raises at the first limit crossed."""
    _check_unpacked_size(path, archive)
    shapes = _sheets(path, archive)
    for shape in shapes:
        _scan_sheet(path, archive, shape)
    return shapes


def _check_unpacked_size(path: Path, archive: zipfile.ZipFile) -> None:
    total = sum(info.file_size for info in archive.infolist())
    if total > MAX_UNPACKED_BYTES:
        raise AgreementsError(
            _("the workbook unpacks to {size} MB, over the limit of {limit} MB for a customer sheet; "
              "keep only the customer rows (one sheet, no pictures) and save it again").format(
                size=total // 2**20, limit=MAX_UNPACKED_BYTES // 2**20), file=path)


def _sheets(path: Path, archive: zipfile.ZipFile) -> list[SheetShape]:
    """The worksheets in the workbook's order, with their state and XML part."""
    workbook = _xml(path, archive, "xl/workbook.xml")
    rels = _xml(path, archive, "xl/_rels/workbook.xml.rels")
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{PKG_REL}Relationship")}
    shapes = []
    for sheet in workbook.iter(f"{MAIN}sheet"):
        target = targets.get(sheet.get(f"{REL}id"), "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        shapes.append(SheetShape(sheet.get("name", ""), sheet.get("state", "visible"), part))
    return shapes


def _xml(path: Path, archive: zipfile.ZipFile, part: str) -> ElementTree.Element:
    try:
        with archive.open(part) as stream:
            return ElementTree.parse(stream).getroot()
    except (KeyError, ElementTree.ParseError) as exc:
        raise AgreementsError(_("cannot read this workbook ({part}: {problem}); save it again from "
                                "Excel, WPS or LibreOffice as an Excel workbook (.xlsx)").format(
                                    part=part, problem=library_reason(exc)), file=path) from None


def _scan_sheet(path: Path, archive: zipfile.ZipFile, shape: SheetShape) -> None:
    if shape.part not in archive.namelist():  # a chart sheet or a broken link: no cells
        return
    hidden_columns: set[int] = set()
    row_number, row_hidden, column, sheet_data = 0, False, 0, None
    try:
        with archive.open(shape.part) as stream:
            for event, element in ElementTree.iterparse(stream, events=("start", "end")):
                tag = element.tag
                if event == "start":
                    if tag == f"{MAIN}sheetData":
                        sheet_data = element
                    elif tag == f"{MAIN}row":
                        row_number = _int(element.get("r"), row_number + 1)
                        row_hidden = _is_hidden_row(element)
                        column = 0
                    continue
                if tag == f"{MAIN}col" and _is_hidden_column(element):
                    hidden_columns.update(_column_range(element))
                elif tag == f"{MAIN}c":
                    column = _cell_column(element, column)
                    if _holds_data(element):
                        _note_cell(path, shape, row_number, column, row_hidden, hidden_columns)
                    element.clear()
                elif tag == f"{MAIN}row":
                    _drop(element, sheet_data)
    except ElementTree.ParseError as exc:
        raise AgreementsError(_("sheet {sheet} is not readable XML ({problem}); save the workbook "
                                "again").format(sheet=shape.name, problem=library_reason(exc)), file=path) from None


def _drop(row: ElementTree.Element, sheet_data: ElementTree.Element | None) -> None:
    """Forget a finished row, so that a million empty rows cost no memory."""
    row.clear()
    if sheet_data is not None and len(sheet_data) and sheet_data[0] is row:
        del sheet_data[0]


def _note_cell(path: Path, shape: SheetShape, row: int, column: int, row_hidden: bool,
               hidden_columns: set[int]) -> None:
    if row > MAX_ROW_NUMBER or column > MAX_COLUMNS:
        raise AgreementsError(
            _("cell {cell} holds a value outside the {columns} columns × {rows} rows a customer sheet "
              "may use; delete what is there (Ctrl+End in Excel shows the last used cell) and save "
              "again").format(cell=_ref(row, column), columns=MAX_COLUMNS, rows=MAX_ROW_NUMBER),
            file=path, sheet=shape.name, line=min(row, 10**7))
    shape.max_row = max(shape.max_row, row)
    shape.max_column = max(shape.max_column, column)
    if row_hidden and row not in shape.hidden_rows:
        shape.hidden_rows.append(row)
    if column in hidden_columns and column not in shape.hidden_columns:
        shape.hidden_columns.append(column)


def _holds_data(cell: ElementTree.Element) -> bool:
    """A value, inline text or a formula; a styled empty cell is no data."""
    for child in cell:
        if child.tag in (f"{MAIN}v", f"{MAIN}f") and (child.text or "").strip():
            return True
        if child.tag == f"{MAIN}is" and "".join(child.itertext()).strip():
            return True
    return False


def _cell_column(cell: ElementTree.Element, previous: int) -> int:
    match = CELL_REF.match(cell.get("r", ""))
    return _column_number(match.group(1)) if match else previous + 1


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _ref(row: int, column: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(min(column, 16384))}{row}"


def _is_hidden_row(row: ElementTree.Element) -> bool:
    return row.get("hidden") in ("1", "true") or _float(row.get("ht")) == 0.0


def _is_hidden_column(col: ElementTree.Element) -> bool:
    return col.get("hidden") in ("1", "true") or _float(col.get("width")) == 0.0


def _column_range(col: ElementTree.Element) -> range:
    low = _int(col.get("min"), 1)
    high = min(_int(col.get("max"), low), MAX_COLUMNS + 1)  # past the limit, a cell is refused anyway
    return range(low, high + 1)


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None
