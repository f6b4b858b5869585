"""The desk's pages and guards through its HTTP API (Starlette's TestClient on the session's desk)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from desk_helpers import GOOD_FORM, SERVICES, csrf_of, named_client, sign_as_party_a, wait_for_job
from helpers import ROOT


def post_form(client, path: str, fields: dict, **extra):
    return client.post(path, data={"csrf": csrf_of(client, "/new"), **fields}, **extra)


@pytest.fixture(scope="module")
def issued(desk_client, desk):
    """One contract issued from the form: its 合同编号."""
    client = desk_client
    response = post_form(client, "/new", {**GOOD_FORM, "开通服务": SERVICES, "到期日": "2099-12-31"})
    assert response.status_code == 303, response.text
    wait_for_job(desk, response.headers["location"])
    page = client.get(response.headers["location"])
    assert page.status_code == 303
    return page.headers["location"].rsplit("/", 1)[-1]


def test_the_desk_asks_the_name_once(desk):
    from starlette.testclient import TestClient

    from generator.desk.routes import create_app

    fresh = TestClient(create_app(desk), base_url="http://127.0.0.1", follow_redirects=False)
    assert fresh.get("/new").headers["location"] == "/name?next=/new"
    assert fresh.post("/name", data={"name": "李雷"}).status_code == 403  # no CSRF token
    token = csrf_of(fresh, "/name")
    assert fresh.post("/name", data={"csrf": token, "name": " "}).status_code == 422
    answer = fresh.post("/name", data={"csrf": token, "name": "李雷", "next": "//evil.example/"})
    assert answer.headers["location"] == "/"  # never a redirect off the desk
    page = fresh.get("/new")
    assert page.status_code == 200 and "经办人：李雷" in page.text and 'lang="zh-CN"' in page.text
    # a page elsewhere whose name was pointed at 127.0.0.1 (DNS rebinding) reads nothing
    assert fresh.get("/", headers={"Host": "evil.example:8765"}).status_code == 400


def test_a_form_with_mistakes_shows_them_beside_their_fields(desk_client):
    client = desk_client
    wrong = {**GOOD_FORM, "统一社会信用代码": "91310115MA1K4QXR7A", "电子邮箱": "li-at-example", "核验目的": ""}
    response = post_form(client, "/new", {**wrong, "开通服务": SERVICES})
    assert response.status_code == 422
    html = response.text
    for header in ("统一社会信用代码", "电子邮箱", "核验目的"):
        message = re.search(rf'<p class="error" id="e-{header}">([^<]+)</p>', html)
        assert message, header
        assert f'id="f-0-{header}" name="{header}" value="{wrong[header]}"' in html, "the value is kept"
    assert "check digit" in html or "校验" in html
    assert 'id="e-公司名称"' not in html


def test_a_contract_issued_from_the_form(desk_client, desk, issued):
    client = desk_client
    from generator.contracts.register import read_entries

    [entry] = read_entries(desk.register, contract_number=issued)
    assert (entry.customer_id, entry.state, entry.expires_on) == ("desk-acme", "generated", "2099-12-31")
    page = client.get(f"/contracts/{issued}")
    assert page.status_code == 200 and "已生成" in page.text and "王芳" in page.text
    pdf = client.get(f"/contracts/{issued}/file.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == entry.sha256
    docx = client.get(f"/contracts/{issued}/file.docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    preview = client.get(f"/contracts/{issued}/preview")
    assert preview.status_code == 200 and "上海澜舟数据科技有限公司" in preview.text and issued in preview.text


def test_search_finds_by_part_of_a_name_number_or_code(desk_client, issued):
    client = desk_client
    for query in ("澜舟", issued[-4:].lower(), "MA1K4QXR"):
        assert f'href="/contracts/{issued}"' in client.get("/", params={"q": query}).text, query
    assert f'href="/contracts/{issued}"' not in client.get("/", params={"q": "没有这家"}).text
    hostile = client.get("/", params={"q": "<script>alert(1)</script>"}).text
    assert "<script>alert" not in hostile and "&lt;script&gt;" in hostile


def test_lifecycle_steps_append_events_with_who(desk_client, desk, issued):
    client = desk_client
    assert client.post(f"/contracts/{issued}/mark", data={"step": "sent"}).status_code == 403  # CSRF
    token = csrf_of(client, f"/contracts/{issued}")
    assert client.post(f"/contracts/{issued}/mark", data={"csrf": token, "step": "archived"}).status_code == 409
    assert client.post(f"/contracts/{issued}/mark", data={"csrf": token, "step": "sent"}).status_code == 303
    page = client.get(f"/contracts/{issued}").text
    history = page[page.index('id="history"'):]
    assert re.search(r"<td>\d{4}-\d\d-\d\d \d\d:\d\d</td><td>已发出</td><td>王芳</td>", history)
    with sqlite3.connect(desk.register) as db:
        assert db.execute("SELECT by FROM events WHERE contract_number = ? AND kind = 'sent'",
                          (issued,)).fetchone() == ("王芳",)


def test_the_signed_copy_counts_only_when_party_a_signature_verifies(desk_client, desk, issued, party_a_signer):
    client = desk_client
    from generator.contracts.register import read_entries

    original = client.get(f"/contracts/{issued}/file.pdf").content
    token = csrf_of(client, f"/contracts/{issued}")

    def upload(data: bytes):
        return client.post(f"/contracts/{issued}/signed", data={"csrf": token},
                           files={"signed": ("signed.pdf", data, "application/pdf")})

    unsigned = upload(original)
    assert unsigned.status_code == 422 and "文件中没有甲方的签名" in unsigned.text
    assert 'id="verify-findings"' in unsigned.text and "rebuild" in unsigned.text
    signed = sign_as_party_a(original, party_a_signer)
    assert read_entries(desk.register, contract_number=issued)[0].state == "sent"
    assert upload(signed).status_code == 303
    assert read_entries(desk.register, contract_number=issued)[0].state == "signed"
    assert "甲方已签" in client.get(f"/contracts/{issued}").text


def test_a_sheet_with_a_bad_row_is_refused_with_its_excel_row(desk_client):
    client = desk_client
    from helpers import ROOT  # noqa: F401 - the project's own sheet headers come from the form

    rows = [GOOD_FORM | {"开通服务": "、".join(SERVICES), "客户编号": f"s-{n}", "合同编号": f"ZSY-S-{n}"}
            for n in range(3)]
    rows[1]["联系电话"] = "not a phone"
    header = list(rows[0])
    text = ",".join(header) + "\n" + "\n".join(",".join(r[h] for h in header) for r in rows) + "\n"
    response = client.post("/upload", data={"csrf": csrf_of(client, "/upload")},
                           files={"sheet": ("客户.csv", text.encode("utf-8"), "text/csv")})
    assert response.status_code == 422
    [row] = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td>", response.text)
    assert row == ("3", "联系电话")


@pytest.mark.parametrize("name, data, message", [
    ("客户.txt", b"a,b\n", "只接受 .xlsx 或 .csv"),
    ("客户.xlsx", b"%PDF-1.7 not a workbook", "不是 .xlsx"),
])
def test_an_upload_of_another_type_is_refused(desk_client, name, data, message):
    client = desk_client
    response = client.post("/upload", data={"csrf": csrf_of(client, "/upload")},
                           files={"sheet": (name, data, "application/octet-stream")})
    assert response.status_code == 422 and message in response.text


def test_an_upload_over_the_limit_is_refused_before_it_is_read(desk_client, monkeypatch):
    client = desk_client
    from generator.desk import app

    monkeypatch.setattr(app, "MAX_UPLOAD", 1000)
    response = client.post("/upload", data={"csrf": csrf_of(client, "/upload")},
                           files={"sheet": ("big.csv", b"x" * 5000, "text/csv")})
    assert response.status_code == 413


def test_older_versions_are_listed_and_exported_as_text_cells(tmp_path):
    from openpyxl import load_workbook

    from generator.cli import main
    from generator.content.lifecycle import publish
    from generator.content.project import load_project
    from generator.contracts.export import load_customers
    from generator.contracts.register import Register, register_path
    from generator.desk.app import Desk
    from helpers import ROOT, copy_site_project

    root = copy_site_project(tmp_path / "project")
    project = load_project(root)
    [customer] = load_customers([ROOT / "customers" / "examples" / "lanzhou-data.yml"], project)
    stand_in = tmp_path / "c.pdf"
    stand_in.write_bytes(b"%PDF-1.7 stand-in")
    with Register(register_path(root, project.config)) as register:
        register.record(customer, stand_in, signed=False)
    publish(root, "2026-11-28")
    client = named_client(Desk(root, main), "王芳")
    assert "ZSY-2026-0001" in client.get("/older").text
    book = load_workbook(io.BytesIO(client.get("/older.xlsx").content))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    code = sheet.cell(2, header.index("统一社会信用代码") + 1)
    assert (code.value, code.data_type, code.number_format) == ("91310115MA1K4QXR7K", "s", "@")
    assert client.get("/older.csv").content.startswith("\ufeff合同编号".encode("utf-8"))
    assert client.get("/older.exe").status_code == 404


def test_elsewhere_than_loopback_a_password_and_an_expiring_session(tmp_path, desk_root):
    from starlette.testclient import TestClient

    from generator.cli import main
    from generator.desk.app import Desk
    from generator.desk.routes import create_app
    from generator.desk.security import Sessions, hash_password

    with pytest.raises(ValueError):
        Desk(desk_root, main, host="0.0.0.0")
    now = [0.0]
    desk = Desk(desk_root, main, host="0.0.0.0", password_hash=hash_password("correct horse battery"),
                sessions=Sessions(60, clock=lambda: now[0]))
    client = TestClient(create_app(desk), follow_redirects=False)
    assert client.get("/").headers["location"] == "/login"
    token = csrf_of(client, "/login")
    assert client.post("/login", data={"csrf": token, "password": "wrong"}).status_code == 401
    assert client.post("/login", data={"csrf": token, "password": "correct horse battery"}).status_code == 303
    client.post("/name", data={"csrf": csrf_of(client, "/name"), "name": "王芳"})
    assert client.get("/").status_code == 200
    now[0] += 61  # idle past the limit
    assert client.get("/").headers["location"] == "/login"


def test_every_form_carries_the_csrf_token(desk_client, issued):
    client = desk_client
    for path in ("/new", "/upload", f"/contracts/{issued}", "/"):
        html = client.get(path).text
        forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", html, re.S)
        assert forms, path
        assert all('name="csrf"' in form for form in forms), path


def test_the_command_refuses_another_address_without_a_password(desk_root, capsys, monkeypatch):
    from generator.cli import main

    monkeypatch.setenv("LANGUAGE", "en")
    monkeypatch.delenv("AGREEMENTS_DESK_PASSWORD_HASH", raising=False)
    assert main(["--root", str(desk_root), "desk", "--host", "0.0.0.0", "--no-browser"]) == 1
    assert "reachable from other computers" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["desk", "--hash-password"]) == 1
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main(["desk", "--hash-password"]) == 0
    stored = capsys.readouterr().out.strip()
    from generator.desk.security import password_matches

    assert stored.startswith("$argon2id$") and password_matches(stored, "a long enough password")


class _AcceptanceService(BaseHTTPRequestHandler):
    """Issue 20's GET /v1/accounts/{id}/status, answering for one account."""

    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path != "/v1/accounts/desk-acme/status":
            self.send_error(404)
            return
        body = json.dumps({"account": "desk-acme", "version": "2021-12-20", "needs_reacceptance": True,
                           "since": "2026-12-01T02:00:00Z", "proofs": ["not shown"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_acceptance_status_comes_from_the_service_over_http(desk_client, desk, issued, monkeypatch):
    from helpers import serving

    with serving(_AcceptanceService) as url:
        monkeypatch.setattr(desk, "acceptance_url", url)
        page = desk_client.get(f"/contracts/{issued}").text
        shown = page[page.index('id="acceptance"'):]
        assert "<dt>needs_reacceptance</dt><dd>是</dd>" in shown and "<dd>2021-12-20</dd>" in shown
        assert "proofs" not in shown.split("</dl>")[0]
        monkeypatch.setattr(desk, "acceptance_url", url + "missing/")
        assert "没有这个账户的记录" in desk_client.get(f"/contracts/{issued}").text
    monkeypatch.setattr(desk, "acceptance_url", url)  # the service has stopped
    assert "无法连接在线同意服务" in desk_client.get(f"/contracts/{issued}").text


def test_the_form_previews_the_contract_without_issuing_it(desk_client, desk):
    from generator.contracts.register import read_entries

    before = len(read_entries(desk.register))
    fields = {**GOOD_FORM, "客户编号": "preview-only", "开通服务": SERVICES, "action": "preview"}
    response = post_form(desk_client, "/new", fields)
    assert response.status_code == 200 and "上海澜舟数据科技有限公司" in response.text
    assert "用户实名认证" in response.text and "<style>" in response.text
    assert len(read_entries(desk.register)) == before
    wrong = post_form(desk_client, "/new", {**fields, "电子邮箱": "nope"})
    assert wrong.status_code == 422 and 'id="e-电子邮箱"' in wrong.text


def test_a_desk_job_leaves_no_temporary_folders(tmp_path, desk_root):
    """A job's process ends with os._exit, skipping exit handlers: it lets its caches go first,
    or each job would leave ~10 MB of fonts behind (faces.py's and WeasyPrint's copies)."""
    source = ROOT / "customers" / "examples" / "lanzhou-data.yml"
    log = tmp_path / "job.log"
    argv = ["--root", str(desk_root), "contract", str(source), "--out", str(tmp_path / "out"), "--type", "pdf"]
    script = ("import sys\nfrom generator.cli import main\n"
              "from generator.desk.issue import PRELOAD, forkserver, run_command_line\n"
              f"job = forkserver(PRELOAD).Process(target=run_command_line, args=(main, {argv!r}, "
              f"{str(log)!r}, {str(desk_root)!r}))\n"
              "job.start()\njob.join(300)\nsys.exit(job.exitcode)\n")
    # Short: the forkserver's socket lives there too, and a socket's path has at most 107 bytes.
    with tempfile.TemporaryDirectory(prefix="desk-", dir="/tmp") as temporary:
        done = subprocess.run([sys.executable, "-c", script], env={**os.environ, "TMPDIR": temporary},
                              capture_output=True, text=True, timeout=360)
        left = sorted(p.name for p in Path(temporary).iterdir())
    assert done.returncode == 0, (done.stderr[-2000:], log.exists() and log.read_text(encoding="utf-8"))
    assert [p.name for p in (tmp_path / "out").glob("*.pdf")] == ["lanzhou-data_2021-12-20.pdf"]
    assert left == []
