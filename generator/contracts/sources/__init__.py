"""Where customers come from: YAML files (one customer each) and sheets (one per row).

Each reader turns its input into :class:`~generator.contracts.customers.Record`
objects (plain data plus where it came from); one validator,
:func:`~generator.contracts.customers.customer_from_record`, turns every
record into a customer with exactly the same rules.
"""

from __future__ import annotations

from pathlib import Path

from generator.content.loader import refuse_link_out_of
from generator.contracts.customers import Record, yaml_record
from generator.errors import AgreementsError
from generator.i18n import _

YAML_SUFFIXES = (".yml", ".yaml")
SHEET_SUFFIXES = (".xlsx", ".csv")


def read_records(path: Path, project_root: Path) -> list[Record]:
    """The customers one input file holds, not yet validated.

    A file that is a symbolic link out of the project is refused unread, whatever its kind.
    """
    refuse_link_out_of(path, project_root)
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        return [yaml_record(path, project_root)]
    if suffix in SHEET_SUFFIXES:
        from generator.contracts.sources.sheet import read_sheet

        return read_sheet(path)
    hint = (_(" Save the sheet as an Excel workbook (.xlsx) or as CSV UTF-8.")
            if suffix in (".xls", ".et", ".ods", ".numbers", ".xlsm", ".xlsb") else "")
    raise AgreementsError(_("not a customer file: use .yml (one customer) or .xlsx/.csv (one customer "
                            "per row).{hint}").format(hint=hint), file=path)
