"""Key rotation: a new key signs, the old one stays published, and receipts of both verify."""

from __future__ import annotations

import json

from generator.acceptance.keys import load_keyring, public_keys, signature_valid
from helpers import run_cli


def test_rotation_keeps_old_signatures_verifiable(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")
    folder = tmp_path / "keys"
    old = load_keyring(folder).active
    old_doc = old.sign({"what": "signed before the rotation"})
    code, _, err = run_cli(["accept-keys", "--keys-dir", str(folder), "--rotate", "-o", str(tmp_path / "k.json")],
                           capsys)
    assert code == 0, err
    ring = load_keyring(folder, create=False)
    assert ring.active.kid != old.kid and [k.kid for k in ring.keys] == [old.kid, ring.active.kid]
    published = json.loads((tmp_path / "k.json").read_text(encoding="utf-8"))
    assert [k["active"] for k in published["keys"]] == [False, True]
    keys = public_keys(published)
    new_doc = ring.active.sign({"what": "signed after"})
    assert signature_valid(old_doc, keys) and signature_valid(new_doc, keys)
    assert not signature_valid({**new_doc, "what": "changed"}, keys)
    assert not signature_valid({**new_doc, "key_id": old.kid}, keys)
