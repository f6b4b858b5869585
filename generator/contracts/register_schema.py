"""The register's tables, the one query that lists contracts with their state, and the v1 migration."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field, fields

from generator.contracts.register_events import derived_state, from_stored, to_utc

SCHEMA_VERSION = 2
EVENT_KINDS = ("generated", "sent", "signed", "archived", "void")
_CREATE = (
    """CREATE TABLE contracts (
    contract_number TEXT PRIMARY KEY,
    customer_id     TEXT NOT NULL,
    credit_code     TEXT NOT NULL,
    version         TEXT NOT NULL,
    reissue_of      TEXT,              -- the 合同编号 voided before this one was issued
    created_at      TEXT NOT NULL      -- UTC
)""",
    f"""CREATE TABLE events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_number TEXT NOT NULL REFERENCES contracts (contract_number),
    kind            TEXT NOT NULL CHECK (kind IN ({', '.join(repr(k) for k in EVENT_KINDS)})),
    at              TEXT NOT NULL,     -- UTC, 2026-12-04T04:30:00Z
    by              TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    -- a 生成 (generated) event's file, as written
    file_name TEXT, folder TEXT, sha256 TEXT, size INTEGER, signed INTEGER, source TEXT,
    company TEXT, expires_on TEXT,     -- 到期日, YYYY-MM-DD
    extra TEXT                         -- the sheet's columns the contract does not use, JSON
)""",
    """CREATE TABLE customers (
    customer_id TEXT PRIMARY KEY,      -- 客户编号, reserved for one company
    credit_code TEXT NOT NULL,
    company     TEXT NOT NULL,
    reserved_at TEXT NOT NULL
)""",
    "CREATE INDEX events_by_contract ON events (contract_number, id)",
    "CREATE INDEX events_by_kind ON events (contract_number, kind, id)",
    "CREATE INDEX contracts_by_creation ON contracts (created_at)",
    "CREATE INDEX contracts_by_version ON contracts (version, customer_id)",
    *(f"CREATE TRIGGER {table}_are_kept_{action.lower()} BEFORE {action} ON {table} "
      f"BEGIN SELECT RAISE(ABORT, 'the register''s {table} are written once'); END"
      for table in ("contracts", "customers") for action in ("UPDATE", "DELETE")),
    "CREATE TRIGGER events_are_appended_only BEFORE UPDATE ON events "
    "BEGIN SELECT RAISE(ABORT, 'the register''s events are append-only'); END",
    "CREATE TRIGGER events_are_never_deleted BEFORE DELETE ON events "
    "BEGIN SELECT RAISE(ABORT, 'the register''s events are append-only'); END",
)


@dataclass(frozen=True)
class Entry:
    """One contract as the register holds it: its identity, its newest file, its state."""

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
    written_at: str  # UTC, 2026-12-04T04:30:00Z
    source: str  # the input, absolute: /…/customers/acme.yml or /…/customers.xlsx:客户!5
    state: str  # generated, sent, signed, archived, void, expired (register_events.STATE_NAMES)
    expires_on: str | None = None
    reissue_of: str | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    kind: str
    at: str  # UTC
    by: str
    note: str
    file_name: str | None
    sha256: str | None


FIELDS = tuple(f.name for f in fields(Entry))
# The newest 生成 event gives the file, the newest event the state: two index lookups per
# contract (events_by_contract), so a page of the newest contracts never scans the events.
_SELECT = """
SELECT c.contract_number, c.customer_id, g.company, c.credit_code, c.version, g.file_name, g.folder,
       g.sha256, g.size, g.signed, g.at, g.source, l.kind, g.expires_on, c.reissue_of, g.extra
FROM contracts c
JOIN events g ON g.id = (SELECT MAX(id) FROM events WHERE contract_number = c.contract_number
                         AND kind = 'generated')
JOIN events l ON l.id = (SELECT MAX(id) FROM events WHERE contract_number = c.contract_number)"""
_EQUAL = {"version": "c.version", "customer_id": "c.customer_id", "contract_number": "c.contract_number",
          "credit_code": "c.credit_code"}


def entries_query(*, search: str | None = None, limit: int | None = None, newest_first: bool = False,
                  older_than: str | None = None, count: bool = False,
                  **equal: str | None) -> tuple[str, tuple]:
    """The SQL listing contracts: ``equal`` fields exactly, ``search`` as part of the company
    name, the 合同编号 or the 统一社会信用代码 (case-insensitive), ``older_than`` a version."""
    unknown = set(equal) - set(_EQUAL)
    if unknown:
        raise ValueError(f"no such register field: {sorted(unknown)}")
    where, params = [], []
    for name, value in equal.items():
        if value is not None:
            where.append(f"{_EQUAL[name]} = ?")
            params.append(value)
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append("(g.company LIKE ? ESCAPE '\\' OR c.contract_number LIKE ? ESCAPE '\\' "
                     "OR c.credit_code LIKE ? ESCAPE '\\')")
        params += [pattern] * 3
    if older_than:
        where.append("c.version < ?")
        params.append(older_than)
    condition = " WHERE " + " AND ".join(where) if where else ""
    if count:  # only a search needs the company of the newest 生成 event
        return (_SELECT if search else "SELECT c.contract_number FROM contracts c") + condition, tuple(params)
    order = "c.created_at DESC, c.contract_number DESC" if newest_first else "g.at, c.contract_number"
    sql = _SELECT + condition + f" ORDER BY {order}"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return sql, tuple(params)


def entry_from_row(row: tuple) -> Entry:
    values = dict(zip(FIELDS, row))
    values["signed"] = bool(values["signed"])
    values["state"] = derived_state(values["state"], values["expires_on"])
    values["extra"] = json.loads(values["extra"] or "{}")
    return Entry(**values)


def event_from_row(row: tuple) -> Event:
    return Event(*row)


def create_schema(db: sqlite3.Connection) -> None:
    for statement in _CREATE:
        db.execute(statement)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


_V1_COLUMNS = ("contract_number, customer_id, company, credit_code, version, file_name, folder, sha256, "
               "size, signed, written_at, source")


def migrate_v1(db: sqlite3.Connection) -> None:
    """A v1 register (one row per contract, updated in place, local times) becomes a v2 one:
    each row a contract with one 生成 event at its time in UTC. Inside the caller's
    transaction, so a migration is whole or not at all."""
    rows = db.execute(f"SELECT {_V1_COLUMNS} FROM contracts ORDER BY written_at, contract_number").fetchall()
    db.execute("DROP TABLE contracts")
    create_schema(db)
    for (number, customer, company, code, version, name, folder, sha, size, signed, written,
         source) in rows:
        at = to_utc(from_stored(written))
        db.execute("INSERT OR IGNORE INTO customers VALUES (?, ?, ?, ?)", (customer, code, company, at))
        db.execute("INSERT INTO contracts VALUES (?, ?, ?, ?, NULL, ?)", (number, customer, code, version, at))
        db.execute("INSERT INTO events (contract_number, kind, at, by, note, file_name, folder, sha256, size, "
                   "signed, source, company, extra) VALUES (?, 'generated', ?, '', ?, ?, ?, ?, ?, ?, ?, ?, '{}')",
                   (number, at, "migrated from the v1 register", name, folder, sha, size, signed, source,
                    company))
