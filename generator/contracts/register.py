"""The register: one row for every contract `agreements contract` has written.

SQLite (Python's sqlite3) in WAL mode, at ``register:`` of site_config.yml
(default ``out/register.sqlite``, relative to the project). Each contract is
recorded in its own short transaction right after its PDF is in place, so a
batch that stops half-way still has every contract it wrote on record, and two
batches running at once both get all their rows (WAL lets readers go on while
one writer commits; writers wait up to ``BUSY_SECONDS`` for each other). A
contract is known by its number: writing it again updates its row.

The register is what answers "who signed version X?": after a new version is
published, ``agreements register --version X`` lists the customers to notify.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import random
import sqlite3
import time
import unicodedata
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from generator.content.config import SiteConfig
from generator.content.project import Project
from generator.contracts.customers import Customer
from generator.errors import AgreementsError, display_path

BUSY_SECONDS = 60.0
SCHEMA_VERSION = 1
_CREATE = ("""
CREATE TABLE IF NOT EXISTS contracts (
    contract_number TEXT PRIMARY KEY,
    customer_id     TEXT NOT NULL,
    company         TEXT NOT NULL,
    credit_code     TEXT NOT NULL,
    version         TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    folder          TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    size            INTEGER NOT NULL,
    signed          INTEGER NOT NULL,
    written_at      TEXT NOT NULL,
    source          TEXT NOT NULL
)""", "CREATE INDEX IF NOT EXISTS contracts_by_version ON contracts (version, customer_id)")


@dataclass(frozen=True)
class Entry:
    """One issued contract as the register holds it."""

    contract_number: str
    customer_id: str
    company: str
    credit_code: str
    version: str
    file_name: str
    folder: str  # absolute path of the folder the PDF was written to
    sha256: str  # of the PDF as written (乙方's signature included when signed)
    size: int  # bytes; a later incremental save (甲方 signs) keeps these bytes as its start
    signed: bool  # 乙方 signed it when it was written
    written_at: str  # ISO 8601, local time with its UTC offset
    source: str  # the input, absolute: /…/customers/acme.yml or /…/customers.xlsx:客户!5


FIELDS = tuple(f.name for f in fields(Entry))
_UPSERT = (f"INSERT INTO contracts ({', '.join(FIELDS)}) VALUES ({', '.join('?' * len(FIELDS))}) "
           f"ON CONFLICT (contract_number) DO UPDATE SET "
           f"{', '.join(f'{name} = excluded.{name}' for name in FIELDS[1:])}")


def register_path(root: Path, config: SiteConfig) -> Path:
    path = Path(config.register_file)
    return path if path.is_absolute() else root / path


class Register:
    """The register opened for writing (created on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
            _while_busy(self._set_up)
        except (OSError, sqlite3.Error) as exc:
            raise _unusable(path, exc) from None
        if self._schema_version() != SCHEMA_VERSION:
            raise AgreementsError(f"the register has schema version {self._schema_version()}, this "
                                  f"generator knows {SCHEMA_VERSION}; use a matching generator",
                                  file=path, key="register")

    def _set_up(self) -> None:
        """WAL mode and the table, created by whichever batch comes first."""
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # WAL stays consistent; fsync at checkpoints
        with _immediate(self._db):  # two batches may create it at once
            if self._schema_version() == 0:
                for statement in _CREATE:
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _schema_version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    def record(self, customer: Customer, pdf: Path, *, signed: bool) -> Entry:
        """Record (or update) the contract just written to ``pdf``."""
        data = pdf.read_bytes()
        entry = Entry(customer.contract_number, customer.id, customer.data.company,
                      customer.data.credit_code, customer.version.date, pdf.name, str(pdf.parent),
                      hashlib.sha256(data).hexdigest(), len(data), signed,
                      dt.datetime.now().astimezone().isoformat(timespec="seconds"), customer.origin)
        try:
            with _immediate(self._db):
                self._db.execute(_UPSERT, tuple(asdict(entry).values()))
        except sqlite3.Error as exc:
            raise AgreementsError(f"{pdf.name} was written but could not be recorded ({exc}); run the "
                                  "batch again once the register is writable", file=self.path,
                                  key="register") from None
        return entry

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


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
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def read_entries(path: Path, **equal: str | None) -> list[Entry]:
    """The register's rows (oldest first) whose fields equal ``equal``'s non-None values,
    e.g. ``version="2021-12-20"``; read-only, and none when there is no register yet."""
    if not path.is_file():
        return []
    conditions = {name: value for name, value in equal.items() if value is not None}
    assert set(conditions) <= set(FIELDS), conditions
    where = " AND ".join(f"{name} = ?" for name in conditions)
    sql = (f"SELECT {', '.join(FIELDS)} FROM contracts{' WHERE ' + where if where else ''} "
           "ORDER BY written_at, contract_number")
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_SECONDS)
        try:
            rows = db.execute(sql, tuple(conditions.values())).fetchall()
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise _unusable(path, exc) from None
    return [Entry(**{**dict(zip(FIELDS, row)), "signed": bool(row[FIELDS.index("signed")])})
            for row in rows]


