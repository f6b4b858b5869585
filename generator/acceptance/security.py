"""Who may do what: account tokens (EdDSA JWTs), the administrator token, keyed IP hashes,
and the limits every request meets (body size, rate)."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

MAX_TOKEN_AHEAD = 600  # seconds: an account token may live at most 10 minutes
CLOCK_SKEW = 30


class Refused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class AccountTokens:
    """Checks account tokens against the backend's public key.

    Tokens already verified, exactly as received, are kept with their account and expiry: a
    page presents and then accepts with the same token, so one signature check serves both.
    """

    MAX_KEPT = 50_000

    def __init__(self, public: Ed25519PublicKey) -> None:
        self.public = public
        self.verified: dict[str, tuple[str, float]] = {}

    def account(self, header: str | None) -> str:
        """The account id (``sub``) of a valid Bearer JWT signed by the product's backend."""
        if not header or not header.startswith("Bearer "):
            raise Refused(401, "缺少账户令牌（Authorization: Bearer …）。")
        known = self.verified.get(header)
        if known is not None and known[1] > time.time() - CLOCK_SKEW:
            return known[0]
        account, expires = _verify(header[7:], self.public)
        if len(self.verified) >= self.MAX_KEPT:
            self.verified.clear()
        self.verified[header] = (account, expires)
        return account


def _verify(token: str, public: Ed25519PublicKey) -> tuple[str, float]:
    try:
        claims = jwt.decode(token, public, algorithms=["EdDSA"],
                            options={"require": ["sub", "exp"]}, leeway=CLOCK_SKEW)
    except jwt.ExpiredSignatureError:
        raise Refused(401, "账户令牌已过期，请重新登录后再试。") from None
    except jwt.PyJWTError:
        raise Refused(401, "账户令牌无效。") from None
    if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] > time.time() + MAX_TOKEN_AHEAD + CLOCK_SKEW:
        raise Refused(401, "账户令牌的有效期不得超过10分钟。")
    if not isinstance(claims["sub"], str) or not claims["sub"]:
        raise Refused(401, "账户令牌缺少账户标识（sub）。")
    return claims["sub"], float(claims["exp"])


def is_admin(header: str | None, token: str | None) -> bool:
    return bool(token) and bool(header) and hmac.compare_digest(header.encode(), f"Bearer {token}".encode())


def ip_hash(key: bytes, address: str | None) -> str | None:
    """HMAC-SHA-256 of the client address: comparable between events, not reversible without the key."""
    return hmac.new(key, (address or "").encode(), hashlib.sha256).hexdigest() if address else None


class RateLimit:
    """A token bucket per client key: ``rate`` requests a second, bursts of ``burst``."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.buckets: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def allow(self, key: str) -> bool:
        if self.rate <= 0:
            return True
        now = time.monotonic()
        with self.lock:
            tokens, last = self.buckets.get(key, (float(self.burst), now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if len(self.buckets) > 100_000:
                self.buckets.clear()  # bounded memory; a flood of addresses only resets buckets
            if tokens < 1:
                self.buckets[key] = (tokens, now)
                return False
            self.buckets[key] = (tokens - 1, now)
            return True
