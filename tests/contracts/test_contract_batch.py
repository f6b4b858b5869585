"""A batch of customers in worker processes: one PDF each, atomically, and a one-line summary."""

from __future__ import annotations

import io
import json
import re

import pypdf
import pytest

from contract_helpers import VERSION, customer_yaml


def test_four_customers_with_two_jobs(cli, capfd, tmp_path):
    ids = [f"batch-{n}" for n in range(1, 5)]
    files = []
    for n, customer_id in enumerate(ids, start=1):
        path = tmp_path / f"{customer_id}.yml"
        text = customer_yaml(id=customer_id, company=f"批量测试{n}号有限公司")
        path.write_text(text.replace("contract_number: ZSY-2026-0001\n", ""), encoding="utf-8")
        files.append(str(path))
    out = tmp_path / "out"
    capfd.readouterr()
    assert cli("contract", *files, "--out", str(out), "--jobs", "2") == 0
    captured = capfd.readouterr()
    lines = captured.out.strip().splitlines()
    assert re.fullmatch(r"wrote 4 contract\(s\) to \S+ in \d+\.\d s \(\d+\.\d/s, 2 worker\(s\)\)",
                        lines[-2]), lines
    assert re.fullmatch(r"recorded 4 in the register \S+register\.sqlite", lines[-1]), lines
    assert "Traceback" not in captured.err
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"{customer_id}_{VERSION}.pdf" for customer_id in ids)  # no temp files
    numbers = set()
    for n, customer_id in enumerate(ids, start=1):
        meta = pypdf.PdfReader(io.BytesIO((out / f"{customer_id}_{VERSION}.pdf").read_bytes())).metadata
        values = json.loads(meta["/CustomerValues"])
        assert values["id"] == customer_id and values["company"] == f"批量测试{n}号有限公司"
        numbers.add(meta["/ContractNumber"])
    assert len(numbers) == 4, "each contract gets its own number"


# These tests assert messages in English, the msgids (tests/test_i18n.py checks the Chinese).
pytestmark = pytest.mark.usefixtures("english_messages")
