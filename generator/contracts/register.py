"""The register: every contract `agreements contract` has written, and what happened to it since.

SQLite (Python's sqlite3) in WAL mode, at ``register:`` of site_config.yml
(default ``out/register.sqlite``, relative to the project). Three tables:

- ``contracts``: one row per 合同编号, its identity (客户编号, 统一社会信用代码, version,
  and the number it reissues after 已作废), written once;
- ``events``: append-only (triggers refuse UPDATE and DELETE): 生成 each time its PDF
  is written (file, SHA-256, 到期日, unknown sheet columns as JSON), then 已发出,
  甲方已签, 已归档, 已作废 — each with its UTC time and who. The state is the newest event
  (see :mod:`register_events`);
- ``customers``: each 客户编号 reserved for one 统一社会信用代码, so that two salespeople
  never issue the same 合同编号 to two companies.

``PRAGMA user_version`` holds the schema version: a register written by a newer
generator is refused by name, a v1 register (one row per contract) is migrated.
Export writes each PDF under a temporary name and renames it only once its 生成
event is committed, so a folder never holds a contract the register does not know.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import sqlite3
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from generator.content.config import SiteConfig
from generator.contracts.customers import Customer
from generator.contracts.register_events import beijing, check_mark, utc_now
from generator.contracts.register_schema import (SCHEMA_VERSION, Entry, Event, create_schema,
                                                 entries_query, event_from_row, entry_from_row,
                                                 migrate_v1)
from generator.errors import AgreementsError, display_path
from generator.i18n import _
from generator.library_messages import library_reason

__all__ = ["Entry", "Event", "Register", "SCHEMA_VERSION", "read_entries", "read_history",
           "register_path", "check_registered", "RegisterFinding"]
BUSY_SECONDS = 60.0


def register_path(root: Path, config: SiteConfig) -> Path:
    path = Path(config.register_file)
    return path if path.is_absolute() else root / path


class Register:
    """The register opened for writing (created on first use, a v1 register migrated)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._reissued: dict[str, str] = {}  # new 合同编号 → the voided one it replaces
        _refuse_non_file(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
            _while_busy(self._set_up)
        except (OSError, sqlite3.Error) as exc:
            raise _unusable(path, exc) from None

    def _set_up(self) -> None:
        """WAL mode and the tables, created (or migrated) by whichever batch comes first."""
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # WAL stays consistent; fsync at checkpoints
        with _immediate(self._db):  # two batches may create it at once
            version = _schema_version(self._db)
            _refuse_newer(self.path, version)
            if version == 0:
                create_schema(self._db)
            elif version == 1:
                migrate_v1(self._db)

    def reserve(self, customers: list[Customer]) -> list[Customer]:
        """Before anything is rendered: reserve each 客户编号 for its 统一社会信用代码 (refused
        when another company holds it), and give a contract voided since a new number (its
        number with ``-R1``, ``-R2``…), which its PDF's provenance then carries."""
        chosen = []
        with _immediate(self._db):
            for customer in customers:
                self._reserve_customer(customer)
                number = self._reissue_number(customer)
                if number != customer.contract_number:
                    self._reissued[number] = customer.contract_number
                    customer = dataclasses.replace(customer, contract_number=number)
                chosen.append(customer)
        return chosen

    def _reserve_customer(self, customer: Customer) -> None:
        row = self._db.execute("SELECT credit_code, company FROM customers WHERE customer_id = ?",
                               (customer.id,)).fetchone()
        if row is None:
            self._db.execute("INSERT INTO customers VALUES (?, ?, ?, ?)", (
                customer.id, customer.data.credit_code, customer.data.company, utc_now()))
        elif row[0] != customer.data.credit_code:
            raise AgreementsError(_(
                "客户编号 {id} is already reserved for {company} ({code}); give this company its own "
                "客户编号").format(id=customer.id, company=row[1], code=row[0]),
                file=customer.origin or None, key="id")
        owner = self._db.execute("SELECT credit_code FROM contracts WHERE contract_number = ?",
                                 (customer.contract_number,)).fetchone()
        if owner and owner[0] != customer.data.credit_code:
            raise AgreementsError(_("合同编号 {number} already belongs to the company with 统一社会信用代码 "
                                    "{code}; choose another").format(number=customer.contract_number,
                                                                     code=owner[0]),
                                  file=customer.origin or None, key="contract_number")

    def _reissue_number(self, customer: Customer) -> str:
        number, base, suffix = customer.contract_number, customer.contract_number, 0
        while self._last_event(number) == "void":
            suffix += 1
            number = f"{base}-R{suffix}"
        return number

    def _last_event(self, number: str) -> str | None:
        row = self._db.execute("SELECT kind FROM events WHERE contract_number = ? ORDER BY id DESC "
                               "LIMIT 1", (number,)).fetchone()
        return row[0] if row else None

    def record(self, customer: Customer, pdf: Path, *, signed: bool, target: Path | None = None,
               by: str = "", expires_on: str | None = None, extra: dict | None = None) -> Entry:
        """Append the 生成 event of the contract whose bytes are in ``pdf`` and which will be
        (or is) at ``target`` (default: ``pdf``)."""
        target = target or pdf
        data = pdf.read_bytes()
        at = utc_now()
        try:
            with _immediate(self._db):
                self._reserve_customer(customer)
                self._db.execute(
                    "INSERT OR IGNORE INTO contracts VALUES (?, ?, ?, ?, ?, ?)",
                    (customer.contract_number, customer.id, customer.data.credit_code, customer.version.date,
                     self._reissued.get(customer.contract_number), at))
                self._db.execute(
                    "INSERT INTO events (contract_number, kind, at, by, file_name, folder, sha256, size, "
                    "signed, source, company, expires_on, extra) VALUES (?, 'generated', ?, ?, ?, ?, ?, ?, "
                    "?, ?, ?, ?, ?)",
                    (customer.contract_number, at, by, target.name, str(target.parent),
                     hashlib.sha256(data).hexdigest(), len(data), int(signed), customer.origin,
                     customer.data.company, expires_on, json.dumps(extra or {}, ensure_ascii=False)))
        except sqlite3.Error as exc:
            raise AgreementsError(_("{name} was written but could not be recorded ({error}); run the "
                                    "batch again once the register is writable").format(
                                        name=target.name, error=library_reason(exc)), file=self.path, key="register") from None
        [entry] = self.entries(contract_number=customer.contract_number)
        return entry

    def mark(self, number: str, mark: str, *, by: str, note: str = "") -> Entry:
        """Append a lifecycle event (已发出, 甲方已签, 已归档, 已作废) after checking the step."""
        with _immediate(self._db):
            [entry] = self.entries(contract_number=number) or [None]
            if entry is None:
                raise AgreementsError(_("contract {number} is not in the register").format(number=number),
                                      file=display_path(self.path), key="mark")
            check_mark(number, entry.state, mark)
            self._db.execute("INSERT INTO events (contract_number, kind, at, by, note) VALUES (?, ?, ?, ?, ?)",
                             (number, mark, utc_now(), by, note))
        [entry] = self.entries(contract_number=number)
        return entry

    def entries(self, **conditions) -> list[Entry]:
        sql, params = entries_query(**conditions)
        return [entry_from_row(row) for row in self._db.execute(sql, params)]

    def history(self, number: str) -> list[Event]:
        return _history(self._db, number)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _schema_version(db: sqlite3.Connection) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def _refuse_newer(path: Path, version: int) -> None:
    if version > SCHEMA_VERSION:
        raise AgreementsError(_("this register was written by a newer version of agreements (register "
                                "schema {found}; this one reads up to {known}); upgrade agreements to "
                                "use it").format(found=version, known=SCHEMA_VERSION),
                              file=display_path(path), key="register")


def _refuse_non_file(path: Path) -> None:
    """A folder or a link to nothing where the register belongs is a mistake, not an empty register."""
    if path.is_symlink() and not path.exists():
        raise AgreementsError(_("the register is a link to {target}, which does not exist").format(
            target=path.readlink()), file=display_path(path), key="register")
    if path.exists() and not path.is_file():
        raise AgreementsError(_("the register is a folder, not a file; point `register:` in "
                                "site_config.yml at a file"), file=display_path(path), key="register")


def _while_busy(action: Callable[[], None]) -> None:
    """Run ``action``, again while another process holds the register, for up to BUSY_SECONDS.

    The connection's timeout covers ordinary waits for a lock, but SQLite answers
    "database is locked" at once, without waiting, where waiting could deadlock —
    e.g. while another process switches a new register to WAL mode — so opening a
    register several batches create at the same moment needs its own retry.
    """
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            return action()
        except sqlite3.OperationalError as exc:
            busy = "locked" in str(exc) or "busy" in str(exc)
            if not busy or time.monotonic() > deadline:
                raise
        time.sleep(0.02 + random.random() * 0.05)  # apart, so the processes stop colliding


@contextmanager
def _immediate(db: sqlite3.Connection):
    """BEGIN IMMEDIATE … COMMIT: take the write lock up front, so a busy register is waited
    for (up to BUSY_SECONDS) before anything is done, never half-way through."""
    if db.in_transaction:  # nested (mark reads inside its own transaction)
        yield
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


@contextmanager
def _read_only(path: Path):
    _refuse_non_file(path)
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_SECONDS)
    try:
        version = _schema_version(db)
        _refuse_newer(path, version)
        if version == 1:
            raise AgreementsError(_("this register has the old layout (schema 1); any command that "
                                    "writes it (`agreements contract`, `agreements register mark`) "
                                    "upgrades it"), file=display_path(path), key="register")
        yield db
    finally:
        db.close()