def _unusable(path: Path, exc: Exception) -> AgreementsError:
    return AgreementsError(f"cannot use the register ({exc}); check that the file is an SQLite "
                           f"database and its folder is writable, or set `register:` in site_config.yml",
                           file=display_path(path), key="register")


# --------------------------------------------------------------------------- listing

HEADERS = {  # the customer sheet's headers where the two share a column
    "contract_number": "合同编号", "customer_id": "客户编号", "company": "公司名称",
    "credit_code": "统一社会信用代码", "version": "协议版本", "file_name": "文件名", "folder": "文件夹",
    "sha256": "SHA-256", "size": "字节数", "signed": "乙方已签", "written_at": "写入时间", "source": "来源",
}
TABLE_FIELDS = ("contract_number", "customer_id", "company", "credit_code", "version", "signed",
                "written_at", "sha256")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def entries_json(entries: list[Entry]) -> str:
    return json.dumps([asdict(e) for e in entries], ensure_ascii=False, indent=2) + "\n"


def entries_csv(entries: list[Entry]) -> str:
    """CSV for Excel: UTF-8 with a BOM (so Excel reads the Chinese), one header row.

    A value starting like a formula (=, +, -, @) is prefixed with ' so that a
    spreadsheet shows it instead of running it: a company name is data, never code.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([HEADERS[name] for name in FIELDS])
    for entry in entries:
        writer.writerow([_csv_cell(value) for value in _shown(entry).values()])
    return "\ufeff" + out.getvalue()


def entries_table(entries: list[Entry]) -> str:
    """An aligned table for the terminal (Chinese characters count as two columns)."""
    rows = [[HEADERS[name] for name in TABLE_FIELDS]]
    for entry in entries:
        shown = _shown(entry)
        shown["sha256"] = entry.sha256[:12] + "…"
        rows.append([str(shown[name]) for name in TABLE_FIELDS])
    widths = [max(_width(row[i]) for row in rows) for i in range(len(TABLE_FIELDS))]
    lines = ["  ".join(cell + " " * (width - _width(cell)) for cell, width in zip(row, widths)).rstrip()
             for row in rows]
    return "\n".join(lines) + f"\n{len(entries)} contract(s)\n"


def _shown(entry: Entry) -> dict[str, object]:
    values = asdict(entry)
    values["signed"] = "是" if entry.signed else "否"
    return values


def _csv_cell(value: object) -> object:
    return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def notify_hint(project: Project, published: str) -> str:
    """After publishing: who signed an older version, and how to list them."""
    older = [v.date for v in project.versions if not v.is_draft and v.date < published]
    if not older:
        return "no older published version: no customer needs to hear about this one"
    path = register_path(project.root, project.config)
    lines = [f"customers who signed an older version must hear about {published}; list them with:"]
    for version in reversed(older):
        count = len(read_entries(path, version=version))
        lines.append(f"  agreements register --version {version}    # {count} contract(s) in the register")
    return "\n".join(lines)


# --------------------------------------------------------------------------- verify's check


@dataclass(frozen=True)
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
        where = "" if register.is_file() else " (there is no register yet)"
        return RegisterFinding(None, f"contract {contract_number} is not in the register "
                               f"{display_path(register)}{where}; it was written elsewhere or before "
                               "the register existed")
    data = pdf.read_bytes()
    written = f"written {entry.written_at} as {entry.file_name}{', 乙方 signed' if entry.signed else ''}"
    if hashlib.sha256(data).hexdigest() == entry.sha256:
        return RegisterFinding(True, f"in the register ({written}); SHA-256 matches: the file as issued")
    if len(data) > entry.size and hashlib.sha256(data[:entry.size]).hexdigest() == entry.sha256:
        return RegisterFinding(True, f"in the register ({written}); its first {entry.size} bytes match the "
                               "registered SHA-256: the file as issued plus later changes (such as "
                               "甲方's signature)")
    return RegisterFinding(False, f"in the register ({written}), but the SHA-256 differs: this is not the "
                           "file that was issued (it was re-exported since, or changed)")
