"""The columns of a customer sheet and how each cell becomes a customer-file value.

A sheet row is the same record as a customer YAML file, spelled in cells: each
column stands for one key of the file (``contact.phone``), headed by the
Chinese label sales know or by that key. This module knows only cells and keys;
the rules of the values stay in the customer schema, which checks every row.

What a cell must not be is decided here, because the YAML file cannot say it: a
phone number or a 统一社会信用代码 stored as a number has already lost its
leading zeros or its digits past the 15th, so such a cell is refused with the
fix (format the column as text) rather than turned back into text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

from generator.content.resolve import format_loc
from generator.contracts.customers import SERVICE_TITLES, Contact, CustomerFile
from generator.i18n import N_, _

Kind = Literal["text", "code", "list", "services", "date"]


@dataclass(frozen=True)
class Column:
    header: str  # the Chinese label
    key: str  # the dotted key of a customer file
    kind: Kind  # code: an identifier that must be typed as text, never a number

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.key.split("."))

    @property
    def label(self) -> str:
        return f"{self.header} ({self.key})"

    @property
    def required(self) -> bool:
        """Required exactly when the customer schema requires the key. 附录一's values are required
        with the verification service only, which the customer validator checks row by row."""
        first, *rest = self.path
        if first == "consent":
            return False
        field = (Contact.model_fields[rest[0]] if first == "contact"
                 else CustomerFile.model_fields[first])
        return field.is_required()


# The order of a new sheet (`agreements customer-sheet`): who, then what they sign.
COLUMNS = (
    Column("客户编号", "id", "code"),
    Column("公司名称", "company", "text"),
    Column("统一社会信用代码", "credit_code", "code"),
    Column("住所", "address", "text"),
    Column("法定代表人或授权代表", "representative", "text"),
    Column("联系人", "contact.name", "text"),
    Column("联系电话", "contact.phone", "code"),
    Column("电子邮箱", "contact.email", "text"),
    Column("开通服务", "services", "services"),
    Column("核验目的", "consent.purpose", "text"),
    Column("个人信息字段", "consent.personal_fields", "list"),
    Column("最终信息源名称", "consent.source_name", "text"),
    Column("合同编号", "contract_number", "code"),
    Column("签订日期", "signing_date", "date"),
    Column("协议版本", "version", "date"),
)

LIST_SEPARATORS = "、，,;；"
_SPLIT = re.compile(f"[{LIST_SEPARATORS}]")
SERVICE_KEYS = {title: key for key, title in SERVICE_TITLES.items()}
# How Excel shows a number too long for its column, e.g. 9.13101E+17, once saved as CSV text.
_SCIENTIFIC = re.compile(r"^[0-9]+(\.[0-9]+)?[eE]\+[0-9]+$")
_DATE_TEXT = re.compile(r"^(\d{4})\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日)$")
TEXT_FORMAT_FIX = N_("format the column as text (设置单元格格式 → 文本) and type the values again")


class CellProblem(ValueError):
    """A cell that cannot stand for its key; the message ends with the fix."""


@dataclass(frozen=True)
class FormulaWithoutValue:
    """A formula cell saved without its result (files written by scripts, not by Excel)."""

    formula: str


@dataclass(frozen=True)
class ErrorValue:
    """A cell showing a spreadsheet error such as #REF! or #N/A."""

    code: str


def find_column(header: str) -> Column | None:
    """The column a header names: its Chinese label or its key (any case), spaces ignored."""
    text = "".join(header.split())
    for column in COLUMNS:
        if text == column.header or text.lower() == column.key:
            return column
    return None


def column_label(loc: tuple[Any, ...]) -> str:
    """``("contact", "phone")`` → ``联系电话 (contact.phone)``: the header and the key at fault."""
    for column in COLUMNS:
        if tuple(loc[:len(column.path)]) == column.path:
            return f"{column.header} ({format_loc(loc)})"
    return format_loc(loc)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_value(column: Column, value: Any) -> Any:
    """The customer-file value of a non-blank cell, or :class:`CellProblem`."""
    if isinstance(value, FormulaWithoutValue):
        raise CellProblem(_("holds the formula ={formula} but no result was saved with it; open the "
                            "file in Excel, WPS or LibreOffice and save it again, or type the "
                            "value").format(formula=value.formula))
    if isinstance(value, ErrorValue):
        raise CellProblem(_("shows the error {code}; correct the formula or type the value").format(
            code=value.code))
    if column.kind == "date":
        return _date(value)
    if isinstance(value, bool) or not isinstance(value, str):
        raise CellProblem(_not_text(column, value))
    if column.kind == "code" and _SCIENTIFIC.match(value.strip()):
        raise CellProblem(_("reads {value}, a number in Excel's scientific notation: its digits are "
                            "lost; in the original workbook {fix}, then save the CSV again").format(
                                value=value.strip(), fix=_(TEXT_FORMAT_FIX)))
    if column.kind == "list":
        return split_list(value)
    if column.kind == "services":
        return [_service(item) for item in split_list(value)]
    return value


def split_list(text: str) -> list[str]:
    """``姓名、身份证号码；手机号码`` → three items; empty items (a trailing 、) are dropped."""
    return [item.strip() for item in _SPLIT.split(text) if item.strip()]


def _service(item: str) -> str:
    if item in SERVICE_KEYS:
        return SERVICE_KEYS[item]
    if item.lower() in SERVICE_TITLES:
        return item.lower()
    raise CellProblem(_("unknown service “{item}”; write {titles} (or the keys {keys}), several "
                        "separated by 、").format(item=item, titles="、".join(SERVICE_TITLES.values()),
                                                 keys=", ".join(SERVICE_TITLES)))


def _not_text(column: Column, value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        shown = f"{value:.15g}"
        if column.kind == "code":
            return _("is stored as a number ({shown}): a spreadsheet drops leading zeros and every "
                     "digit after the 15th, so it is refused rather than guessed; {fix}").format(
                         shown=shown, fix=_(TEXT_FORMAT_FIX))
        return _("is a number ({shown}), not text; {fix}").format(shown=shown, fix=_(TEXT_FORMAT_FIX))
    if isinstance(value, (dt.date, dt.time)):
        return _("is a date or time cell ({value}), not text; {fix}").format(value=value,
                                                                            fix=_(TEXT_FORMAT_FIX))
    return _("is not text ({value}); {fix}").format(value=repr(value), fix=_(TEXT_FORMAT_FIX))


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise CellProblem(_("is a date with a time of day ({value}); write the date alone, "
                                "e.g. 2026-12-01").format(value=f"{value:%Y-%m-%d %H:%M}"))
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        match = _DATE_TEXT.match(value.strip())
        if match:
            year, *parts = match.groups()
            month, day = [int(p) for p in parts if p is not None]
            try:
                return dt.date(int(year), month, day)
            except ValueError as exc:
                raise CellProblem(_("“{value}” is not a real date; correct it").format(
                    value=value.strip())) from None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise CellProblem(_("is a plain number ({value}), not a date; format the cell as a date "
                            "(设置单元格格式 → 日期) or type the date as text, e.g. 2026-12-01").format(
                                value=f"{value:.15g}"))
    raise CellProblem(_("“{value}” is not a date; use a date cell or write it as 2026-12-01 "
                        "(2026/12/1 and 2026年12月1日 also work)").format(value=value))