def read_entries(path: Path, **conditions) -> list[Entry]:
    """The contracts (oldest first) matching ``conditions`` (version=, customer_id=,
    contract_number=, credit_code=, search= partial company/合同编号/统一社会信用代码, state=);
    read-only, and none when there is no register yet."""
    _refuse_non_file(path)
    if not path.exists():
        return []
    sql, params = entries_query(**conditions)
    try:
        with _read_only(path) as db:
            return [entry_from_row(row) for row in db.execute(sql, params)]
    except sqlite3.Error as exc:
        raise _unusable(path, exc) from None


def written_files(path: Path) -> set[Path]:
    """Every contract file the register recorded as written, the earlier copies of a contract
    written again (to another folder, say) included."""
    _refuse_non_file(path)
    if not path.exists():
        return set()
    try:
        with _read_only(path) as db:
            rows = db.execute("SELECT folder, file_name FROM events WHERE kind = 'generated'").fetchall()
    except sqlite3.Error as exc:
        raise _unusable(path, exc) from None
    return {Path(folder) / name for folder, name in rows}


def count_entries(path: Path, **conditions) -> int:
    """How many contracts ``read_entries`` would list (without reading them)."""
    _refuse_non_file(path)
    if not path.exists():
        return 0
    sql, params = entries_query(count=True, **conditions)
    try:
        with _read_only(path) as db:
            return db.execute(f"SELECT COUNT(*) FROM ({sql})", params).fetchone()[0]
    except sqlite3.Error as exc:
        raise _unusable(path, exc) from None


