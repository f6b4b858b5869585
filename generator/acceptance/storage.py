"""Where events live: SQLite (WAL, synchronous=FULL by default) or PostgreSQL, one schema.

The log tables (``events``, ``tree_heads``, ``checkpoints``) are append-only: triggers in
both databases refuse UPDATE and DELETE. The personal data behind each event sits in
``event_data``, which an erasure request or the retention period may delete: the log keeps
only hashes of it, so it still verifies afterwards. Queries are written with ``?`` and
turned into psycopg's ``%s``; none of them holds a literal question mark.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from generator.errors import AgreementsError
from generator.i18n import _

APPEND_ONLY = ("events", "tree_heads", "checkpoints")

# Migration n: statements shared by both databases, then each dialect's own.
SHARED_V1 = [
    "CREATE TABLE events (seq BIGINT PRIMARY KEY, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, "
    "leaf TEXT NOT NULL, leaf_hash TEXT NOT NULL, recorded_at TEXT NOT NULL)",
    "CREATE TABLE event_data (event_id TEXT PRIMARY KEY, kind TEXT NOT NULL, account TEXT NOT NULL, "
    "version TEXT NOT NULL, recorded_at TEXT NOT NULL, data TEXT NOT NULL)",
    "CREATE INDEX event_data_account ON event_data (account, recorded_at)",
    "CREATE INDEX event_data_time ON event_data (recorded_at)",
    "CREATE TABLE tree_heads (tree_size BIGINT PRIMARY KEY, head TEXT NOT NULL)",
    "CREATE TABLE checkpoints (tree_size BIGINT PRIMARY KEY, checkpoint TEXT NOT NULL)",
]
SQLITE_V1 = [f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
             f"BEGIN SELECT RAISE(ABORT, 'append-only: {op} refused on {table}'); END"
             for table in APPEND_ONLY for op in ("UPDATE", "DELETE")]
POSTGRES_V1 = [
    "CREATE FUNCTION agreements_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "RAISE EXCEPTION 'append-only: % refused on %', TG_OP, TG_TABLE_NAME; END $$",
    *(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
      "FOR EACH ROW EXECUTE FUNCTION agreements_refuse_change()" for table in APPEND_ONLY),
    *(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
      "FOR EACH STATEMENT EXECUTE FUNCTION agreements_refuse_change()" for table in APPEND_ONLY),
]
MIGRATIONS = {1: {"sqlite": SHARED_V1 + SQLITE_V1, "postgresql": SHARED_V1 + POSTGRES_V1}}


class AppendOnlyViolation(Exception):
    """The database refused to change or remove a log row."""


@dataclass(frozen=True)
class DatabaseUrl:
    dialect: str  # sqlite | postgresql
    target: str  # a file path, or the libpq connection string

    @classmethod
    def parse(cls, url: str, root: Path) -> DatabaseUrl:
        scheme = urlsplit(url).scheme
        if scheme == "sqlite":
            rest = url[len("sqlite://"):]
            if not rest.startswith("/") or len(rest) < 2:
                raise AgreementsError(_("a SQLite URL names a file: sqlite:///var/acceptances.sqlite "
                                        "(relative to the project) or sqlite:////abs/path"), key="--database")
            path = Path(rest[1:])
            return cls("sqlite", str(path if path.is_absolute() else root / path))
        if scheme in ("postgresql", "postgres"):
            return cls("postgresql", url)
        raise AgreementsError(_("unknown database URL scheme `{scheme}`; use sqlite:///FILE or "
                                "postgresql://USER@HOST/DB").format(scheme=scheme), key="--database")


class Database:
    """One connection; the caller decides which thread uses it."""

    def __init__(self, url: DatabaseUrl, *, synchronous: str = "FULL") -> None:
        self.dialect = url.dialect
        if url.dialect == "sqlite":
            Path(url.target).parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(url.target, isolation_level=None, check_same_thread=False,
                                        timeout=30)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute(f"PRAGMA synchronous={synchronous}")
            self.conn.execute("PRAGMA foreign_keys=ON")
        else:
            import psycopg

            try:
                self.conn = psycopg.connect(url.target, autocommit=True, connect_timeout=10)
            except psycopg.OperationalError as exc:
                parts = urlsplit(url.target)  # shown without user and password
                host = f"{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}"
                where = parts._replace(netloc=host).geturl()
                reason = str(exc).strip().splitlines()[-1].strip()
                raise AgreementsError(_("cannot connect to PostgreSQL at {where}: {reason}; check the URL "
                                        "and that the server runs").format(where=where, reason=reason),
                                      key="--database") from None

    def _query(self, sql: str, params) -> tuple:
        if self.dialect == "sqlite":
            return sql, tuple(params)
        # psycopg reads % in a statement as a placeholder only when parameters are given
        return (sql.replace("?", "%s"), tuple(params)) if params else (sql,)

    def rows(self, sql: str, params=()) -> list[tuple]:
        try:
            return list(self.conn.execute(*self._query(sql, params)).fetchall())
        except Exception as exc:  # noqa: BLE001 - sqlite3 or psycopg, whichever backend: translated and re-raised
            raise _translated(exc) from exc

    def transaction(self, statements: list[tuple[str, tuple]]) -> None:
        """Run ``statements`` in one durable transaction (group commit: one fsync for all)."""
        cursor = self.conn.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE" if self.dialect == "sqlite" else "BEGIN")
            for sql, params in statements:
                cursor.execute(*self._query(sql, params))
            cursor.execute("COMMIT")
        except Exception as exc:  # noqa: BLE001 - sqlite3 or psycopg, whichever backend: rolled back and re-raised
            try:
                cursor.execute("ROLLBACK")
            except Exception:  # noqa: BLE001 - the first error is the one to report
                pass
            raise _translated(exc) from exc

    def migrate(self) -> int:
        """Apply missing migrations; return the schema version."""
        self.transaction([("CREATE TABLE IF NOT EXISTS schema_migrations "
                           "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)", ())])
        done = {row[0] for row in self.rows("SELECT version FROM schema_migrations")}
        for number, dialects in sorted(MIGRATIONS.items()):
            if number not in done:
                now = dt.datetime.now(dt.timezone.utc).isoformat()
                self.transaction([(sql, ()) for sql in dialects[self.dialect]]
                                 + [("INSERT INTO schema_migrations VALUES (?, ?)", (number, now))])
        return max(MIGRATIONS)

    def close(self) -> None:
        self.conn.close()


def _translated(exc: Exception) -> Exception:
    return AppendOnlyViolation(str(exc)) if "append-only" in str(exc) else exc
