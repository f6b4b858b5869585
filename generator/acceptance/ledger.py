"""The log's one writer: events in, durable rows and signed receipts out, in groups.

Requests queue here; one thread takes everything waiting, appends the leaves to the Merkle
log, signs one tree head for the group, builds each receipt, and writes rows, data and
tree head in one transaction (one fsync for the group: group commit). Only after COMMIT
returns are the futures resolved, so no receipt leaves the service before its event is
durable; when the commit fails the in-memory tree is cut back to what the database holds.
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import secrets
import threading
import uuid
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass, field

from generator.acceptance.canonical import canonical, sha256_hex
from generator.acceptance.keys import Keyring
from generator.acceptance.merkle import MerkleLog, leaf_hash
from generator.acceptance.storage import Database

LOG_NAME = "agreements-acceptance-log"
RECEIPT_TYPE = "agreements-acceptance-receipt/1"
MAX_GROUP = 512
RECENT_PRESENTATIONS = 100_000


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass
class Event:
    """One event to log: ``data`` is the personal part, committed to by its hash only."""

    kind: str  # presentation | acceptance
    account: str
    version: str
    version_hash: str
    data: dict
    presentation: dict | None = None  # for an acceptance: the presentation's stored record
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    future: Future = field(default_factory=Future)


def make_leaf(event: Event, recorded_at: str, data: dict) -> dict:
    return {"type": event.kind, "event_id": event.id, "recorded_at": recorded_at,
            "version_hash": event.version_hash, "data_sha256": sha256_hex(canonical(data))}


class Ledger:
    def __init__(self, db: Database, keyring: Keyring) -> None:
        self.db = db
        self.keyring = keyring
        rows = db.rows("SELECT seq, leaf_hash FROM events ORDER BY seq")
        if any(seq != index for index, (seq, _) in enumerate(rows)):
            raise RuntimeError("the events table has a gap in its sequence numbers")
        self.log = MerkleLog(bytes.fromhex(h) for _, h in rows)
        # what the database holds: a checkpoint never signs leaves of a group still committing
        self.committed = self.log.size
        self.lock = threading.Lock()  # guards self.log for readers (proofs, checkpoints)
        # presentations committed lately, by id: an acceptance usually follows within minutes
        self.recent: OrderedDict[str, dict] = OrderedDict()
        self.queue: queue.Queue[Event | None] = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="ledger-writer", daemon=True)
        self.thread.start()

    def submit(self, event: Event) -> Future:
        self.queue.put(event)
        return event.future

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join(10)

    def tree_head(self, size: int | None = None) -> dict:
        with self.lock:
            size = self.committed if size is None else size
            root = self.log.root(size)
        return self.keyring.active.sign({"log": LOG_NAME, "tree_size": size, "root_hash": root.hex(),
                                         "timestamp": utc_now()})

    def consistency(self, old: int, new: int) -> list[str]:
        with self.lock:
            return [h.hex() for h in self.log.consistency_proof(old, new)]

    def _run(self) -> None:
        while True:
            first = self.queue.get()
            if first is None:
                return
            group = [first]
            while len(group) < MAX_GROUP:
                try:
                    item = self.queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self.queue.put(None)
                    break
                group.append(item)
            self._write(group)

    def _write(self, group: list[Event]) -> None:
        start = self.log.size
        try:
            statements, results, texts = self._prepare(group)
            self.db.transaction(statements)
        except Exception as exc:  # noqa: BLE001 - every waiting request learns of the failure
            with self.lock:
                self.log.truncate(start)
            for event in group:
                event.future.set_exception(exc)
            return
        with self.lock:
            self.committed = start + len(group)
        for event, result in zip(group, results):
            if event.kind == "presentation":
                self.recent[event.id] = result
        while len(self.recent) > RECENT_PRESENTATIONS:
            self.recent.popitem(last=False)
        for event, result, text in zip(group, results, texts):
            event.future.set_result((result, text))

    def _prepare(self, group: list[Event]) -> tuple[list, list[dict], list[str]]:
        """The group's statements, each event's stored record, and that record as JSON text."""
        recorded_at = utc_now()
        statements, placed = [], []
        with self.lock:
            for event in group:
                data = {"salt": secrets.token_hex(16), "account_id": event.account, **event.data}
                leaf = make_leaf(event, recorded_at, data)
                leaf_bytes = canonical(leaf)
                seq = self.log.append(leaf_hash(leaf_bytes))
                placed.append((event, seq, leaf, data))
                statements.append(("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)",
                                   (seq, event.id, event.kind, leaf_bytes.decode(), leaf_hash(leaf_bytes).hex(),
                                    recorded_at)))
            size = self.log.size
            head = self.keyring.active.sign({"log": LOG_NAME, "tree_size": size,
                                             "root_hash": self.log.root(size).hex(), "timestamp": recorded_at})
            results = [self._result(event, seq, leaf, data, head) for event, seq, leaf, data in placed]
        statements.append(("INSERT INTO tree_heads VALUES (?, ?)", (size, json.dumps(head))))
        texts = [json.dumps(result, ensure_ascii=False) for result in results]
        for (event, _seq, _leaf, _data), text in zip(placed, texts):
            statements.append(("INSERT INTO event_data VALUES (?, ?, ?, ?, ?, ?)",
                               (event.id, event.kind, event.account, event.version, recorded_at, text)))
        return statements, results, texts

    def _proof(self, seq: int, size: int) -> list[str]:
        return [h.hex() for h in self.log.inclusion_proof(seq, size)]

    def _result(self, event: Event, seq: int, leaf: dict, data: dict, head: dict) -> dict:
        """What is stored for the event: a presentation's record, or an acceptance's receipt."""
        record = {"leaf": leaf, "leaf_index": seq, "data": data}
        if event.kind != "acceptance":
            return record
        presentation = None
        if event.presentation is not None:
            shown = event.presentation
            presentation = {**shown, "inclusion_proof": self._proof(shown["leaf_index"], head["tree_size"])}
        receipt = {"type": RECEIPT_TYPE, "acceptance_id": event.id, "account_id": event.account,
                   "accepted_at": leaf["recorded_at"], "version": event.data["version"],
                   "acceptance": {**record, "inclusion_proof": self._proof(seq, head["tree_size"])},
                   "presentation": presentation, "tree_head": head}
        return self.keyring.active.sign(receipt)
