"""The service's endpoints against SQLite and PostgreSQL: versions, tokens, refusals in Chinese,
status, export, erasure, append-only storage, CORS and limits."""

from __future__ import annotations

import json

import pytest

from acceptance_support import ADMIN_TOKEN
from flows import accept, current, present
from generator.acceptance.catalog import lock_entry_hash
from generator.acceptance.merkle import MerkleLog
from generator.acceptance.storage import AppendOnlyViolation
from generator.content.versions import file_digests, read_lock
from helpers import ROOT, reference_bold_passages

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def test_current_version_names_the_published_text_and_its_bold_passages(server):
    with server.client() as client:
        body = current(client)
    assert body["version"] == "2021-12-20"
    assert body["version_hash"] == lock_entry_hash(read_lock(ROOT)["2021-12-20"])
    passages = [p["text"] for p in body["bold_passages"]]
    bold = "".join(reference_bold_passages())
    assert passages and all("".join(p.split()) in "".join(bold.split()) for p in passages)
    assert any(p["citation"].startswith("「") and p["citation"].endswith("条") for p in body["bold_passages"])


def test_openapi_document_lists_every_endpoint(server):
    with server.client() as client:
        paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/versions/current", "/v1/presentations", "/v1/acceptances", "/v1/acceptances/{acceptance_id}",
            "/v1/accounts/{account_id}/status", "/v1/admin/events"} <= set(paths)


def test_a_draft_or_unknown_version_is_refused_with_409_in_chinese(server):
    draft = ROOT / "content" / "versions" / "2026-11-28"
    draft_hash = lock_entry_hash(file_digests(draft))
    with server.client() as client:
        presentation = present(server, client, "acct-409", current(client)["version_hash"])
        shown_draft = client.post("/v1/presentations", headers=server.auth("acct-409"), json={
            "version_hash": draft_hash, "displayed_clauses": [], "explanation_opened": False, "scrolled_to_end": False,
            "viewport": {"width": 1, "height": 1}, "shown_at": "2026-12-04T12:00:00Z"})
        assert shown_draft.status_code == 409 and "草稿" in shown_draft.json()["detail"]
        for version_hash, words in ((draft_hash, "草稿"), ("ab" * 32, "不对应任何已发布")):
            response = client.post("/v1/acceptances", json={"version_hash": version_hash,
                                                            "presentation_id": presentation},
                                   headers=server.auth("acct-409"))
            assert response.status_code == 409 and words in response.json()["detail"]


@pytest.mark.parametrize("case", ["missing", "expired", "too-long", "foreign-key", "other-account"])
def test_an_acceptance_needs_the_accounts_own_short_lived_token(server, case):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from acceptance_support import token

    with server.client() as client:
        version_hash = current(client)["version_hash"]
        presentation = present(server, client, "acct-token", version_hash)
        headers = {"missing": {}, "expired": server.auth("acct-token", ahead=-120),
                   "too-long": server.auth("acct-token", ahead=3600),
                   "foreign-key": {"Authorization": "Bearer " + token(Ed25519PrivateKey.generate(), "acct-token")},
                   "other-account": server.auth("acct-someone-else")}[case]
        response = client.post("/v1/acceptances", json={"version_hash": version_hash,
                                                        "presentation_id": presentation}, headers=headers)
    assert response.status_code == (409 if case == "other-account" else 401), response.text


def test_receipt_is_kept_and_status_says_accepted(server):
    with server.client() as client:
        receipt = accept(server, client, "acct-status")
        again = client.get(f"/v1/acceptances/{receipt['acceptance_id']}").json()
        status = client.get("/v1/accounts/acct-status/status", headers=server.auth("acct-status")).json()
        nobody = client.get("/v1/accounts/acct-never/status", headers=ADMIN).json()
        foreign = client.get("/v1/accounts/acct-status/status", headers=server.auth("acct-other"))
    assert again == receipt
    assert status["status"] == "已同意现行版本" and status["accepted_version"] == "2021-12-20"
    assert nobody["status"] == "尚未同意" and nobody["needs_reacceptance"]
    assert foreign.status_code == 403


def test_export_is_jsonl_for_the_administrator_only(server):
    with server.client() as client:
        receipt = accept(server, client, "acct-export")
        assert client.get("/v1/admin/events").status_code == 401
        assert client.get("/v1/admin/events", headers={"Authorization": "Bearer wrong"}).status_code == 401
        lines = client.get("/v1/admin/events", params={"account": "acct-export"}, headers=ADMIN).text.splitlines()
    events = [json.loads(line) for line in lines]
    assert [e["leaf"]["type"] for e in events] == ["presentation", "acceptance"]
    assert events[1]["leaf"]["event_id"] == receipt["acceptance_id"]


def test_erasure_removes_personal_data_and_the_log_still_verifies(server):
    with server.client() as client:
        receipt = accept(server, client, "acct-erase")
        erased = client.delete("/v1/admin/accounts/acct-erase", headers=ADMIN).json()
        gone = client.get(f"/v1/acceptances/{receipt['acceptance_id']}")
        events = [json.loads(line) for line in client.get("/v1/admin/events", headers=ADMIN).text.splitlines()]
        head = client.post("/v1/checkpoints", headers=ADMIN).json()["tree_head"]
    assert erased["erased_events"] == 2 and gone.status_code == 404
    assert "acct-erase" not in json.dumps(events)
    from generator.acceptance.canonical import canonical
    from generator.acceptance.merkle import leaf_hash

    log = MerkleLog(leaf_hash(canonical(e["leaf"])) for e in events[:head["tree_size"]])
    assert log.root().hex() == head["root_hash"]


