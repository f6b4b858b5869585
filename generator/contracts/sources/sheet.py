"""Customer sheets: one customer per row of an .xlsx workbook or a .csv file.

Reading is openpyxl's (workbooks from Excel, WPS and LibreOffice) and the csv
module's; this module only turns the grid of cells into records, naming each
problem by file, sheet, row as the spreadsheet shows it, and column:
``customers.xlsx:客户!5: 统一社会信用代码 (credit_code): …``. Validation is
not done here: every row goes through the same customer schema as a YAML file.

Both readers stay within the limits of :mod:`generator.contracts.sources.limits`
(a workbook through :mod:`workbook`, a CSV file through :mod:`csv_guard`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.contracts.customers import CONSENT_SERVICE, SERVICE_TITLES, Record
from generator.contracts.sources.columns import (
    COLUMNS,
    CellProblem,
    Column,
    ErrorValue,
    FormulaWithoutValue,
    cell_value,
    column_label,
    find_column,
    is_blank,
)
from generator.contracts.sources.csv_guard import check_csv_rows
from generator.contracts.sources.guards import example_row_message, is_example_id, misspelt_field
from generator.contracts.sources.workbook import SHEET_NAME, read_limited, read_workbook_rows
from generator.errors import AgreementsError, ErrorCollector, display_path
from generator.i18n import _
from generator.library_messages import library_reason

CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # Excel's "CSV UTF-8" (BOM or not) and Chinese Windows' "CSV"


@dataclass
class RowSource:
    """A sheet row as customer-file data; errors point at the row and the column."""

    path: Path
    sheet: str | None
    row: int
    data: dict[str, Any] = field(default_factory=dict)

    def error(self, loc: tuple[Any, ...], message: str) -> AgreementsError:
        return AgreementsError(message, file=self.path, line=self.row, sheet=self.sheet,
                               key=column_label(loc))

    @property
    def within(self) -> str:
        return f"{self.sheet}!{self.row}" if self.sheet else str(self.row)


@dataclass(frozen=True)
class Grid:
    path: Path
    sheet: str | None
    rows: list[tuple[int, list[Any]]]  # (row number as shown, cell values)


def read_sheet(path: Path) -> list[Record]:
    """One record per non-empty row below the header row; file and header problems raise."""
    grid = _read_csv(path) if path.suffix.lower() == ".csv" else _read_workbook(path)
    return records_from_grid(grid)


def records_from_grid(grid: Grid) -> list[Record]:
    rows = [(number, cells) for number, cells in grid.rows if not all(is_blank(c) for c in cells)]
    if not rows:
        raise AgreementsError(_("the sheet is empty; put the column headers in the first row and one "
                                "customer per row below (`agreements customer-sheet` writes a template)"),
                              file=grid.path, sheet=grid.sheet, line=1)
    (header_row, header_cells), data_rows = rows[0], rows[1:]
    notes: dict[int, str] = {}
    columns = _header(grid, header_row, header_cells, data_rows, notes)
    if not data_rows:
        raise AgreementsError(_("no customers below the header row; add one customer per row"),
                              file=grid.path, sheet=grid.sheet, line=header_row)
    return [_record(grid, number, cells, columns, notes) for number, cells in data_rows]


def _header(grid: Grid, row: int, cells: list[Any], data_rows,
            notes: dict[int, str]) -> dict[int, Column]:
    """Column index → Column; a header no field has is a notes column (into ``notes``); a
    misspelt, repeated, missing or unnamed column is an error."""
    errors = ErrorCollector()
    where = dict(file=grid.path, sheet=grid.sheet, line=row)
    columns: dict[int, Column] = {}
    for index, cell in enumerate(cells):
        if is_blank(cell):
            filled = next((n for n, c in data_rows if index < len(c) and not is_blank(c[index])), None)
            if filled is not None:
                errors.add(AgreementsError(
                    _("column {column} has values (row {row}) but no header; add its header "
                      "or clear the column").format(column=_letter(index), row=filled), **where))
            continue
        column = find_column(str(cell))
        meant = misspelt_field(str(cell)) if column is None else None
        if meant is not None:
            errors.add(AgreementsError(
                _("unknown column “{cell}” (column {column}), close to {meant}; rename it {meant} (the "
                  "columns are {headers}), or give a notes column a header unlike them").format(
                      cell=cell, column=_letter(index), meant=meant.header,
                      headers="、".join(c.header for c in COLUMNS)), **where))
        elif column is None:
            notes[index] = str(cell).strip()
        elif column in columns.values():
            errors.add(AgreementsError(_("column {column} repeats {label}; keep one of them").format(
                column=_letter(index), label=column.label),
                                       **where))
        else:
            columns[index] = column
    for column in COLUMNS:
        if column.required and column not in columns.values():
            errors.add(AgreementsError(_("no column {label}; add a column headed {header} to the header "
                                         "row (row {row}, the sheet's first non-empty row)").format(
                                             label=column.label, header=column.header, row=row),
                                       **where))
    errors.raise_if_any(f"{display_path(grid.path)} has an unusable header row")
    return columns


def _record(grid: Grid, row: int, cells: list[Any], columns: dict[int, Column],
            notes: dict[int, str]) -> Record:
    source = RowSource(grid.path, grid.sheet, row)
    problems = []
    for index, column in columns.items():
        value = cells[index] if index < len(cells) else None
        if is_blank(value):
            if column.required:
                problems.append(source.error(column.path, _("is empty; fill it in ({header} is "
                                                            "required)").format(header=column.header)))
            continue
        if column.key == "id" and is_example_id(value):
            problems.append(source.error(column.path, example_row_message()))
            continue
        try:
            converted = cell_value(column, value)
        except CellProblem as exc:
            problems.append(source.error(column.path, str(exc)))
            continue
        *parents, last = column.path
        node = source.data
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = converted
    problems.extend(_blank_consent(source, cells, columns))
    kept = tuple((header, str(cells[index])) for index, header in notes.items()
                 if index < len(cells) and not is_blank(cells[index]))
    return Record(source, source.within, tuple(problems), kept)


def _blank_consent(source: RowSource, cells: list[Any], columns: dict[int, Column]) -> list:
    """附录一's cells left empty in a row that takes the service needing them, reported with the
    row's other problems (the customer validator would only get to them once those are fixed)."""
    if CONSENT_SERVICE not in (source.data.get("services") or []):
        return []
    return [source.error(column.path, _("is empty; fill it in ({header} is required with the "
                                        "{service} service)").format(header=column.header,
                                                                     service=SERVICE_TITLES[CONSENT_SERVICE]))
            for index, column in columns.items()
            if column.key.startswith("consent.") and (index >= len(cells) or is_blank(cells[index]))]


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


# --------------------------------------------------------------------------- readers


def _read_csv(path: Path) -> Grid:
    data = read_limited(path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise AgreementsError(_("this is a UTF-16 text file (Excel's “Unicode text”), not CSV; save the "
                                "sheet as “CSV UTF-8 (逗号分隔)” instead"), file=path)
    for encoding in CSV_ENCODINGS:
        try:
            text, decoded_as = data.decode(encoding), encoding
            break
        except UnicodeDecodeError:
            continue
    else:
        raise AgreementsError(_("the file is neither UTF-8 nor GB18030 text; save it from Excel or WPS "
                                "as “CSV UTF-8 (逗号分隔)”"), file=path)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise AgreementsError(_("not a readable CSV file ({reason}); save it again from the "
                                "spreadsheet").format(reason=library_reason(exc)),
                              file=path) from None
    check_csv_rows(path, rows, decoded_as=decoded_as)
    return Grid(path, None, [(number, cells) for number, cells in enumerate(rows, start=1)])


def _read_workbook(path: Path) -> Grid:
    name, rows = read_workbook_rows(path, read_limited(path))
    return Grid(path, name, rows)
