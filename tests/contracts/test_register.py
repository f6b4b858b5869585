"""The register: every contract written is recorded once, under concurrent batches too; listing,
verify's check and publish's list of customers to notify read it back."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import multiprocessing
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from contract_helpers import EXAMPLE, VERSION, customer_yaml
from helpers import ROOT, copy_site_project, run_cli
from sheet_helpers import example_row, libreoffice_convert, numbered, write_csv


from register_fixtures import root, run  # noqa: E402,F401 - the fixtures of this module


def rows(root: Path, *query: str) -> list[dict]:
    from generator.cli import main

    buffer = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sys, "stdout", buffer)
        assert main(["--root", str(root), "register", "--format", "json", *query]) == 0
    return json.loads(buffer.getvalue())


def sheet_of(tmp_path: Path, name: str, numbers: range) -> Path:
    return write_csv(tmp_path / f"{name}.csv", [numbered(example_row(), n) for n in numbers])


# --------------------------------------------------------------------------- recording


def test_a_contract_run_records_each_contract(root, run, tmp_path):
    out = tmp_path / "out"
    sheet = sheet_of(tmp_path, "customers", range(1, 3))
    code, stdout, err = run("contract", str(EXAMPLE), str(sheet), "--out", str(out))
    assert code == 0, err
    assert stdout.splitlines()[-1] == f"recorded 3 in the register {root / 'out' / 'register.sqlite'}"
    entries = {e["contract_number"]: e for e in rows(root)}
    assert sorted(entries) == ["ZSY-2026-0001", "ZSY-T-0001", "ZSY-T-0002"]
    entry = entries["ZSY-T-0002"]
    pdf = out / f"customer-2_{VERSION}.pdf"
    assert entry == {**entry, "customer_id": "customer-2", "company": "上海澜舟数据科技有限公司",
                     "credit_code": "91310115MA1K4QXR7K", "version": VERSION, "file_name": pdf.name,
                     "folder": str(out), "sha256": hashlib.sha256(pdf.read_bytes()).hexdigest(),
                     "size": pdf.stat().st_size, "signed": False, "source": f"{sheet}:3"}
    assert entries["ZSY-2026-0001"]["source"] == str(EXAMPLE)
    assert entry["written_at"][:4] >= "2024" and entry["written_at"].endswith("Z")  # stored in UTC
    assert entry["state"] == "generated"
    with sqlite3.connect(root / "out" / "register.sqlite") as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_writing_a_contract_again_updates_its_row(root, run, tmp_path):
    assert run("contract", str(EXAMPLE), "--out", str(tmp_path / "first"))[0] == 0
    assert run("contract", str(EXAMPLE), "--out", str(tmp_path / "second"))[0] == 0
    [entry] = rows(root)
    assert entry["folder"] == str(tmp_path / "second")


def test_signed_contracts_are_recorded_as_signed(root, run, tmp_path, pki, monkeypatch):
    monkeypatch.setenv("AGREEMENTS_P12_PASSWORD", pki.password)
    out = tmp_path / "out"
    assert run("contract", str(EXAMPLE), "--out", str(out), "--sign-p12", str(pki.p12_path))[0] == 0
    [entry] = rows(root)
    assert entry["signed"] is True
    assert entry["sha256"] == hashlib.sha256((out / entry["file_name"]).read_bytes()).hexdigest()


def test_draft_previews_are_not_recorded(root, run, tmp_path):
    draft = tmp_path / "draft.yml"
    draft.write_text(customer_yaml(version="2026-11-28"), encoding="utf-8")
    code, stdout, _ = run("contract", str(draft), "--out", str(tmp_path / "out"), "--allow-draft")
    assert code == 0 and stdout.splitlines()[-1] == "draft previews only: nothing recorded in the register"
    assert not (root / "out" / "register.sqlite").exists()


def test_register_path_comes_from_site_config(root, run, tmp_path):
    config = root / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8") + "register: records/contracts.sqlite\n",
                      encoding="utf-8")
    assert run("contract", str(EXAMPLE), "--out", str(tmp_path / "out"))[0] == 0
    assert (root / "records" / "contracts.sqlite").is_file()
    assert not (root / "out").exists()
    assert [e["customer_id"] for e in rows(root)] == ["lanzhou-data"]


@pytest.mark.parametrize("kind", ["directory", "not-sqlite"])
def test_an_unusable_register_stops_the_batch_before_writing(root, run, tmp_path, kind):
    register = root / "out" / "register.sqlite"
    if kind == "directory":
        register.mkdir(parents=True)
    else:
        register.parent.mkdir(parents=True)
        register.write_bytes(b"these are not the contracts you are looking for" * 100)
    out = tmp_path / "out"
    code, _, err = run("contract", str(EXAMPLE), "--out", str(out))
    assert code == 1 and "Traceback" not in err
    reason = "the register is a folder, not a file" if kind == "directory" else "cannot use the register"
    assert f"{root / 'out' / 'register.sqlite'}: register: {reason}" in err, err
    assert not out.exists()


# --------------------------------------------------------------------------- concurrency (real processes)


def test_two_batches_at_once_both_get_all_their_rows(root, tmp_path):
    """Two `agreements contract` processes on one register at the same time."""
    batches = {"east": range(1, 7), "west": range(11, 17)}
    processes = []
    for name, numbers in batches.items():
        sheet = sheet_of(tmp_path, name, numbers)
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "generator", "--root", str(root), "contract", str(sheet),
             "--out", str(tmp_path / name), "-j", "1"],
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    for process in processes:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err.decode()
    entries = rows(root)
    assert sorted(e["contract_number"] for e in entries) == sorted(
        f"ZSY-T-{n:04d}" for numbers in batches.values() for n in numbers)
    for entry in entries:
        assert entry["sha256"] == hashlib.sha256((Path(entry["folder"]) / entry["file_name"]).read_bytes()).hexdigest()


def _record_many(register: str, customer, pdf: str, prefix: str, count: int, start) -> None:
    from generator.contracts.register import Register

    start.wait()
    with Register(Path(register)) as opened:
        for n in range(count):
            opened.record(dataclasses.replace(customer, contract_number=f"{prefix}-{n}"), Path(pdf),
                          signed=False)
            if n % 10 == 0:  # the same contract again: an update, never a second row
                opened.record(dataclasses.replace(customer, contract_number=f"{prefix}-0"), Path(pdf),
                              signed=True)


def test_many_writers_creating_the_register_at_once(tmp_path, example_customer):
    """Four processes open a register that does not exist yet, at the same moment, and record
    50 contracts each: every row arrives, none twice, and the database is sound."""
    from generator.contracts.register import read_entries

    register = tmp_path / "out" / "register.sqlite"
    pdf = tmp_path / "contract.pdf"
    pdf.write_bytes(b"%PDF-1.7 stand-in")
    context = multiprocessing.get_context("fork")
    start = context.Event()
    workers = [context.Process(target=_record_many, args=(str(register), example_customer, str(pdf),
                                                          f"P{k}", 50, start)) for k in range(4)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=300)
        assert worker.exitcode == 0
    entries = read_entries(register)
    assert sorted(e.contract_number for e in entries) == sorted(f"P{k}-{n}" for k in range(4) for n in range(50))
    assert {e.signed for e in entries if e.contract_number.endswith("-0")} == {True}
    with sqlite3.connect(register) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


# --------------------------------------------------------------------------- listing


@pytest.fixture(scope="module")
def listed(tmp_path_factory):
    """Three contracts of 2021-12-20 in the register, one of a company whose name looks like a formula;
    written once for the listing tests, which only read the register."""
    from generator.cli import main

    work = tmp_path_factory.mktemp("listed")
    root = copy_site_project(work / "project")
    formula = work / "formula.yml"
    formula.write_text(customer_yaml(id="formula", company="=1+2 有限公司", contract_number="ZSY-F-1"),
                       encoding="utf-8")
    sheet = sheet_of(work, "customers", range(1, 2))
    assert main(["--root", str(root), "contract", str(EXAMPLE), str(formula), str(sheet),
                 "--out", str(work / "out")]) == 0
    return root


def test_filters(listed):
    assert len(rows(listed)) == 3
    assert [e["customer_id"] for e in rows(listed, "--customer", "formula")] == ["formula"]
    assert len(rows(listed, "--version", VERSION)) == 3
    assert rows(listed, "--version", "2026-11-28") == []
    assert rows(listed, "--version", VERSION, "--customer", "nobody") == []


def test_table(listed, capsys):
    code, out, _ = run_cli(["--root", str(listed), "register"], capsys)
    lines = out.splitlines()
    assert code == 0 and lines[-1] == "3 contracts"
    header, *body = lines[:-1]
    assert header.split() == ["合同编号", "客户编号", "公司名称", "统一社会信用代码", "协议版本", "状态",
                              "乙方已签", "生成时间（北京时间）"]
    assert any("上海澜舟数据科技有限公司" in line and "lanzhou-data" in line for line in body)

    def column_of(line: str, text: str) -> int:  # display columns, a Chinese character counts two
        import unicodedata

        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line[:line.index(text)])

    assert {column_of(line, VERSION) for line in body} == {column_of(header, "协议版本")}


def test_csv_for_excel(listed, tmp_path, office):
    from generator.cli import main

    buffer = io.BytesIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sys, "stdout", io.TextIOWrapper(buffer, encoding="utf-8"))
        assert main(["--root", str(listed), "register", "--format", "csv"]) == 0
        sys.stdout.flush()
    data = buffer.getvalue()
    assert data.startswith("\ufeff合同编号,客户编号,公司名称,统一社会信用代码,协议版本".encode("utf-8"))
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert {row["公司名称"] for row in table} == {"上海澜舟数据科技有限公司", "'=1+2 有限公司"}
    # LibreOffice, reading it as a spreadsheet would: Chinese intact, the formula-like name stays text.
    path = tmp_path / "register.csv"
    path.write_bytes(data)
    converted = libreoffice_convert(office, path, tmp_path / "lo", infilter="CSV:44,34,76,1")
    from openpyxl import load_workbook

    sheet = load_workbook(converted)["register"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["合同编号", "客户编号", "公司名称"]
    companies = [c for c in sheet["C"][1:]]
    assert {c.value for c in companies} == {"上海澜舟数据科技有限公司", "'=1+2 有限公司"}
    assert {c.data_type for c in companies} == {"s"}


def test_no_register_yet_lists_nothing(run, root):
    code, out, _ = run("register")
    assert code == 0 and out == "合同编号  客户编号  公司名称  统一社会信用代码  协议版本  状态  乙方已签  " \
        "生成时间（北京时间）\n0 contracts\n"
    assert not (root / "out").exists(), "listing never creates the register"


# --------------------------------------------------------------------------- verify and publish


def test_verify_reports_the_register(root, run, tmp_path, pki):
    from generator.contracts import contract

    out = tmp_path / "out"
    assert run("contract", str(EXAMPLE), "--out", str(out))[0] == 0
    pdf = out / f"lanzhou-data_{VERSION}.pdf"
    issued = pdf.read_bytes()

    def note() -> str:
        code, stdout, _ = run("verify", str(pdf))
        [line] = [line for line in stdout.splitlines()
                  if line.startswith(("[pass] register: ", "[warn] register: "))]
        return line

    assert "SHA-256 matches: the file as issued" in note()
    # A later incremental save (a signature) keeps the issued bytes as its beginning.
    pdf.write_bytes(contract.sign_provider(issued, contract.load_signer(pki.p12_path, pki.password_bytes)))
    assert f"its first {len(issued)} bytes match the registered SHA-256" in note()
    # Changed bytes (here the file identifier in the trailer; the text still matches).
    at = issued.index(b"/ID [") + len(b"/ID [") + 1   # after the string's opening ( or <
    pdf.write_bytes(issued[:at] + (b"0" if issued[at:at + 1] != b"0" else b"1") + issued[at + 1:])
    assert "the SHA-256 differs: this is not the file that was issued" in note()
    (root / "out" / "register.sqlite").unlink()
    for suffix in ("-wal", "-shm"):
        (root / "out" / f"register.sqlite{suffix}").unlink(missing_ok=True)
    pdf.write_bytes(issued)
    assert "is not in the register" in note() and "there is no register yet" in note()


def test_publish_names_the_customers_to_notify(root, run, tmp_path):
    examples = sorted((ROOT / "customers" / "examples").glob("*.yml"))
    assert run("contract", *map(str, examples), "--out", str(tmp_path / "out"))[0] == 0
    code, out, err = run("publish", "2026-11-28")
    assert code == 0, err
    assert "customers with a contract of an older version must hear about 2026-11-28; list them with:" in out
    assert "signed" not in out, "written contracts are not signed ones"
    assert f"agreements register --version {VERSION}    # 3 contract(s) in the register: 已生成 3" in out
    assert sorted(e["customer_id"] for e in rows(root, "--version", VERSION)) == [p.stem for p in examples]


def test_verify_still_judges_the_text_when_the_register_is_unreadable(root, run, tmp_path):
    out = tmp_path / "out"
    assert run("contract", str(EXAMPLE), "--out", str(out))[0] == 0
    register = root / "out" / "register.sqlite"
    for suffix in ("-wal", "-shm"):
        (root / "out" / f"register.sqlite{suffix}").unlink(missing_ok=True)
    register.write_bytes(b"not a database" * 100)
    code, stdout, _ = run("verify", str(out / f"lanzhou-data_{VERSION}.pdf"))
    assert code == 0 and "verdict:  genuine" in stdout
    assert "[warn] register: " in stdout and "cannot use the register" in stdout


# These tests assert messages in English, the msgids (tests/test_i18n.py checks the Chinese).
pytestmark = pytest.mark.usefixtures("english_messages")


# --------------------------------------------------------------------------- the register's word on one file


def _finding(monkeypatch, tmp_path, issued: bytes, now: bytes):
    """check_registered on a file holding ``now``, the register having recorded ``issued``."""
    import hashlib

    from generator.contracts import register
    from generator.contracts.register_schema import Entry

    entry = Entry(contract_number="ZSY-T-0001", customer_id="acme", company="某某有限公司",
                  credit_code="91310115MA1K4QXR7K", version="2021-12-20", file_name="acme.pdf",
                  folder=str(tmp_path), sha256=hashlib.sha256(issued).hexdigest(), size=len(issued),
                  signed=False, written_at="2026-12-04T04:30:00Z", source="acme.yml", state="generated")
    monkeypatch.setattr(register, "read_entries", lambda *_args, **_conditions: [entry])
    pdf = tmp_path / "acme.pdf"
    pdf.write_bytes(now)
    return register.check_registered(tmp_path / "register.sqlite", pdf, entry.contract_number)


@pytest.mark.parametrize("now, issued_flag", [
    (b"%PDF-issued", True),  # the bytes written
    (b"%PDF-issued + an incremental save by the customer", True),  # they begin a later save
    (b"%PDF-iSSued", False),  # the same length, other bytes
    (b"%PDF-other bytes, and longer than the file written", False),  # longer, another start
    (b"%PDF-iss", False),  # shorter
])
def test_the_register_tells_the_file_issued_from_any_other(monkeypatch, tmp_path, now, issued_flag):
    """Kills the mutants of the prefix-hash branch: a longer file counts as issued only when
    its first bytes are exactly the registered ones."""
    finding = _finding(monkeypatch, tmp_path, b"%PDF-issued", now)
    assert finding.issued is issued_flag, finding.message
