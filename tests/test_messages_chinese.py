"""No English sentence reaches a Chinese-locale user (issue 18): the error paths of verify,
register, the desk's pages and the customer sheets, run with no language variable at all and
with LANG=zh_CN.UTF-8, the way a salesperson's machine is set up.

Libraries' own words (pyHanko's reasons, pikepdf's, asn1crypto's, openpyxl's, sqlite3's
exceptions) would show here as English: generator/library_messages.py and
generator/contracts/verify/pyhanko_reasons.py give each a message of ours. The detector is
tests/english.py, shared with tests/test_i18n.py.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from english import english_sentences, page_text
from helpers import FIXTURES, ROOT, copy_project, make_pki, run_cli

SIGNED = FIXTURES / "contracts-before-upgrade" / "signed-party-b.pdf"
TEST_ROOT = FIXTURES / "contracts-before-upgrade" / "test-root.pem"
LANGUAGE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture(params=("unset", "zh_CN.UTF-8"))
def chinese(request, monkeypatch):
    for variable in LANGUAGE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    if request.param != "unset":
        monkeypatch.setenv("LANG", request.param)
    return request.param


def assert_chinese(text: str, where: str) -> None:
    found = english_sentences(text)
    assert not found, f"{where}: English reaches a Chinese reader: {found}\n{text}"


# --------------------------------------------------------------------------
# verify: what a forger, a damaged download or another CA does to a signed contract


def _tampered(data: bytes) -> bytes:
    """One byte of the signed first revision changed (the signature's digest no longer matches)."""
    at = data.index(b"/Producer") + 2
    return data[:at] + bytes([data[at] ^ 0x20]) + data[at + 1:]


def _wrong_signature(data: bytes) -> bytes:
    """One hex digit of the signature value itself changed."""
    at = data.index(b"/Contents <") + len(b"/Contents <") + 200
    return data[:at] + (b"1" if data[at:at + 1] == b"0" else b"0") + data[at + 1:]


PDFS = {
    "untrusted": lambda data: data,
    "tampered": _tampered,
    "wrong-signature": _wrong_signature,
    "malformed": lambda data: data[: len(data) // 2],
    "not-a-pdf": lambda data: b"PK\x03\x04" + b"this is a ZIP archive, not a contract" * 20,
}


@pytest.fixture(scope="module")
def bad_pdfs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bad-pdfs")
    data = SIGNED.read_bytes()
    paths = {}
    for name, make in PDFS.items():
        paths[name] = folder / f"{name}.pdf"
        paths[name].write_bytes(make(data))
    return paths


@pytest.fixture(scope="module")
def other_root(tmp_path_factory) -> Path:
    """A CA that did not issue 乙方's certificate."""
    folder = tmp_path_factory.mktemp("other-ca")
    return make_pki(folder).root_pem(folder)


@pytest.mark.parametrize("case, options", [
    ("untrusted", []), ("untrusted", ["--require-trust"]), ("untrusted", ["--trust", "OTHER"]),
    ("tampered", ["--trust", str(TEST_ROOT)]), ("wrong-signature", []), ("malformed", []), ("not-a-pdf", []),
])
def test_verify_findings_are_chinese(case, options, chinese, bad_pdfs, other_root, capsys):
    options = [str(other_root) if option == "OTHER" else option for option in options]
    code, out, err = run_cli(["--root", str(ROOT), "verify", str(bad_pdfs[case]), *options], capsys)
    assert code in ((1, 4) if case == "untrusted" else (1,)), out + err  # 4: content genuine, layout unchecked
    assert "结论" in out or "不真实" in err, out + err
    assert_chinese(out + err, f"verify {case}")


def test_certificate_names_and_pyhankos_reasons_are_said_in_chinese(chinese, capsys):
    code, out, err = run_cli(["--root", str(ROOT), "verify", str(SIGNED)], capsys)
    assert "签名者：      名称“乙方 Contracts Signer”，组织“Agreements Test”，国家“CN”" in out, out
    assert "没有证书链通向受信任的根证书" in out and "之后的改动：无" in out, out
    assert_chinese(out + err, "verify untrusted")


def test_verify_keeps_libraries_words_for_english_readers_and_debug(monkeypatch, bad_pdfs, capsys):
    """The library's text is a marked detail: always in English, in Chinese only with --debug."""
    for variable in LANGUAGE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    argv = ["--root", str(ROOT), "verify", str(bad_pdfs["wrong-signature"])]
    _code, plain, _err = run_cli(argv, capsys)
    _code, debug, _err = run_cli(["--debug", *argv], capsys)
    assert "原文：" not in plain and "原文：" in debug, debug
    monkeypatch.setenv("LANGUAGE", "en")
    _code, english, _err = run_cli(argv, capsys)
    assert "Common Name: 乙方 Contracts Signer" in english and "object is not callable" in english, english


# --------------------------------------------------------------------------
# register


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A project whose register is a file of another kind."""
    root = copy_project(ROOT, tmp_path_factory.mktemp("project"))
    config = root / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\nregister: out/damaged.sqlite\n", encoding="utf-8")
    (root / "out").mkdir()
    (root / "out" / "damaged.sqlite").write_bytes(b"this is not an SQLite database" * 100)
    return root


@pytest.mark.parametrize("argv", [
    ["register"], ["register", "mark", "ZSY-0000-0000", "sent"], ["register", "check"],
    ["register", "--state", "lost"], ["register", "--help"], ["register", "mark", "--help"],
    ["desk", "--help"],
], ids=" ".join)
def test_register_refusals_are_chinese(argv, chinese, project, capsys):
    code, out, err = run_cli(["--root", str(project), *argv], capsys)
    assert code in (0, 1, 2), out + err
    assert_chinese(out + err, " ".join(argv))


def test_an_unknown_contract_number_is_refused_in_chinese(chinese, tmp_path, capsys):
    root = copy_project(ROOT, tmp_path / "project")
    code, out, err = run_cli(["--root", str(root), "register", "mark", "ZSY-0000-0000", "void"], capsys)
    assert code == 1 and "ZSY-0000-0000" in err, out + err
    assert_chinese(out + err, "register mark")


# --------------------------------------------------------------------------
# contract (and batch) with sheets that are not what they claim


def _zip_not_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "a ZIP archive renamed .xlsx")
    return buffer.getvalue()


def _workbook_with_mistakes() -> bytes:
    """The project's own customer sheet with two rows whose values are wrong."""
    from openpyxl import Workbook

    from generator.contracts.sheet_template import EXAMPLE
    from generator.contracts.sources.columns import COLUMNS

    book = Workbook()
    sheet = book.active
    sheet.append([column.header for column in COLUMNS])
    for number, mistake in enumerate(({"contact.phone": "phone"}, {"signing_date": "2026-02-30"})):
        row = dict(EXAMPLE, id=f"bad-{number}", **mistake)
        sheet.append([row.get(column.key, "") for column in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _gbk_sheet() -> bytes:
    from generator.contracts.sources.columns import COLUMNS

    return ",".join(column.header for column in COLUMNS).encode("gbk") + b"\n"


def _csv_with_an_open_quote() -> bytes:
    from generator.contracts.sources.columns import COLUMNS

    text = io.StringIO()
    csv.writer(text).writerow([column.header for column in COLUMNS])
    return (text.getvalue() + '"an open quote,\0\n').encode("utf-8")


SHEETS = {
    "not-a-zip.xlsx": lambda: b"%PDF-1.7 a PDF renamed .xlsx",
    "zip-not-workbook.xlsx": _zip_not_workbook,
    "mistakes.xlsx": _workbook_with_mistakes,
    "gbk.csv": _gbk_sheet,
    "open-quote.csv": _csv_with_an_open_quote,
    "empty.csv": lambda: b"",
}


@pytest.mark.parametrize("name", SHEETS)
def test_bad_sheets_are_refused_in_chinese(name, chinese, tmp_path, capsys):
    sheet = tmp_path / name
    sheet.write_bytes(SHEETS[name]())
    code, out, err = run_cli(["--root", str(ROOT), "contract", str(sheet), "--out", str(tmp_path / "out")], capsys)
    assert code == 1, out + err
    assert_chinese(out + err, name)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_key_with_the_wrong_password_is_refused_in_chinese(chinese, tmp_path, monkeypatch, capsys):
    pki = make_pki(tmp_path)
    root = copy_project(ROOT, tmp_path / "project")  # should it sign after all, its register is this one
    monkeypatch.setenv("AGREEMENTS_P12_PASSWORD", "not-the-password")
    customer = ROOT / "customers" / "examples" / "lanzhou-data.yml"
    code, out, err = run_cli(["--root", str(root), "contract", str(customer), "--out", str(tmp_path / "out"),
                              "--sign-p12", str(pki.p12_path)], capsys)
    assert code == 1, out + err
    assert_chinese(out + err, "--sign-p12 with a wrong password")


# --------------------------------------------------------------------------
# the desk's pages (Starlette's TestClient on the session's desk)


def _upload(client, name: str, data: bytes):
    from desk_helpers import csrf_of

    return client.post("/upload", data={"csrf": csrf_of(client, "/upload")},
                       files={"sheet": (name, data, "application/octet-stream")})


def test_desk_pages_and_refusals_are_chinese(chinese, desk_client, desk):
    from desk_helpers import GOOD_FORM, SERVICES, csrf_of

    client = desk_client
    pages = {path: client.get(path) for path in ("/", "/new", "/upload", "/older", "/contracts/ZSY-0000-0000",
                                                 "/?q=no-such-company")}
    wrong = {**GOOD_FORM, "统一社会信用代码": "91310115MA1K4QXR7A", "电子邮箱": "li-at-example",
             "签订日期": "2026-02-30", "联系电话": "phone", "核验目的": "", "开通服务": SERVICES}
    pages["/new (mistakes)"] = client.post("/new", data={"csrf": csrf_of(client, "/new"), **wrong})
    pages["/new (no CSRF)"] = client.post("/new", data=wrong)
    for name, make in SHEETS.items():
        pages[f"/upload {name}"] = _upload(client, name, make())
    pages["/upload .txt"] = _upload(client, "客户.txt", b"a,b\n")
    for name, response in pages.items():
        assert response.status_code in (200, 403, 404, 422), (name, response.status_code)
        assert_chinese(page_text(response.text), name)
    assert pages["/new (mistakes)"].status_code == 422 and pages["/upload mistakes.xlsx"].status_code == 422


@pytest.fixture(scope="module")
def desk_contract(desk_client, desk) -> str:
    """A contract issued from the desk's form: its 合同编号."""
    from desk_helpers import GOOD_FORM, SERVICES, csrf_of, wait_for_job

    form = {**GOOD_FORM, "客户编号": "zh-check", "统一社会信用代码": "91110108MA01A2B3CF", "开通服务": SERVICES}
    issued = desk_client.post("/new", data={"csrf": csrf_of(desk_client, "/new"), **form})
    assert issued.status_code == 303, page_text(issued.text)
    wait_for_job(desk, issued.headers["location"])
    done = desk_client.get(issued.headers["location"])
    assert done.status_code == 303
    return done.headers["location"].rsplit("/", 1)[-1]


def test_the_desk_shows_verify_findings_in_chinese(chinese, desk_client, desk_contract, bad_pdfs):
    """A 甲方-signed copy that is not genuine: the findings of verify, shown on the contract page."""
    from desk_helpers import csrf_of

    client = desk_client
    token = csrf_of(client, f"/contracts/{desk_contract}")
    for case in ("tampered", "malformed", "not-a-pdf"):
        response = client.post(f"/contracts/{desk_contract}/signed", data={"csrf": token},
                               files={"signed": ("signed.pdf", bad_pdfs[case].read_bytes(), "application/pdf")})
        assert response.status_code == 422, case
        assert case == "not-a-pdf" or 'id="verify-findings"' in response.text, case  # verify ran
        assert_chinese(page_text(response.text), f"signed copy {case}")