@pytest.mark.parametrize("statement", ["UPDATE events SET kind = 'x'", "DELETE FROM events",
                                       "DELETE FROM tree_heads", "UPDATE checkpoints SET checkpoint = ''"])
def test_the_log_tables_refuse_update_and_delete(server, statement):
    with server.client() as client:
        accept(server, client, "acct-append-only")
        client.post("/v1/checkpoints", headers=ADMIN)
    with pytest.raises(AppendOnlyViolation):
        server.service.reader.transaction([(statement, ())])
    assert server.service.rows("SELECT COUNT(*) FROM events")[0][0] >= 2


def test_cors_allows_the_configured_site_only(server):
    with server.client() as client:
        good = client.options("/v1/acceptances", headers={"Origin": "http://127.0.0.1:8000",
                                                          "Access-Control-Request-Method": "POST"})
        bad = client.get("/v1/versions/current", headers={"Origin": "https://evil.example"})
    assert good.headers.get("access-control-allow-origin") == "http://127.0.0.1:8000"
    assert "access-control-allow-origin" not in bad.headers


def test_a_large_body_is_refused_with_413(server):
    with server.client() as client:
        response = client.post("/v1/presentations", content=b"{" + b" " * 20_000 + b"}",
                               headers={**server.auth("acct-big"), "Content-Type": "application/json",
                                        "Origin": "http://127.0.0.1:8000"})
    assert response.status_code == 413 and "过大" in response.json()["detail"]
    assert response.headers.get("access-control-allow-origin") == "http://127.0.0.1:8000"  # the block can read it


def test_the_rate_limit_refuses_a_burst_beyond_its_size():
    from generator.acceptance.security import RateLimit

    limit = RateLimit(rate=0.001, burst=3)
    assert [limit.allow("10.0.0.1") for _ in range(4)] == [True, True, True, False]
    assert limit.allow("10.0.0.2")


def test_a_presentation_names_only_the_versions_bold_passages(server):
    with server.client() as client:
        version_hash = current(client)["version_hash"]
        body = {"version_hash": version_hash, "displayed_clauses": ["payment.refund", "no.such-clause"],
                "explanation_opened": False, "scrolled_to_end": False, "viewport": {"width": 1, "height": 1},
                "shown_at": "2026-12-04T12:00:00Z"}
        response = client.post("/v1/presentations", json=body, headers=server.auth("acct-shown"))
    assert response.status_code == 422 and "no.such-clause" in response.json()["detail"]


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request, tmp_path, account_key):
    """A service of its own (retention erases every older event's data)."""
    from acceptance_support import _serving, new_database

    database = (f"sqlite:///{tmp_path / 'fresh.sqlite'}" if request.param == "sqlite"
                else new_database(request.getfixturevalue("postgres_url"), "acceptance_fresh"))
    with _serving(request.param, database, tmp_path, account_key, None) as running:
        yield running


def test_retention_erases_old_personal_data_and_keeps_the_log(fresh):
    import datetime as dt

    server = fresh
    with server.client() as client:
        receipt = accept(server, client, "acct-retention")
    server.service.settings.retention_days = 30
    server.service.apply_retention(now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=29))
    assert server.service.rows("SELECT COUNT(*) FROM event_data")[0][0] == 2  # not yet
    server.service.apply_retention(now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=31))
    with server.client() as client:
        assert client.get(f"/v1/acceptances/{receipt['acceptance_id']}").status_code == 404
    assert server.service.rows("SELECT COUNT(*) FROM event_data")[0][0] == 0
    assert server.service.rows("SELECT COUNT(*) FROM events")[0][0] == 2


def test_export_by_period(server):
    with server.client() as client:
        accept(server, client, "acct-period")
        lines = client.get("/v1/admin/events", params={"since": "2999-01-01T00:00:00Z"}, headers=ADMIN).text
    assert lines == ""


def test_a_failed_commit_returns_no_receipt_and_leaves_the_tree_as_stored(fresh):
    server = fresh
    with server.client() as client:
        accept(server, client, "acct-before-failure")
        ledger = server.service.ledger
        size, root = ledger.log.size, ledger.log.root()
        # another writer took the next sequence number: the group's INSERT must fail
        server.service.reader.transaction([("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)",
                                            (size, "intruder", "x", "{}", "00", "2026-01-01"))])
        version_hash = current(client)["version_hash"]
        response = client.post("/v1/presentations", headers=server.auth("acct-failure"), json={
            "version_hash": version_hash, "displayed_clauses": [], "explanation_opened": False,
            "scrolled_to_end": False, "viewport": {"width": 1, "height": 1}, "shown_at": "2026-12-04T12:00:00Z"})
    assert response.status_code == 503 and "未被记录" in response.json()["detail"]
    assert (ledger.log.size, ledger.log.root()) == (size, root)


def test_sqlite_commits_durably_in_wal_mode(sqlite_server):
    writer = sqlite_server.service.ledger.db.conn
    assert writer.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert writer.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL: fsync at every commit


def test_migrations_are_recorded_once_and_rerun_as_a_no_op(server):
    db = server.service.reader
    assert db.migrate() == db.migrate() == 1
    assert db.rows("SELECT version FROM schema_migrations") == [(1,)]
