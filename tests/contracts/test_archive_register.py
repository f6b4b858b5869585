"""`agreements archive` records 已归档 in the register that issued the contract (the project of
--root), with the archived file's name and SHA-256; a contract the register cannot take the step
for is archived all the same, and the register is left as it was, with the reason shown."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
import tamper
from archive_pki import PASSWORD, serving_pki
from contract_helpers import EXAMPLE, EXAMPLE_PDF_NAME

from helpers import ROOT, copy_project, copy_site_project

NUMBER = "ZSY-2026-0001"   # the example customer's 合同编号


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    with serving_pki(tmp_path_factory.mktemp("archive-register-pki")) as served:
        yield served


@pytest.fixture
def project(pki, tmp_path):
    """A project whose register issued the example contract signed by 乙方, and the same
    contract signed by 甲方 afterwards: (root, both-signed path, run)."""
    from pyhanko.sign.timestamps import HTTPTimeStamper

    from generator.cli import main

    root = copy_site_project(tmp_path / "project")

    def run(*args: str) -> int:
        return main(["--root", str(root), *args])

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AGREEMENTS_P12_PASSWORD", PASSWORD)
        assert run("contract", str(EXAMPLE), "--out", str(root / "out" / "contracts"),
                   "--sign-p12", str(pki.p12("party-b"))) == 0
    issued = (root / "out" / "contracts" / EXAMPLE_PDF_NAME).read_bytes()
    both = tmp_path / "both-signed.pdf"
    both.write_bytes(tamper.sign_as_customer(issued, pki.signer("party-a"),
                                             timestamper=HTTPTimeStamper(pki.tsa_url), pdfa_aware=True))
    return root, both, run


def _events(root) -> list[tuple[str, str, str]]:
    with sqlite3.connect(root / "out" / "register.sqlite") as db:
        return list(db.execute("SELECT kind, by, note FROM events WHERE contract_number = ? ORDER BY id",
                               (NUMBER,)))


def test_archiving_a_signed_contract_records_the_step_with_the_archived_file(project, pki, tmp_path, capfd):
    root, both, run = project
    assert run("register", "mark", NUMBER, "signed", "--by", "王芳") == 0
    capfd.readouterr()
    archived = tmp_path / "kept" / "contract.archived.pdf"
    archived.parent.mkdir()
    assert run("archive", str(both), "--tsa", pki.tsa_url, "-o", str(archived), "--by", "李雷") == 0
    out, err = capfd.readouterr()
    assert f"{NUMBER}: 已归档 recorded in the register" in out and "(李雷)" in out, out + err
    kinds = [kind for kind, _, _ in _events(root)]
    assert kinds == ["generated", "signed", "archived"]
    _, by, note = _events(root)[-1]
    assert by == "李雷"
    assert "contract.archived.pdf" in note and hashlib.sha256(archived.read_bytes()).hexdigest() in note
    # Renewed before its timestamp ages: archived again, from the archived file.
    renewed = tmp_path / "kept" / "contract.renewed.pdf"
    assert run("archive", str(archived), "--tsa", pki.tsa_url, "-o", str(renewed)) == 0
    assert [kind for kind, _, _ in _events(root)] == ["generated", "signed", "archived", "archived"]
    assert "contract.renewed.pdf" in _events(root)[-1][2]


def test_a_contract_not_marked_signed_is_archived_and_the_register_says_what_to_do(project, pki, tmp_path, capfd):
    root, both, run = project
    capfd.readouterr()
    archived = tmp_path / "contract.archived.pdf"
    assert run("archive", str(both), "--tsa", pki.tsa_url, "-o", str(archived)) == 0
    out, err = capfd.readouterr()
    assert archived.is_file()
    assert "not recorded in the register" in err and f"agreements register mark {NUMBER} signed" in err, err
    assert [kind for kind, _, _ in _events(root)] == ["generated"]


def test_elsewhere_than_the_issuing_project_nothing_is_recorded(project, pki, tmp_path, capfd):
    from generator.cli import main

    root, both, run = project
    assert run("register", "mark", NUMBER, "signed") == 0
    another = copy_project(ROOT, tmp_path / "another")   # its register never issued this contract
    (tmp_path / "empty").mkdir()                         # no project at all
    for folder, why in ((another, f"contract {NUMBER} is not in the register"),
                        (tmp_path / "empty", "not recorded in a register")):
        capfd.readouterr()
        assert main(["--root", str(folder), "archive", str(both), "--tsa", pki.tsa_url,
                     "-o", str(tmp_path / f"{folder.name}.pdf")]) == 0
        _, err = capfd.readouterr()
        assert why in err and "Traceback" not in err, err
        assert (tmp_path / f"{folder.name}.pdf").is_file()
    assert [kind for kind, _, _ in _events(root)] == ["generated", "signed"]


# These tests assert messages in English, the msgids (tests/test_i18n.py checks the Chinese).
pytestmark = pytest.mark.usefixtures("english_messages")
