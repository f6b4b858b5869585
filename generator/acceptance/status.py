"""Which version an account accepted and whether the version in force needs a new acceptance."""

from __future__ import annotations

from generator.acceptance.catalog import Catalog


def latest_acceptances(rows) -> dict[str, tuple[str, str]]:
    """account → (version, recorded_at) of its newest acceptance, from (account, version, at) rows."""
    latest: dict[str, tuple[str, str]] = {}
    for account, version, at in rows:
        if account not in latest or (version, at) > latest[account]:
            latest[account] = (version, at)
    return latest


def describe(catalog: Catalog, account: str, accepted: tuple[str, str] | None) -> dict:
    current = catalog.current()
    current_date = current.version.date if current else None
    base = {"account_id": account, "current_version": current_date,
            "accepted_version": accepted[0] if accepted else None,
            "accepted_at": accepted[1] if accepted else None}
    if accepted is None:
        return {**base, "needs_reacceptance": current is not None, "status": "尚未同意",
                "since": current.effective if current else None}
    needs, since = catalog.needs_reacceptance(accepted[0])
    if needs:
        return {**base, "needs_reacceptance": True, "status": "需重新同意", "since": since}
    if since:
        return {**base, "needs_reacceptance": False, "status": "新版本仅需告知", "since": since}
    return {**base, "needs_reacceptance": False, "status": "已同意现行版本", "since": None}


def account_status(service, account: str) -> dict:
    rows = service.rows("SELECT account, version, recorded_at FROM event_data "
                        "WHERE account = ? AND kind = 'acceptance'", (account,))
    return describe(service.catalog, account, latest_acceptances(rows).get(account))


ALL_ACCEPTANCES = "SELECT account, version, recorded_at FROM event_data WHERE kind = 'acceptance'"


def needing_reacceptance(catalog: Catalog, rows) -> list[dict]:
    """Every account whose newest acceptance predates a major version now in force."""
    found = [describe(catalog, account, accepted)
             for account, accepted in sorted(latest_acceptances(rows).items())]
    return [status for status in found if status["needs_reacceptance"]]
