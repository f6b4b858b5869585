"""A contract's life as the register records it: events, the state they add up to, and times.

A contract's state is never stored: it is read from its events, which are only ever
appended (生成 when a PDF is written, then 已发出, 甲方已签, 已归档 or 已作废). 已过期 is
not an event either: it follows from the optional 到期日 once that day has passed in
Beijing. Times are stored in UTC (``2026-12-04T04:30:00Z``) and shown in 北京时间.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from generator.errors import AgreementsError
from generator.i18n import _

BEIJING = ZoneInfo("Asia/Shanghai")

# event kind (stored) → what a person reads
EVENT_NAMES = {"generated": "生成", "sent": "已发出", "signed": "甲方已签", "archived": "已归档",
               "void": "已作废"}
STATE_NAMES = {"generated": "已生成", "sent": "已发出", "signed": "甲方已签", "archived": "已归档",
               "void": "已作废", "expired": "已过期"}
# what a person may mark, and the states each mark may follow
MARKS = {
    "sent": ("generated", "sent"),
    "signed": ("generated", "sent"),
    "archived": ("signed", "archived"),   # archived again: renewed before its timestamp ages
    "void": ("generated", "sent", "signed", "archived", "expired"),
}
# the command line's words for the marks (`register mark NUMBER sent`)
MARK_WORDS = ("sent", "signed", "archived", "void")


def utc_now() -> str:
    return to_utc(dt.datetime.now(dt.timezone.utc))


def to_utc(moment: dt.datetime) -> str:
    """``2026-12-04T04:30:00Z``: what the register stores (a naive time is refused, never guessed)."""
    if moment.tzinfo is None:
        raise ValueError(_("a time without its time zone cannot be stored"))
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_stored(text: str) -> dt.datetime:
    """A stored time back (UTC ``…Z``, or a v1 register's local time with its offset)."""
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(_("stored time {text!r} has no time zone").format(text=text))
    return moment


def beijing(text: str) -> str:
    """A stored time as people read it: ``2026-12-04 12:30`` (北京时间)."""
    return from_stored(text).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def beijing_today() -> dt.date:
    return dt.datetime.now(BEIJING).date()


def derived_state(last_event: str, expires_on: str | None, today: dt.date | None = None) -> str:
    """The state a contract's newest event and its 到期日 add up to. A contract voided stays
    void; one whose 到期日 has passed (in Beijing) is 已过期 unless already archived."""
    if last_event in ("void", "archived") or not expires_on:
        return last_event
    return "expired" if dt.date.fromisoformat(expires_on) < (today or beijing_today()) else last_event


def check_mark(number: str, state: str, mark: str) -> None:
    """Refuse a step a contract cannot take from where it is (nothing is appended then)."""
    if mark not in MARKS:
        raise AgreementsError(_("unknown step {mark!r}; use one of {marks}").format(
            mark=mark, marks=", ".join(MARK_WORDS)), key="mark")
    if state not in MARKS[mark]:
        allowed = "、".join(STATE_NAMES[s] for s in MARKS[mark])
        raise AgreementsError(_("contract {number} is {state}; it can be marked {mark} only when "
                                "{allowed}").format(number=number, state=STATE_NAMES[state],
                                                     mark=EVENT_NAMES[mark], allowed=allowed), key="mark")
