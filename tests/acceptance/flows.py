"""The steps a customer's browser takes, as helpers: show the version, accept, keep the receipt."""

from __future__ import annotations

import json
from pathlib import Path


def current(client) -> dict:
    response = client.get("/v1/versions/current")
    assert response.status_code == 200, response.text
    return response.json()


def present(running, client, account: str, version_hash: str, **changes) -> str:
    body = {"version_hash": version_hash, "displayed_clauses": ["payment.refund"], "explanation_opened": True,
            "scrolled_to_end": True, "viewport": {"width": 1280, "height": 800},
            "shown_at": "2026-12-04T12:00:00+08:00", **changes}
    response = client.post("/v1/presentations", json=body, headers=running.auth(account))
    assert response.status_code == 201, response.text
    return response.json()["presentation_id"]


def accept(running, client, account: str) -> dict:
    """Show the version in force to ``account`` and accept it; return the receipt."""
    version_hash = current(client)["version_hash"]
    presentation = present(running, client, account, version_hash)
    response = client.post("/v1/acceptances", json={"version_hash": version_hash, "presentation_id": presentation},
                           headers=running.auth(account))
    assert response.status_code == 201, response.text
    return response.json()


def save(folder: Path, name: str, document: dict) -> Path:
    path = folder / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path
