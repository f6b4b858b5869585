"""Checkpoints: signed tree heads published on demand and at an interval, each stamped by an
RFC 3161 TSA when one is configured, so that a later checkpoint proves an earlier receipt."""

from __future__ import annotations

import json
import logging
import threading

from generator.acceptance.ledger import Ledger
from generator.acceptance.storage import Database
from generator.acceptance.timestamps import request_timestamp


class Checkpoints:
    def __init__(self, ledger: Ledger, db: Database, db_lock: threading.Lock, tsa_url: str | None) -> None:
        self.ledger, self.db, self.db_lock, self.tsa_url = ledger, db, db_lock, tsa_url
        self.write_lock = threading.Lock()

    def latest(self) -> dict | None:
        with self.db_lock:
            rows = self.db.rows("SELECT checkpoint FROM checkpoints ORDER BY tree_size DESC LIMIT 1")
        return json.loads(rows[0][0]) if rows else None

    def make(self) -> dict:
        """A checkpoint of the log as it is now (the existing one when nothing was added)."""
        with self.write_lock:
            latest = self.latest()
            if latest is not None and latest["tree_head"]["tree_size"] == self.ledger.committed:
                return latest
            head = self.ledger.tree_head()
            token = request_timestamp(self.tsa_url, head) if self.tsa_url else None
            checkpoint = {"tree_head": head, "timestamp_token": token}
            with self.db_lock:
                self.db.transaction([("INSERT INTO checkpoints VALUES (?, ?)",
                                      (head["tree_size"], json.dumps(checkpoint)))])
            return checkpoint

    def with_proof(self, checkpoint: dict, from_size: int | None) -> dict:
        """The checkpoint plus the consistency proof from an earlier tree size (a receipt's)."""
        size = checkpoint["tree_head"]["tree_size"]
        if from_size is None or not 0 < from_size <= size:
            return checkpoint
        return {**checkpoint, "consistency": {"from_size": from_size,
                                              "proof": self.ledger.consistency(from_size, size)}}


def run_every(interval: float, action, stop: threading.Event) -> threading.Thread:
    """Call ``action`` every ``interval`` seconds until ``stop`` is set (errors do not stop it)."""
    def loop() -> None:
        while not stop.wait(interval):
            try:
                action()
            except Exception as exc:  # noqa: BLE001 - said in the log; the next round retries
                logging.getLogger(__name__).warning("checkpoint failed, retrying in %ss: %s", interval, exc)

    thread = threading.Thread(target=loop, name="checkpoints", daemon=True)
    thread.start()
    return thread
