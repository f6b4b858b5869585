"""Times that hold: a later signature cannot claim a time before one an earlier timestamp proves.

A signature's own signing time is what the signer claims; an RFC 3161
timestamp proves that the signature existed at its time. Revisions only ever
come after each other, so once a revision's timestamp proves a time T, every
later signature was made after T: one claiming an earlier time is lying about
when it was made (backdated, e.g. to hide an expired certificate), and one
whose certificate expired before T was made with an expired certificate.
"""

from __future__ import annotations

import datetime as dt

from generator.contracts.verify.report import Check, Status
from generator.i18n import _


def check_order(checks: list[Check]) -> None:
    """Fail, in place, each signature check whose claimed time or certificate contradicts a
    time proven by an earlier revision's timestamp."""
    proven: tuple[dt.datetime, int] | None = None
    signatures = [c for c in checks if c.name.startswith("signature ") and "revision" in c.facts]
    for check in sorted(signatures, key=lambda c: c.facts["revision"]):
        facts = check.facts
        problems = _problems(facts, proven) if proven else []
        if problems:
            check.summary = "; ".join(problems + ([check.summary] if check.status is Status.FAIL
                                                  else []))
            check.status = Status.FAIL
        stamp = facts.get("timestamp")
        if stamp and stamp.get("time") and check.status is not Status.FAIL:
            when = _parse(stamp["time"])
            if proven is None or when > proven[0]:
                proven = (when, facts["revision"])


def _problems(facts: dict, proven: tuple[dt.datetime, int]) -> list[str]:
    when, revision = proven
    problems = []
    claimed = _parse(facts.get("signing_time"))
    if claimed is not None and claimed < when:
        problems.append(_("it claims to be signed at {claimed}, before {proven}, a "
                          "time revision {revision}'s timestamp already proves: backdated").format(
                              claimed=_show(claimed), proven=_show(when), revision=revision))
    until = _parse(facts.get("valid_until"))
    if until is not None and until < when:
        problems.append(_("its certificate had expired ({until}) by {proven}, a time "
                          "revision {revision}'s timestamp proves, so it signed with an expired "
                          "certificate").format(until=_show(until), proven=_show(when), revision=revision))
    return problems


def _parse(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _show(moment: dt.datetime) -> str:
    return f"{moment.astimezone(dt.timezone.utc):%Y-%m-%d %H:%M:%S} UTC"
