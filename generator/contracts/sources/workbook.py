"""Reading a customer workbook (.xlsx) within bounded memory.

The workbook's shape is checked first (:mod:`workbook_scan`: size, extent, hidden
sheets, rows and columns holding data), then openpyxl streams the one sheet of
customers in read-only mode, twice in step: once for the values formulas last
produced (``data_only``) and once for the formulas themselves, because openpyxl
shows a formula saved without its result as an empty cell, which must not pass
for a blank.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from generator.contracts.sources.columns import ErrorValue, FormulaWithoutValue
from generator.contracts.sources.csv_guard import check_cell_length
from generator.contracts.sources.limits import MAX_FILE_BYTES
from generator.contracts.sources.workbook_scan import SheetShape, scan_workbook
from generator.errors import AgreementsError, ErrorCollector, display_path
from generator.i18n import _, os_reason
from generator.library_messages import library_reason

SHEET_NAME = "客户"  # read when a workbook has it, else its first sheet


def read_workbook_rows(path: Path, data: bytes) -> tuple[str, list[tuple[int, list[Any]]]]:
    """(sheet name, [(row number as shown, cell values)]) of the customers' sheet."""
    shape = _customer_sheet(path, data)
    if not shape.has_data:
        return shape.name, []
    values, formulas = _open(path, data, data_only=True), _open(path, data, data_only=False)
    bounds = dict(max_row=shape.max_row, max_col=shape.max_column)
    rows = []
    for number, (cells, formula_cells) in enumerate(
            zip(values[shape.name].iter_rows(**bounds), formulas[shape.name].iter_rows(**bounds)), start=1):
        row = [_cell(c, f) for c, f in zip(cells, formula_cells)]
        for value in row:
            check_cell_length(path, number, value, shape.name)
        rows.append((number, row))
    values.close()
    formulas.close()
    return shape.name, rows


def _customer_sheet(path: Path, data: bytes) -> SheetShape:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            shapes = scan_workbook(path, archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise AgreementsError(_("cannot read this workbook ({problem}); save it from Excel, WPS or "
                                "LibreOffice as an Excel workbook (.xlsx) without a password").format(
                                    problem=library_reason(exc)), file=path) from None
    if not shapes:
        raise AgreementsError(_("the workbook has no worksheet; put the customers on a sheet named "
                                "{name}").format(name=SHEET_NAME), file=path)
    _refuse_hidden(path, shapes)
    return next((s for s in shapes if s.name == SHEET_NAME), shapes[0])


def _refuse_hidden(path: Path, shapes: list[SheetShape]) -> None:
    """Data nobody sees on screen must not reach a contract, nor be dropped unseen."""
    errors = ErrorCollector()
    for shape in shapes:
        if shape.state != "visible" and shape.has_data:
            errors.add(AgreementsError(_("sheet {sheet} is hidden but holds data; unhide it (right-click a "
                                         "sheet tab → 取消隐藏) and delete it or move its rows to {name}")
                                       .format(sheet=shape.name, name=SHEET_NAME), file=path))
        for row in shape.hidden_rows:
            errors.add(AgreementsError(_("row {row} is hidden but holds data; unhide it (or clear the "
                                         "filter) so that every customer in the sheet can be seen")
                                       .format(row=row), file=path, sheet=shape.name, line=row))
        for column in shape.hidden_columns:
            from openpyxl.utils import get_column_letter

            errors.add(AgreementsError(_("column {column} is hidden but holds data; unhide it so that "
                                         "every value in the sheet can be seen").format(
                                             column=get_column_letter(column)), file=path, sheet=shape.name))
    errors.raise_if_any(_("{file} hides data").format(file=display_path(path)))


def _open(path: Path, data: bytes, *, data_only: bool):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError) as exc:
        raise AgreementsError(_("cannot read this workbook ({problem}); save it from Excel, WPS or "
                                "LibreOffice as an Excel workbook (.xlsx) without a password").format(
                                    problem=library_reason(exc)), file=path) from None


def _cell(cell, formula_cell) -> Any:
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    if cell.data_type == "e":
        return ErrorValue(str(cell.value))
    if cell.value is not None:
        return cell.value
    if cell.data_type == "str":  # a formula whose saved result is the empty text
        return None
    formula = formula_cell.value
    if isinstance(formula, str) and formula.startswith("="):
        return FormulaWithoutValue(formula[1:])
    if isinstance(formula, (ArrayFormula, DataTableFormula)):
        return FormulaWithoutValue(str(getattr(formula, "text", "") or "").lstrip("="))
    return None


def read_limited(path: Path) -> bytes:
    """The file's bytes, refused unread past :data:`MAX_FILE_BYTES`."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise AgreementsError(_("cannot read the file ({problem}); check the path").format(
            problem=os_reason(exc)), file=path) from None
    if len(data) > MAX_FILE_BYTES:
        raise AgreementsError(_("the file is over {limit} MB, the limit for a customer sheet; split the "
                                "customers over several files").format(limit=MAX_FILE_BYTES // 2**20),
                              file=path)
    return data
