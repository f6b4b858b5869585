"""Who may use the desk, and what every request must carry.

On 127.0.0.1 only this computer's user reaches the desk, so there is no login:
the desk asks the salesperson's name once per browser session, for the events
it records. Bound to any other address it requires the administrator's
password (an argon2 hash, never the password itself, in the desk's settings).
Either way a session is a random token in an HttpOnly, SameSite=Strict cookie,
held in memory and expired after ``idle`` seconds without a request; every form
carries the session's CSRF token, checked on every POST.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

COOKIE = "desk_session"
IDLE_SECONDS = 8 * 3600  # a working day; a login elsewhere than 127.0.0.1 expires sooner
LOGIN_IDLE_SECONDS = 30 * 60
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class Session:
    token: str
    csrf: str
    seen: float
    name: str = ""  # the salesperson's name, recorded with each event
    logged_in: bool = False
    notes: dict = field(default_factory=dict)  # the jobs this browser started


class Sessions:
    """Sessions in memory (a desk restart signs everyone out, which is what one expects)."""

    def __init__(self, idle: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.idle = idle
        self.clock = clock
        self._by_token: dict[str, Session] = {}

    def get(self, token: str | None) -> Session | None:
        session = self._by_token.get(token or "")
        if session is None:
            return None
        now = self.clock()
        if now - session.seen > self.idle:
            del self._by_token[session.token]
            return None
        session.seen = now
        return session

    def new(self) -> Session:
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), self.clock())
        self._by_token[session.token] = session
        return session

    def end(self, session: Session) -> None:
        self._by_token.pop(session.token, None)


def csrf_ok(session: Session | None, sent: str | None) -> bool:
    return bool(session and sent) and hmac.compare_digest(session.csrf, sent)


def is_loopback(host: str) -> bool:
    return host in ("127.0.0.1", "::1", "localhost") or host.startswith("127.")


def hash_password(password: str) -> str:
    from argon2 import PasswordHasher

    return PasswordHasher().hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return PasswordHasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
