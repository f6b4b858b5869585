"""Customer sheets: one customer per row of an .xlsx workbook or a .csv file.

Reading is openpyxl's (workbooks from Excel, WPS and LibreOffice) and the csv
module's; this module only turns the grid of cells into records, naming each
problem by file, sheet, row as the spreadsheet shows it, and column:
``customers.xlsx:客户!5: 统一社会信用代码 (credit_code): …``. Validation is
not done here: every row goes through the same customer schema as a YAML file.

A workbook is read twice, once for the values its formulas last produced
(``data_only``) and once for the formulas themselves, because openpyxl shows
a formula saved without its result as an empty cell, which must not pass for a
blank.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.contracts.customers import Record
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
from generator.errors import AgreementsError, ErrorCollector, display_path
from generator.i18n import _, os_reason

SHEET_NAME = "客户"  # read when a workbook has it, else its first sheet
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
    columns = _header(grid, header_row, header_cells, data_rows)
    if not data_rows:
        raise AgreementsError(_("no customers below the header row; add one customer per row"),
                              file=grid.path, sheet=grid.sheet, line=header_row)
    return [_record(grid, number, cells, columns) for number, cells in data_rows]


def _header(grid: Grid, row: int, cells: list[Any], data_rows) -> dict[int, Column]:
    """Column index → Column; every unknown, repeated, missing or unnamed column is an error."""
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
        if column is None:
            errors.add(AgreementsError(
                _("unknown column “{cell}” (column {column}); the columns are "
                  "{headers} (or their keys, e.g. contact.phone); rename it, "
                  "or keep notes on another sheet").format(
                      cell=cell, column=_letter(index), headers="、".join(c.header for c in COLUMNS)),
                **where))
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


def _record(grid: Grid, row: int, cells: list[Any], columns: dict[int, Column]) -> Record:
    source = RowSource(grid.path, grid.sheet, row)
    problems = []
    for index, column in columns.items():
        value = cells[index] if index < len(cells) else None
        if is_blank(value):
            if column.required:
                problems.append(source.error(column.path, _("is empty; fill it in ({header} is "
                                                            "required)").format(header=column.header)))
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
    return Record(source, source.within, tuple(problems))


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


# --------------------------------------------------------------------------- readers


def _read_csv(path: Path) -> Grid:
    data = _read_bytes(path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise AgreementsError(_("this is a UTF-16 text file (Excel's “Unicode text”), not CSV; save the "
                                "sheet as “CSV UTF-8 (逗号分隔)” instead"), file=path)
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
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
                                "spreadsheet").format(reason=exc),
                              file=path) from None
    return Grid(path, None, [(number, cells) for number, cells in enumerate(rows, start=1)])


def _read_workbook(path: Path) -> Grid:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    data = _read_bytes(path)
    try:
        values = load_workbook(io.BytesIO(data), data_only=True)
        formulas = load_workbook(io.BytesIO(data), data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError) as exc:
        raise AgreementsError(_("cannot read this workbook ({reason}); save it from Excel, WPS or "
                                "LibreOffice as an Excel workbook (.xlsx) without a password").format(
                                    reason=f"{type(exc).__name__}: {exc}"),
                              file=path) from None
    if not values.worksheets:
        raise AgreementsError(_("the workbook has no worksheet; put the customers on a sheet named "
                                "{sheet}").format(sheet=SHEET_NAME), file=path)
    name = SHEET_NAME if SHEET_NAME in values.sheetnames else values.worksheets[0].title
    sheet, formula_sheet = values[name], formulas[name]
    rows = []
    for cells in sheet.iter_rows():
        rows.append((cells[0].row, [_cell(cell, formula_sheet) for cell in cells]))
    return Grid(path, name, rows)


def _cell(cell, formula_sheet) -> Any:
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    if cell.data_type == "e":
        return ErrorValue(str(cell.value))
    if cell.value is not None:
        return cell.value
    if cell.data_type == "str":  # a formula whose saved result is the empty text
        return None
    formula = formula_sheet.cell(cell.row, cell.column).value
    if isinstance(formula, str) and formula.startswith("="):
        return FormulaWithoutValue(formula[1:])
    if isinstance(formula, (ArrayFormula, DataTableFormula)):
        return FormulaWithoutValue(str(getattr(formula, "text", "") or "").lstrip("="))
    return None


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise AgreementsError(_("cannot read the file ({reason}); check the path").format(
            reason=os_reason(exc)),
                              file=path) from None
