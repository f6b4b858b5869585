"""The evidence certificate: a PDF/A-3b that names the account, the version with its hashes, the
time, what was presented and the proofs, with the receipt embedded (read back with poppler and pikepdf)."""

from __future__ import annotations

import json
import subprocess

import pikepdf

from flows import accept
from helpers import run_cli


def test_receipt_pdf_is_pdfa3_with_the_evidence_and_the_receipt_inside(sqlite_server, tmp_path, capsys, monkeypatch):
    """The certificate reads the same receipt from either database: one rendering is enough."""
    server = sqlite_server
    with server.client() as client:
        receipt = accept(server, client, "acct-certificate")
    out = tmp_path / "evidence.pdf"
    monkeypatch.setenv("LANGUAGE", "en")
    code, _, err = run_cli(["receipt-pdf", receipt["acceptance_id"], "-o", str(out),
                            "--database", server.service.settings.database,
                            "--keys-dir", str(server.folder / "keys")], capsys)
    assert code == 0, err
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    for expected in ("acct-certificate", receipt["version"]["version_hash"], receipt["tree_head"]["root_hash"],
                     "《数据技术服务使用协议》（2021年12月20日版）", "北京时间", "payment.refund", "通过"):
        assert expected in flat, expected
    with pikepdf.open(out) as pdf:
        meta = pdf.open_metadata()
        assert meta.get("pdfaid:part") == "3" and meta.get("pdfaid:conformance") == "B"
        embedded = json.loads(pdf.attachments["receipt.json"].get_file().read_bytes())
    assert embedded == receipt
    subprocess.run(["qpdf", "--check", str(out)], check=True, capture_output=True)
