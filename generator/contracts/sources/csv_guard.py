"""What a CSV file may hold: the same limits as a workbook, and no mis-decoded text.

A CSV file carries no encoding. Excel on Chinese Windows saves GB18030 (its
"CSV"), elsewhere UTF-8; a file in any other encoding (Big5, Shift-JIS, a
UTF-8 file mangled once already) often still decodes as GB18030 — into
characters that no company name or address holds. Those are refused with the
row they are on, instead of being printed into a contract.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from generator.contracts.sources.limits import MAX_CELL_CHARS, MAX_COLUMNS, MAX_DATA_ROWS
from generator.errors import AgreementsError
from generator.i18n import _

BOX_DRAWING = range(0x2500, 0x25A0)  # box drawing and block elements
LATIN1 = range(0x0080, 0x0100)  # "Ã", "©", "Â": UTF-8 read as Latin-1 or GB18030's four-byte forms


def check_csv_rows(path: Path, rows: list[list[str]], *, decoded_as: str) -> None:
    """Raises at the first row past the limits, or holding mis-decoded text."""
    if len(rows) > MAX_DATA_ROWS + 100:
        raise AgreementsError(_("the file has {count} rows, over the limit of {limit} customers in one "
                                "sheet; split it into several files").format(
                                    count=len(rows), limit=MAX_DATA_ROWS), file=path, line=MAX_DATA_ROWS + 101)
    for number, cells in enumerate(rows, start=1):
        if len(cells) > MAX_COLUMNS:
            raise AgreementsError(_("row {row} has {count} columns, over the limit of {limit}; remove the "
                                    "extra columns").format(row=number, count=len(cells), limit=MAX_COLUMNS),
                                  file=path, line=number)
        for cell in cells:
            check_cell_length(path, number, cell)
            if decoded_as == "gb18030":
                _refuse_mojibake(path, number, cell)


def check_cell_length(path: Path, row: int, cell: object, sheet: str | None = None) -> None:
    if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
        raise AgreementsError(_("a cell in row {row} holds {count} characters, over the limit of {limit}; "
                                "shorten it").format(row=row, count=len(cell), limit=MAX_CELL_CHARS),
                              file=path, sheet=sheet, line=row)


def _refuse_mojibake(path: Path, row: int, cell: str) -> None:
    odd = next((char for char in cell if _implausible(char)), None)
    if odd is not None:
        raise AgreementsError(
            _("row {row} reads as “{sample}”, with {char} (U+{code:04X}), which no company name or "
              "address holds: the file is probably in another encoding; save it from Excel or WPS as "
              "“CSV UTF-8 (逗号分隔)”").format(row=row, sample=cell[:20], char=odd, code=ord(odd)),
            file=path, line=row)


def _implausible(char: str) -> bool:
    code = ord(char)
    return (code in BOX_DRAWING or code in LATIN1 or unicodedata.category(char) == "Co")
