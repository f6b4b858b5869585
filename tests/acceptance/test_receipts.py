"""A receipt made by the running service verifies offline, and fails when any byte of it, or of
the published version's text, changes (against SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass

import pytest

from flows import accept, save
from generator.acceptance.verify import outcome, verify_receipt
from helpers import ROOT, copy_project, run_cli


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def verify(capsys, monkeypatch):
    """`agreements verify-receipt` in-process (LANGUAGE=en for the English summary line)."""
    monkeypatch.setenv("LANGUAGE", "en")

    def run(*args, root=ROOT) -> Result:
        return Result(*run_cli(["--root", str(root), "verify-receipt", *map(str, args)], capsys))
    return run


@pytest.fixture(scope="module")
def kept(server, tmp_path_factory):
    """A receipt, the keys document and a later checkpoint with its consistency proof, as files."""
    folder = tmp_path_factory.mktemp("kept")
    with server.client() as client:
        receipt = accept(server, client, "acct-receipt")
        accept(server, client, "acct-later")  # the log grows after the receipt
        keys = client.get("/.well-known/agreements-keys.json").json()
        admin = {"Authorization": "Bearer test-admin-token-0123456789"}
        assert client.post("/v1/checkpoints", headers=admin).status_code == 201
        checkpoint = client.get("/v1/checkpoints/latest",
                                params={"from_size": receipt["tree_head"]["tree_size"]}).json()
    return (save(folder, "receipt.json", receipt), save(folder, "keys.json", keys),
            save(folder, "checkpoint.json", checkpoint), folder)


def test_receipt_verifies_offline_with_checkpoint_and_timestamp(kept, verify):
    receipt, keys, checkpoint, _ = kept
    result = verify(receipt, "--keys", keys, "--checkpoint", checkpoint, "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert {"signature", "tree-head", "acceptance-inclusion", "presentation-inclusion", "version",
            "consistency", "timestamp"} <= set(checks)
    assert all(c["outcome"] == "ok" for c in checks.values())
    document = json.loads(checkpoint.read_text(encoding="utf-8"))
    assert document["tree_head"]["tree_size"] > json.loads(receipt.read_text())["tree_head"]["tree_size"]
    assert "RFC 3161" in checks["timestamp"]["explanation"]


def test_the_timestamp_authority_must_chain_to_the_given_root(kept, verify, tsa_root, tmp_path):
    from helpers import make_pki

    receipt, keys, checkpoint, _ = kept
    trusted = verify(receipt, "--keys", keys, "--checkpoint", checkpoint, "--tsa-trust", tsa_root)
    assert trusted.returncode == 0 and "证书链至 --tsa-trust" in trusted.stdout
    other = make_pki(tmp_path).root_pem(tmp_path)
    foreign = verify(receipt, "--keys", keys, "--checkpoint", checkpoint, "--tsa-trust", other)
    assert foreign.returncode == 1 and "不属于 --tsa-trust" in foreign.stdout


def test_without_the_keys_it_cannot_decide(kept, verify):
    receipt, *_ = kept
    result = verify(receipt)
    assert result.returncode == 3 and "undecided" in result.stdout


def test_every_changed_byte_of_the_receipt_fails(kept, verify, tmp_path, server):
    """Change each letter or digit of the receipt in turn (every value, every key); no copy passes.
    The receipt's form does not depend on the database: PostgreSQL's receipt is sampled."""
    receipt, keys, _, _ = kept
    text = receipt.read_text(encoding="utf-8")
    keys_doc = json.loads(keys.read_text(encoding="utf-8"))
    step = 3 if server.backend == "sqlite" else 29
    for index, ch in enumerate(text):
        if not ch.isalnum() or index % step:
            continue
        changed = text[:index] + ("1" if ch != "1" else "2") + text[index + 1:]
        try:
            document = json.loads(changed)
        except json.JSONDecodeError:
            continue  # not a receipt any more: nothing to verify
        checks = verify_receipt(document, keys_doc=keys_doc, root=ROOT)
        assert outcome(checks) == "failed", f"byte {index} ({ch!r}) changed and the receipt still passes"
    path = tmp_path / "changed.json"
    path.write_text(text.replace('"acct-receipt"', '"acct-receipu"', 1), encoding="utf-8")
    assert verify(path, "--keys", keys).returncode == 1


def test_a_changed_version_text_fails(kept, verify, tmp_path):
    receipt, keys, _, _ = kept
    project = copy_project(ROOT, tmp_path / "project")
    agreement = project / "content" / "versions" / "2021-12-20" / "agreement.yml"
    agreement.write_text(agreement.read_text(encoding="utf-8").replace("静觅科技", "静觅科枝", 1), encoding="utf-8")
    result = verify(receipt, "--keys", keys, root=project)
    assert result.returncode == 1
    assert "协议文本被改动" in result.stdout
    shutil.rmtree(project)


def test_a_checkpoint_of_another_log_fails(kept, verify, tmp_path):
    receipt, keys, checkpoint, _ = kept
    document = json.loads(checkpoint.read_text(encoding="utf-8"))
    document["consistency"]["proof"] = [h[::-1] for h in document["consistency"]["proof"]]
    result = verify(receipt, "--keys", keys, "--checkpoint", save(tmp_path, "cp.json", document))
    assert result.returncode == 1 and "consistency" in result.stdout


def test_usage_errors_exit_2_and_a_missing_file_1(verify, tmp_path):
    assert verify(tmp_path / "receipt.json", "--format", "xml").returncode == 2
    missing = verify(tmp_path / "missing.json")
    assert missing.returncode == 1 and "missing.json" in missing.stderr and "is not there" in missing.stderr


def test_text_report_explains_in_chinese(kept, verify):
    receipt, keys, _, _ = kept
    result = verify(receipt, "--keys", keys)
    assert result.returncode == 0
    assert "回执的 Ed25519 签名有效" in result.stdout and "默克尔日志" in result.stdout
    assert "账户 acct-receipt 于" in result.stdout and "阅读至提示条款末尾" in result.stdout
    assert result.stdout.strip().endswith("receipt verified")