def read_history(path: Path, contract_number: str) -> list[Event]:
    """Every event of one contract, oldest first."""
    _refuse_non_file(path)
    if not path.exists():
        return []
    try:
        with _read_only(path) as db:
            return _history(db, contract_number)
    except sqlite3.Error as exc:
        raise _unusable(path, exc) from None


def _history(db: sqlite3.Connection, contract_number: str) -> list[Event]:
    rows = db.execute("SELECT kind, at, by, note, file_name, sha256 FROM events "
                      "WHERE contract_number = ? ORDER BY id", (contract_number,)).fetchall()
    return [event_from_row(row) for row in rows]


def _unusable(path: Path, exc: Exception) -> AgreementsError:
    return AgreementsError(_("cannot use the register ({error}); check that the file is an SQLite "
                             "database and its folder is writable, or set `register:` in "
                             "site_config.yml").format(error=library_reason(exc)), file=display_path(path), key="register")


# --------------------------------------------------------------------------- verify's check


@dataclasses.dataclass(frozen=True)
class RegisterFinding:
    """What the register says about a contract PDF: ``issued`` is True when these are the bytes
    written (or they begin a later incremental save of them), False when they differ, None when
    the register does not know the contract."""

    issued: bool | None
    message: str


def check_registered(register: Path, pdf: Path, contract_number: str) -> RegisterFinding:
    """Is the contract in the register, and is this file the one that was written?"""
    try:
        [entry] = read_entries(register, contract_number=contract_number) or [None]
    except AgreementsError as exc:  # the verdict on the text stands without the register
        return RegisterFinding(None, f"{display_path(register)}: {exc.message}")
    if entry is None:
        return RegisterFinding(None, (_("contract {number} is not in the register {register}; it was "
                                        "written elsewhere or before the register existed")
                                      if register.is_file() else
                                      _("contract {number} is not in the register {register} (there is "
                                        "no register yet); it was written elsewhere or before the register "
                                        "existed")).format(number=contract_number, register=display_path(register)))
    data = pdf.read_bytes()
    written = (_("written {at} as {name}, 乙方 signed") if entry.signed
               else _("written {at} as {name}")).format(at=_("{time} Beijing time").format(time=beijing(entry.written_at)),
                                                         name=entry.file_name)
    if hashlib.sha256(data).hexdigest() == entry.sha256:
        return RegisterFinding(True, _("in the register ({written}); SHA-256 matches: the file as issued").format(
            written=written))
    if len(data) > entry.size and hashlib.sha256(data[:entry.size]).hexdigest() == entry.sha256:
        return RegisterFinding(True, _("in the register ({written}); its first {size} bytes match the "
                                 "registered SHA-256: the file as issued plus later changes (such as "
                                 "甲方's signature)").format(written=written, size=entry.size))
    return RegisterFinding(False, _("in the register ({written}), but the SHA-256 differs: this is not the "
                             "file that was issued (it was re-exported since, or changed)").format(written=written))
