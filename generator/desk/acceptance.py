"""An account's online acceptance, asked of the acceptance service over its HTTP API.

The desk never imports the service's code: it reads ``GET /v1/accounts/{id}/status``
(issue 20's endpoint) with the contract's 客户编号 as the account id, and shows the
answer's plain fields. A service that is down, slow or answers something else is
reported as such on the page; the rest of the page does not depend on it.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

TIMEOUT_SECONDS = 2.0
MAX_ANSWER = 64 * 1024


@dataclass(frozen=True)
class AcceptanceStatus:
    fields: tuple[tuple[str, str], ...]  # the answer's scalar fields, in its order
    problem: str  # why there is no answer (Chinese), empty when there is one


def status_url(base: str, account: str) -> str:
    if urlsplit(base).scheme not in ("http", "https"):
        raise ValueError(f"the acceptance service's address must be http:// or https://, not {base!r}")
    return f"{base.rstrip('/')}/v1/accounts/{quote(account, safe='')}/status"


def account_status(base: str, account: str) -> AcceptanceStatus:
    request = urllib.request.Request(status_url(base, account), headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310 - http(s) only
            body = answer.read(MAX_ANSWER + 1)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return AcceptanceStatus((), "在线同意服务中没有这个账户的记录")
        return AcceptanceStatus((), f"在线同意服务返回错误 {exc.code}")
    except (urllib.error.URLError, TimeoutError, OSError):
        return AcceptanceStatus((), "无法连接在线同意服务")
    try:
        data = json.loads(body) if len(body) <= MAX_ANSWER else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return AcceptanceStatus((), "在线同意服务的回答无法识别")
    shown = tuple((str(k), _scalar(v)) for k, v in data.items() if v is None or isinstance(v, (str, int, float, bool)))
    return AcceptanceStatus(shown, "")


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    return "—" if value is None else str(value)
