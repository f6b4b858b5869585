"""The acceptance service's state and settings: databases, the ledger, keys, the catalog."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from generator.acceptance.catalog import Catalog
from generator.acceptance.checkpoints import Checkpoints, run_every
from generator.acceptance.keys import load_keyring
from generator.acceptance.ledger import Ledger
from generator.acceptance.security import AccountTokens, RateLimit
from generator.acceptance.storage import Database, DatabaseUrl
from generator.content.project import load_project
from generator.errors import AgreementsError
from generator.i18n import _
from generator.library_messages import library_reason


@dataclass
class Settings:
    root: Path
    database: str = "sqlite:///var/acceptances.sqlite"
    keys_dir: Path = Path("var/acceptance-keys")
    account_key: Path | None = None  # the product backend's Ed25519 public key (PEM)
    admin_token: str | None = None
    ip_key: bytes | None = None  # HMAC key for client addresses; default: kept in keys_dir
    synchronous: str = "FULL"
    tsa_url: str | None = None
    checkpoint_interval: float = 0  # seconds; 0: on demand only
    retention_days: int | None = None
    max_body: int = 16_384
    rate: float = 0  # requests per second per client address; 0: unlimited
    burst: int = 50
    site_origins: list[str] = field(default_factory=list)


def _account_key(path: Path | None) -> Ed25519PublicKey:
    if path is None:
        raise AgreementsError(_("the service needs the product backend's Ed25519 public key that "
                                "signs account tokens: --account-key FILE.pem"), key="--account-key")
    try:
        public = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise AgreementsError(_("cannot read the account key: {reason}").format(reason=library_reason(exc)), file=path) from None
    if not isinstance(public, Ed25519PublicKey):
        raise AgreementsError(_("the account key must be an Ed25519 public key (PEM)"), file=path)
    return public


def _ip_key(settings: Settings) -> bytes:
    if settings.ip_key:
        return settings.ip_key
    path = settings.keys_dir / "ip-hmac.key"
    if not path.is_file():
        settings.keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_bytes(secrets.token_bytes(32))
        path.chmod(0o600)
    return path.read_bytes()


class Service:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        project = load_project(settings.root)
        self.catalog = Catalog(project)
        self.site_origins = settings.site_origins or project.config.acceptance.site_origins
        self.tokens = AccountTokens(_account_key(settings.account_key))
        self.keyring = load_keyring(settings.keys_dir if settings.keys_dir.is_absolute()
                                    else settings.root / settings.keys_dir)
        self.ip_key = _ip_key(settings)
        url = DatabaseUrl.parse(settings.database, settings.root)
        writer = Database(url, synchronous=settings.synchronous)
        writer.migrate()
        self.reader = Database(url, synchronous=settings.synchronous)
        self.read_lock = threading.Lock()
        self.ledger = Ledger(writer, self.keyring)
        self.checkpoints = Checkpoints(self.ledger, self.reader, self.read_lock, settings.tsa_url)
        self.rate = RateLimit(settings.rate, settings.burst)
        self.stop = threading.Event()
        self.apply_retention()
        if settings.checkpoint_interval > 0:
            run_every(settings.checkpoint_interval, self._round, self.stop)

    def _round(self) -> None:
        self.checkpoints.make()
        self.apply_retention()

    def apply_retention(self, now: dt.datetime | None = None) -> None:
        """Erase the personal data of events older than the retention period (the log stays)."""
        if self.settings.retention_days:
            now = now or dt.datetime.now(dt.timezone.utc)
            cutoff = now - dt.timedelta(days=self.settings.retention_days)
            self.purge_expired(cutoff.isoformat(timespec="microseconds").replace("+00:00", "Z"))

    def rows(self, sql: str, params=()) -> list[tuple]:
        with self.read_lock:
            return self.reader.rows(sql, params)

    def stored(self, event_id: str, kind: str) -> dict | None:
        rows = self.rows("SELECT data FROM event_data WHERE event_id = ? AND kind = ?", (event_id, kind))
        return json.loads(rows[0][0]) if rows else None

    def erase(self, account: str) -> int:
        """Delete an account's personal data (a deletion request); the log keeps its hashes."""
        with self.read_lock:
            count = self.reader.rows("SELECT COUNT(*) FROM event_data WHERE account = ?", (account,))[0][0]
            self.reader.transaction([("DELETE FROM event_data WHERE account = ?", (account,))])
        return count

    def purge_expired(self, before: str) -> None:
        with self.read_lock:
            self.reader.transaction([("DELETE FROM event_data WHERE recorded_at < ?", (before,))])

    def close(self) -> None:
        self.stop.set()
        self.ledger.close()
        self.ledger.db.close()
        self.reader.close()
