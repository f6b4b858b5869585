"""kill -9 of the service under load loses no acceptance whose receipt was returned, and the
Merkle log verifies afterwards (SQLite, synchronous=FULL, a separate server process)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import httpx

from acceptance_support import free_port, token
from generator.acceptance.canonical import canonical
from generator.acceptance.keys import load_keyring
from generator.acceptance.ledger import Event, Ledger
from generator.acceptance.merkle import MerkleLog, consistent, leaf_hash
from generator.acceptance.storage import Database, DatabaseUrl
from generator.acceptance.verify import outcome, verify_receipt
from helpers import ROOT

SHOW = {"displayed_clauses": ["payment.refund"], "explanation_opened": True, "scrolled_to_end": True,
        "viewport": {"width": 800, "height": 600}, "shown_at": "2026-12-04T12:00:00Z"}


def _start(folder, public_pem, port) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "--root", str(ROOT), "accept-server", "--port", str(port),
         "--account-key", str(public_pem), "--keys-dir", str(folder / "keys"), "--rate", "0",
         "--database", f"sqlite:///{folder / 'acceptances.sqlite'}", "--checkpoint-interval", "0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(600):
        try:
            httpx.get(f"http://127.0.0.1:{port}/v1/versions/current", timeout=1)
            return server
        except httpx.TransportError:
            assert server.poll() is None, server.stderr.read().decode()
            time.sleep(0.05)
    raise AssertionError("the service did not start")


def _load(url, private, version_hash, name, receipts, stop) -> None:
    with httpx.Client(base_url=url, timeout=10) as client:
        for n in range(10_000):
            if stop.is_set():
                return
            account = f"{name}-{n}"
            auth = {"Authorization": f"Bearer {token(private, account)}"}
            try:
                shown = client.post("/v1/presentations", json={"version_hash": version_hash, **SHOW}, headers=auth)
                answer = client.post("/v1/acceptances", headers=auth, json={
                    "version_hash": version_hash, "presentation_id": shown.json()["presentation_id"]})
            except (httpx.TransportError, ValueError):
                return  # the server is gone: nothing came back, nothing was promised
            if answer.status_code == 201:
                receipts.append(answer.json())


def test_kill_9_under_load_loses_no_returned_receipt(account_key, tmp_path):
    private, public_pem = account_key
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = _start(tmp_path, public_pem, port)
    version_hash = httpx.get(url + "/v1/versions/current").json()["version_hash"]
    receipts: list[dict] = []
    stop = threading.Event()
    threads = [threading.Thread(target=_load, args=(url, private, version_hash, f"crash{i}", receipts, stop))
               for i in range(4)]
    for thread in threads:
        thread.start()
    while len(receipts) < 30 and server.poll() is None:
        time.sleep(0.01)
    os.kill(server.pid, signal.SIGKILL)  # mid-load: requests are in flight
    server.wait()
    stop.set()
    for thread in threads:
        thread.join(15)
    returned = list(receipts)
    assert len(returned) >= 30

    with sqlite3.connect(tmp_path / "acceptances.sqlite") as db:
        rows = db.execute("SELECT seq, id, leaf FROM events ORDER BY seq").fetchall()
    assert [seq for seq, _, _ in rows] == list(range(len(rows)))
    stored = {event_id for _, event_id, _ in rows}
    assert {r["acceptance_id"] for r in returned} <= stored, "a returned receipt's acceptance was lost"
    log = MerkleLog(leaf_hash(canonical(json.loads(leaf))) for _, _, leaf in rows)
    keys = load_keyring(tmp_path / "keys", create=False).published()
    for receipt in returned:
        head = receipt["tree_head"]
        assert log.root(head["tree_size"]).hex() == head["root_hash"]
        assert outcome(verify_receipt(receipt, keys_doc=keys, root=ROOT)) == "ok"

    # the log goes on where it stopped: a new writer on the same database appends after it
    ledger = Ledger(Database(DatabaseUrl("sqlite", str(tmp_path / "acceptances.sqlite"))),
                    load_keyring(tmp_path / "keys", create=False))
    try:
        record, _ = ledger.submit(Event("presentation", "after-crash", "2021-12-20", version_hash,
                                        {"shown_at": "2026-12-04T12:00:00Z"})).result(30)
        head = ledger.tree_head()
    finally:
        ledger.close()
        ledger.db.close()
    old = len(rows)
    assert record["leaf_index"] == old and head["tree_size"] == old + 1
    grown = MerkleLog([*(log.levels[0]), leaf_hash(canonical(record["leaf"]))])
    assert grown.root().hex() == head["root_hash"]
    assert consistent(old, old + 1, log.root(old), grown.root(), grown.consistency_proof(old, old + 1))
