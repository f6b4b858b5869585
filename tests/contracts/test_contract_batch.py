"""A batch of customers in worker processes: one PDF each, atomically, and a one-line summary."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys

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


def test_a_batch_leaves_no_temporary_folders(tmp_path, contract_root):
    """The working faces (faces.py) and WeasyPrint's copies of them (~5 MB each) go at exit,
    the frozen and cached font configuration included; a separate process, so its exit is real."""
    files = []
    for n in range(1, 4):
        path = tmp_path / f"temp-{n}.yml"
        path.write_text(customer_yaml(id=f"temp-{n}").replace("contract_number: ZSY-2026-0001\n", ""),
                        encoding="utf-8")
        files.append(str(path))
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    done = subprocess.run([sys.executable, "-m", "generator", "--root", str(contract_root), "contract", *files,
                           "--out", str(tmp_path / "out"), "--jobs", "2"],
                          env={**os.environ, "TMPDIR": str(temporary)}, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 3
    assert sorted(p.name for p in temporary.iterdir()) == []
