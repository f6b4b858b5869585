"""`agreements verify` on genuine contracts: unsigned, signed by 乙方, signed by both parties.

The report's JSON is checked against tests/fixtures/verify-report.schema.json
with the `jsonschema` package, pyHanko's validator confirms the certification.
"""

from __future__ import annotations

import io
import json

import jsonschema
import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import read_certification_data

from contract_helpers import FIXTURES

SCHEMA = json.loads((FIXTURES / "verify-report.schema.json").read_text(encoding="utf-8"))


def _report(verify, path, *options):
    code, out, err = verify(path, "--format", "json", *options)
    report = json.loads(out)
    jsonschema.validate(report, SCHEMA)
    assert report["exit_code"] == code
    return code, report


def _checks(report) -> dict[str, dict]:
    return {check["name"]: check for check in report["checks"]}


def test_unsigned_contract_is_genuine(verify, example_pdf_path):
    code, out, err = verify(example_pdf_path)
    assert code == 0, out + err
    assert "version:  2021-12-20" in out
    assert "contract: ZSY-2026-0001" in out
    assert "customer: 上海澜舟数据科技有限公司" in out
    assert "[pass] rebuild: the PDF is byte-identical" in out
    assert "verdict:  genuine" in out and "[fail]" not in out and err == ""


def test_unsigned_contract_json(verify, example_pdf_path):
    code, report = _report(verify, example_pdf_path)
    assert code == 0 and report["verdict"] == "genuine"
    assert [c["name"] for c in report["checks"]] == ["structure", "provenance", "generator",
                                                     "rebuild", "register"]
    assert {c["status"] for c in report["checks"][:4]} == {"pass"}
    # other tests re-export this contract into the same register: pass or warn, never more
    assert report["checks"][4]["status"] in ("pass", "warn")
    assert report["contract"]["contract_number"] == "ZSY-2026-0001"


def test_contract_signed_by_party_b_is_genuine(verify, signed_run, trust_root):
    code, report = _report(verify, signed_run[0], "--trust", str(trust_root), "--require-trust")
    assert code == 0, json.dumps(report, ensure_ascii=False, indent=1)
    checks = _checks(report)
    assert checks["rebuild"]["facts"]["revisions"] == 2
    assert checks["revisions"]["facts"]["signed_in"] == {"2": "PartyB"}
    facts = checks["signature PartyB"]["facts"]
    assert facts["trusted"] is True and facts["certification"] == 2
    assert "乙方 Contracts Signer" in facts["signer"]
    assert set(facts["key_usage"]) == {"digital_signature", "non_repudiation"}
    assert facts["signing_time"] and facts["timestamp"] is None


def test_contract_signed_by_both_parties_is_genuine(verify, signed_both_path, trust_root):
    code, out, err = verify(signed_both_path, "--trust", str(trust_root))
    assert code == 0, out + err
    assert "revision 2 signs PartyB; revision 3 signs PartyA" in out
    assert "[pass] signature PartyB: intact, valid and trusted" in out
    assert "[pass] signature PartyA: intact, valid and trusted" in out
    assert "甲方 Customer Signer" in out


def test_party_b_certifies_with_form_filling_allowed(signed_run):
    """Any PDF reader sees a certification signature that still lets 甲方 sign."""
    reader = PdfFileReader(io.BytesIO(signed_run[0].read_bytes()))
    certification = read_certification_data(reader)
    assert certification is not None
    assert certification.permission == MDPPerm.FILL_FORMS
    assert certification.author_sig["/Reference"][0]["/TransformMethod"] == "/DocMDP"


def test_untrusted_signature_is_a_warning_unless_trust_is_required(verify, signed_run):
    code, out, err = verify(signed_run[0])
    assert code == 0, out + err
    assert "[warn] signature PartyB: intact and valid, but not trusted" in out
    assert "no --trust roots given" in out
    code, out, err = verify(signed_run[0], "--require-trust")
    assert code == 1
    assert "[fail] signature PartyB" in out and "--require-trust" in out
    assert "NOT genuine" in err


def test_a_root_that_did_not_issue_the_certificate_does_not_make_it_trusted(verify, signed_run,
                                                                          tmp_path):
    from helpers import make_pki

    other_root = make_pki(tmp_path).root_pem(tmp_path)
    code, out, _ = verify(signed_run[0], "--trust", str(other_root), "--require-trust")
    assert code == 1 and "not trusted" in out


@pytest.mark.parametrize("content", [b"not a certificate", b""], ids=["garbage", "empty"])
def test_bad_trust_file_is_a_clean_error(verify, example_pdf_path, tmp_path, content):
    bad = tmp_path / "ca.pem"
    bad.write_bytes(content)
    code, out, err = verify(example_pdf_path, "--trust", str(bad))
    assert code == 3  # nothing was checked, so nothing is decided
    assert "ca.pem" in err and "--trust" in err and "certificate" in err


def test_timestamped_signature_shows_the_timestamp(timestamped_path, trust_root, verify):
    code, report = _report(verify, timestamped_path, "--trust", str(trust_root), "--require-trust")
    assert code == 0, json.dumps(report, ensure_ascii=False, indent=1)
    facts = _checks(report)["signature PartyB"]["facts"]
    timestamp = facts["timestamp"]
    assert timestamp["trusted"] is True and "Agreements Test TSA" in timestamp["tsa"]
    assert abs(_seconds(timestamp["time"]) - _seconds(facts["signing_time"])) < 120
    code, out, _ = verify(timestamped_path)
    assert "timestamp:     " + timestamp["time"] + " by " in out


def _seconds(iso: str) -> float:
    import datetime as dt

    return dt.datetime.fromisoformat(iso).timestamp()


def test_json_flag_is_deprecated_and_out_writes_the_report(verify, example_pdf_path, tmp_path,
                                                           monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")
    code, out, err = verify(example_pdf_path, "--json")
    assert code == 0 and json.loads(out)["verdict"] == "genuine"
    # main's convention: click's own deprecation warning, naming the replacement
    assert "deprecated" in err and "Use --format json instead" in err, err
    target = tmp_path / "report.json"
    code, out, err = verify(example_pdf_path, "--format", "json", "-o", str(target))
    assert code == 0 and out == "" and "deprecated" not in err
    jsonschema.validate(json.loads(target.read_text(encoding="utf-8")), SCHEMA)


def test_without_a_project_or_a_readable_file_nothing_is_decided(cli, capfd, tmp_path):
    """Exit 3 (cannot decide), never click's usage code 2: the convention of every command."""
    from generator.cli import main

    contract = tmp_path / "contract.pdf"
    contract.write_bytes(b"%PDF-1.7\n")
    assert main(["--root", str(tmp_path / "no-project"), "verify", str(contract)]) == 3
    assert cli("verify", str(tmp_path / "missing.pdf")) == 3
    assert "Traceback" not in capfd.readouterr().err


pytestmark = pytest.mark.usefixtures("english_messages")
