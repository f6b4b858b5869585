"""What a sheet holds besides customers: the template's example row and notes columns.

The template's example row is marked visibly — its 客户编号 starts with
:data:`EXAMPLE_MARK`, which no real 客户编号 can (they are lower-case letters,
digits and ``-``) — and is refused with its row number, so it can never become
a contract. A column whose header is no customer field (备注, 销售, …) is kept
with the customer as a note and never printed; a header that looks like a
misspelt field is refused instead, so a typo never silently drops a value.
"""

from __future__ import annotations

import difflib

from generator.contracts.sources.columns import COLUMNS, Column
from generator.i18n import _

EXAMPLE_MARK = "示例-"
CLOSE_ENOUGH = 0.6  # difflib's ratio: 公司名 → 公司名称 (0.86) is a typo, 备注 matches nothing


def is_example_id(value: object) -> bool:
    return isinstance(value, str) and value.strip().startswith(EXAMPLE_MARK)


def example_row_message() -> str:
    return _("this is the template's example row (its 客户编号 starts with {mark}): it never becomes a "
             "contract; delete the row, or overwrite it with a real customer including the 客户编号"
             ).format(mark=EXAMPLE_MARK)


def misspelt_field(header: str) -> Column | None:
    """The customer field ``header`` most likely means to name, if it is close to one."""
    names = {name: column for column in COLUMNS for name in (column.header, column.key)}
    match = difflib.get_close_matches(header.strip(), names, n=1, cutoff=CLOSE_ENOUGH)
    return names[match[0]] if match else None
