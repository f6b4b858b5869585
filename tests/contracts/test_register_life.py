"""The register records a life: append-only events, states, reservations, reissues, migration,
and it never disagrees with the folder (a real batch killed with SIGKILL)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from contract_helpers import EXAMPLE, VERSION, customer_yaml
from sheet_helpers import example_row, numbered, write_csv


from register_fixtures import root, run  # noqa: E402,F401 - the fixtures of this module


def listed(run, *query: str) -> list[dict]:
    code, out, err = run("register", "list", "--format", "json", *query)
    assert code == 0, err
    return json.loads(out)


def register_file(root: Path) -> Path:
    return root / "out" / "register.sqlite"


def record(root: Path, yaml_file: Path, out: Path, data: bytes) -> Path:
    """A contract in ``out`` and its 生成 event, as a batch leaves them (its bytes rendered once)."""
    from generator.content.project import load_project
    from generator.contracts.export import load_customers
    from generator.contracts.register import Register

    [customer] = load_customers([yaml_file], load_project(root))
    target = out / customer.output_name
    out.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    with Register(register_file(root)) as register:
        register.record(customer, target, signed=False, by="王芳")
    return target


@pytest.fixture
def issued(root, tmp_path, example_pdf):
    """The example contract (the session's, tests/contracts/conftest.py) in tmp_path/out, in the register."""
    return record(root, EXAMPLE, tmp_path / "out", example_pdf)


def test_a_contract_lives_through_appended_events(run, root, issued):
    code, out, err = run("register", "mark", "ZSY-2026-0001", "sent", "--by", "王芳")
    assert code == 0, err
    assert out.startswith("ZSY-2026-0001: 已发出 (") and "北京时间, 王芳)" in out
    assert run("register", "mark", "ZSY-2026-0001", "archived")[0] == 1  # not signed yet
    assert run("register", "mark", "ZSY-2026-0001", "signed", "--by", "王芳")[0] == 0
    assert run("register", "mark", "ZSY-2026-0001", "archived", "--by", "李雷")[0] == 0
    [entry] = listed(run)
    assert entry["state"] == "archived"
    with sqlite3.connect(register_file(root)) as db:
        kinds = [k for (k,) in db.execute("SELECT kind FROM events ORDER BY id")]
        assert kinds == ["generated", "sent", "signed", "archived"]
        times = [t for (t,) in db.execute("SELECT at FROM events")]
        assert all(t.endswith("Z") for t in times), times
        for statement in ("UPDATE events SET kind = 'void'", "DELETE FROM events"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                db.execute(statement)
        for statement in ("UPDATE contracts SET credit_code = 'x'", "DELETE FROM customers"):
            with pytest.raises(sqlite3.IntegrityError, match="written once"):
                db.execute(statement)


def test_a_contract_past_its_expiry_date_is_expired_unless_archived_or_void(root, tmp_path, example_pdf):
    import datetime as dt

    from generator.contracts.register import Register, read_entries
    from generator.contracts.register_events import derived_state

    from generator.content.project import load_project
    from generator.contracts.export import load_customers

    record(root, EXAMPLE, tmp_path / "out", example_pdf)
    [customer] = load_customers([EXAMPLE], load_project(root))
    with Register(register_file(root)) as register:
        register.record(customer, tmp_path / "out" / customer.output_name, signed=False, expires_on="2020-01-31")
        assert read_entries(register_file(root))[0].state == "expired"
        register.mark(customer.contract_number, "void", by="王芳")  # an expired contract may still be voided
    assert read_entries(register_file(root))[0].state == "void"
    today = dt.date(2026, 12, 4)
    assert derived_state("sent", "2026-12-03", today) == "expired"
    assert derived_state("sent", "2026-12-04", today) == "sent"  # the 到期日 itself still counts
    assert derived_state("archived", "2020-01-01", today) == "archived"


def test_a_step_that_does_not_follow_is_refused(run, issued):
    code, _, err = run("register", "mark", "ZSY-2026-0001", "archived")
    assert code == 1 and "is 已生成; it can be marked 已归档 only when 甲方已签" in err
    code, _, err = run("register", "mark", "ZSY-NOPE", "sent")
    assert code == 1 and "contract ZSY-NOPE is not in the register" in err


def test_the_table_shows_beijing_time(run, root, issued):
    from generator.contracts.register_events import beijing

    [entry] = listed(run)
    code, out, _ = run("register")
    assert code == 0 and beijing(entry["written_at"]) in out
    assert entry["written_at"].replace("T", " ")[:16] not in out  # not the UTC time (8 hours apart)


def test_customer_search_is_partial(run, root, tmp_path, issued, example_pdf):
    other = tmp_path / "other.yml"
    other.write_text(customer_yaml(id="other", company="北京另一家科技有限公司", credit_code="91110108MA01R1YB6X",
                                   contract_number="ZSY-O-7"), encoding="utf-8")
    record(root, other, tmp_path / "out", example_pdf)
    for text, expected in (("澜舟", ["lanzhou-data"]), ("另一家", ["other"]), ("91310115", ["lanzhou-data"]),
                           ("zsy-o", ["other"]), ("ZSY", ["lanzhou-data", "other"]), ("other", ["other"]),
                           ("100%", [])):
        assert sorted(e["customer_id"] for e in listed(run, "--customer", text)) == expected, text


def test_a_customer_id_is_reserved_for_one_company(run, tmp_path, issued):
    impostor = tmp_path / "impostor.yml"
    impostor.write_text(customer_yaml(company="另一家公司", credit_code="91110108MA01R1YB6X",
                                      contract_number="ZSY-X-1"), encoding="utf-8")
    out = tmp_path / "second"
    code, _, err = run("contract", str(impostor), "--out", str(out))
    assert code == 1 and "客户编号 lanzhou-data is already reserved for 上海澜舟数据科技有限公司" in err
    assert not list(out.glob("*.pdf")), "refused before anything was written"


def test_a_contract_voided_is_reissued_with_a_suffix_in_its_provenance(run, root, tmp_path, issued):
    import pikepdf

    assert run("register", "mark", "ZSY-2026-0001", "void", "--note", "地址写错")[0] == 0
    assert run("register", "mark", "ZSY-2026-0001", "sent")[0] == 1  # void is final
    code, _, err = run("contract", str(EXAMPLE), "--out", str(tmp_path / "again"))
    assert code == 0, err
    entries = {e["contract_number"]: e for e in listed(run)}
    assert entries["ZSY-2026-0001"]["state"] == "void"
    assert entries["ZSY-2026-0001-R1"]["reissue_of"] == "ZSY-2026-0001"
    with pikepdf.open(tmp_path / "again" / issued.name) as pdf:
        assert str(pdf.docinfo["/ContractNumber"]) == "ZSY-2026-0001-R1"
    code, out, _ = run("verify", str(tmp_path / "again" / issued.name))
    assert code == 0 and "ZSY-2026-0001-R1" in out


def test_csv_and_xlsx_keep_identifiers_as_text(run, root, issued, tmp_path):
    from openpyxl import load_workbook

    assert run("register", "--format", "csv", "-o", str(tmp_path / "r.csv"))[0] == 0
    data = (tmp_path / "r.csv").read_bytes()
    assert data.startswith("\ufeff合同编号,".encode("utf-8")) and b"91310115MA1K4QXR7K" in data
    assert run("register", "--format", "json", "-o", str(tmp_path / "r.xlsx"))[0] == 2
    assert run("register", "-o", str(tmp_path / "r.xlsx"))[0] == 0  # .xlsx: a workbook
    sheet = load_workbook(tmp_path / "r.xlsx")["合同登记"]
    header = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(header, sheet[2])}
    for name in ("合同编号", "统一社会信用代码", "客户编号"):
        assert row[name].data_type == "s" and row[name].number_format == "@", name
    assert row["状态"].value == "已生成"


def test_a_v1_register_is_migrated_and_a_newer_one_is_named(run, root):
    path = register_file(root)
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as db:  # the layout of the register before events
        db.execute("CREATE TABLE contracts (contract_number TEXT PRIMARY KEY, customer_id TEXT NOT NULL, "
                   "company TEXT NOT NULL, credit_code TEXT NOT NULL, version TEXT NOT NULL, file_name TEXT "
                   "NOT NULL, folder TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL, signed "
                   "INTEGER NOT NULL, written_at TEXT NOT NULL, source TEXT NOT NULL)")
        db.execute("INSERT INTO contracts VALUES ('ZSY-1', 'acme', 'ACME 有限公司', '91310115MA1K4QXR7K', "
                   "'2021-12-20', 'acme.pdf', '/nowhere', 'ab', 10, 0, '2026-12-01T09:30:00+08:00', 'x.yml')")
        db.execute("PRAGMA user_version = 1")
    code, _, err = run("register")
    assert code == 1 and "old layout (schema 1)" in err
    assert run("register", "mark", "ZSY-1", "sent", "--by", "王芳")[0] == 0  # a writer migrates
    [entry] = listed(run)
    assert (entry["written_at"], entry["state"], entry["company"]) == ("2026-12-01T01:30:00Z", "sent", "ACME 有限公司")
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 7")
    code, _, err = run("register")
    assert code == 1 and "written by a newer version of agreements (register schema 7" in err
    assert "no such column" not in err


def test_a_folder_or_a_dangling_link_is_not_an_empty_register(run, root):
    path = register_file(root)
    path.parent.mkdir(parents=True)
    path.symlink_to(root / "gone.sqlite")
    code, _, err = run("register")
    assert code == 1 and "the register is a link to" in err and "which does not exist" in err
    path.unlink()
    path.mkdir()
    code, _, err = run("register")
    assert code == 1 and "the register is a folder, not a file" in err


def test_control_characters_in_a_value_are_escaped(run, root, issued):
    with sqlite3.connect(register_file(root)) as db:  # a register edited by hand, or an old bug
        db.execute("INSERT INTO events (contract_number, kind, at, file_name, folder, sha256, size, signed, "
                   "source, company, extra) SELECT contract_number, 'generated', at, file_name, folder, "
                   "sha256, size, signed, source, ?, '{}' FROM events", ("坏\x1b[2J公司",))
    code, out, _ = run("register")
    assert code == 0 and "\x1b" not in out and "坏\\u001b[2J公司" in out


def test_check_names_unknown_files_and_missing_ones(run, issued):
    code, out, _ = run("register", "check")
    assert code == 0 and "agree with their folders" in out
    stray = issued.with_name("stray.pdf")
    stray.write_bytes(b"%PDF-1.7")
    issued.rename(issued.with_name("renamed"))
    code, out, _ = run("register", "check")
    assert code == 1
    assert f"{stray}: a contract file the register does not know" in out
    assert f"{issued}: in the register as ZSY-2026-0001, but the file is missing" in out
    # killed between its row and its rename: the bytes recorded wait under a hidden name
    pending = issued.with_name(f".{issued.name}.4242.pending")
    issued.with_name("renamed").rename(pending)
    issued.with_name(f".{issued.name}.4343.pending").write_bytes(b"%PDF-1.7 half a batch")
    code, out, _ = run("register", "check")
    assert f"{pending}: recorded as ZSY-2026-0001, but the batch stopped before naming it: rename it to " \
        f"{issued.name}" in out
    assert f".{issued.name}.4343.pending: left by a batch that stopped; it was never issued" in out


def test_publish_shows_states_not_signatures(run, root, issued):
    assert run("register", "mark", "ZSY-2026-0001", "sent")[0] == 0
    code, out, err = run("publish", "2026-11-28")
    assert code == 0, err
    assert "1 contract(s) in the register: 已发出 1" in out


# --------------------------------------------------------------------------- kill -9


def test_a_batch_killed_at_random_moments_leaves_folder_and_register_agreeing(root, tmp_path):
    """A real `agreements contract` batch, SIGKILLed at a random moment (twice, each
    run resumed into the same folder): every contract PDF in the folder has its row with its
    SHA-256; what was never issued is only ever a hidden .pending file."""
    from generator.contracts.register import read_entries, read_history
    from generator.contracts.register_report import disagreements

    sheet = write_csv(tmp_path / "sheet.csv", [numbered(example_row(), n) for n in range(1, 9)])
    out = tmp_path / "out"
    rng = random.Random(os.environ.get("PYTEST_SEED", "register-kill"))
    temporary = tmp_path / "tmp"  # a killed batch leaves its temporary fonts: here, not in /tmp
    temporary.mkdir()
    for attempt in range(2):
        process = subprocess.Popen([sys.executable, "-m", "generator", "--root", str(root), "contract",
                                    str(sheet), "--out", str(out), "-j", "2"],
                                   env={**os.environ, "TMPDIR": str(temporary)},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(1.0, 3.5))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        entries = {e.file_name: e for e in read_entries(register_file(root))}
        for pdf in out.glob("*.pdf"):
            assert pdf.name in entries, f"attempt {attempt}: {pdf.name} is not in the register"
            written = {event.sha256 for event in read_history(register_file(root),
                                                               entries[pdf.name].contract_number)}
            assert hashlib.sha256(pdf.read_bytes()).hexdigest() in written, pdf.name
        assert not [p for p in disagreements(list(entries.values())) if "does not know" in p]


def test_two_desks_reserving_one_customer_id_for_two_companies(root, tmp_path):
    """Two salespeople at once (two connections): the 客户编号 goes to the first company only."""
    import dataclasses

    from generator.content.project import load_project
    from generator.contracts.export import load_customers
    from generator.contracts.register import Register
    from generator.errors import AgreementsError

    [customer] = load_customers([EXAMPLE], load_project(root))
    other = dataclasses.replace(customer, data=customer.data.model_copy(
        update={"credit_code": "91110108MA01R1YB6X", "company": "另一家公司"}))
    with Register(register_file(root)) as first, Register(register_file(root)) as second:
        assert first.reserve([customer]) == [customer]
        with pytest.raises(AgreementsError, match="already reserved for 上海澜舟数据科技有限公司"):
            second.reserve([other])
        assert second.reserve([customer]) == [customer]  # the same company again is fine


def test_listing_warns_of_files_the_register_does_not_know(run, issued):
    issued.with_name("stray.pdf").write_bytes(b"%PDF-1.7")
    code, out, err = run("register")
    assert code == 0 and "1 contract" in out
    assert f"warning: {issued.with_name('stray.pdf')}: a contract file the register does not know" in err


pytestmark = pytest.mark.usefixtures("english_messages")
