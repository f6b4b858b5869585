"""The register's 已归档 step, taken by `agreements archive` itself.

An archived contract is the evidence kept for decades; the register is where sales and
the legal team follow each contract's life. So when `archive` has written the archived
file, it appends 已归档 to the register of the project (``--root``) — with the archived
file's name, SHA-256 and document timestamp in the event's note — provided the input
is the file that register issued (its first bytes match the registered SHA-256:
乙方's file plus 甲方's signature) and the register's state allows the step (甲方已签,
or 已归档 when an archive is renewed). Otherwise nothing is appended and the caller
shows why, with what to do: the archived file stands either way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from generator.content.config import load_config
from generator.contracts import contract
from generator.contracts.register import Register, check_registered, register_path
from generator.contracts.register_events import BEIJING
from generator.contracts.verify.provenance import read_info
from generator.errors import AgreementsError, display_path
from generator.i18n import _

__all__ = ["ArchiveRecord", "record_archived"]


@dataclass(frozen=True)
class ArchiveRecord:
    recorded: bool
    message: str     # a line for the person who archived: what was recorded, or why not


def record_archived(root: Path, source: Path, out: Path, archived: bytes, timestamp_time: dt.datetime,
                    by: str) -> ArchiveRecord:
    """Append 已归档 for the contract ``source`` (archived as ``archived``, written to ``out``)
    to the register of the project at ``root``."""
    try:
        config = load_config(root)
    except AgreementsError as exc:
        return ArchiveRecord(False, _("not recorded in a register: {reason} (--root names the "
                                      "project whose register follows the contract)").format(reason=exc.message))
    number = read_info(archived).get(contract.META_NUMBER)
    register = register_path(root, config)
    if not number:
        return ArchiveRecord(False, _("not recorded in the register: the file names no 合同编号, so it "
                                      "was not written by `agreements contract`"))
    finding = check_registered(register, source, number)
    if finding.issued is not True:
        return ArchiveRecord(False, _("not recorded in the register: {finding}").format(finding=finding.message))
    note = _("archived as {name} (SHA-256 {digest}), document timestamp {time} 北京时间").format(
        name=out.name, digest=hashlib.sha256(archived).hexdigest(),
        time=timestamp_time.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M"))
    try:
        with Register(register) as opened:
            opened.mark(number, "archived", by=by, note=note)
    except AgreementsError as exc:
        return ArchiveRecord(False, _("not recorded in the register: {reason}; once 甲方 has signed, "
                                      "mark it (agreements register mark {number} signed) and archive "
                                      "again").format(reason=exc.message, number=number))
    return ArchiveRecord(True, _("{number}: 已归档 recorded in the register {register} ({by})").format(
        number=number, register=display_path(register), by=by))
