"""`agreements archive` (PAdES B-LT then B-LTA) and verify's revocation checks, against a
certomancer PKI whose OCSP responder, CRL and time-stamping authority answer on 127.0.0.1
(archive_pki.py): one server, one signed contract and one archive for the whole module."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
import subprocess
from zoneinfo import ZoneInfo

import pytest
import tamper
from archive_pki import PASSWORD, serving_pki
from contract_helpers import EXAMPLE, EXAMPLE_PDF_NAME


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    with serving_pki(tmp_path_factory.mktemp("archive-pki")) as served:
        yield served


@pytest.fixture(scope="module")
def party_b_signed(pki, cli, tmp_path_factory) -> bytes:
    """The example contract signed by 乙方 through the CLI, with a timestamp from the PKI's TSA."""
    out = tmp_path_factory.mktemp("archive-signed")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AGREEMENTS_P12_PASSWORD", PASSWORD)
        assert cli("contract", str(EXAMPLE), "--out", str(out), "--sign-p12", str(pki.p12("party-b")),
                   "--tsa", pki.tsa_url) == 0
    return (out / EXAMPLE_PDF_NAME).read_bytes()


def _both(pki, party_b_signed, folder, label: str):
    from pyhanko.sign.timestamps import HTTPTimeStamper

    path = folder / f"{label}.pdf"
    path.write_bytes(tamper.sign_as_customer(party_b_signed, pki.signer(label),
                                              timestamper=HTTPTimeStamper(pki.tsa_url), pdfa_aware=True))
    return path


@pytest.fixture(scope="module")
def both_signed(pki, party_b_signed, tmp_path_factory):
    """Signed by 乙方 and then by 甲方, each with a signature timestamp (PAdES B-T)."""
    return _both(pki, party_b_signed, tmp_path_factory.mktemp("archive-both"), "party-a")


def _run(cli, capfd, *args: str) -> tuple[int, str, str]:
    capfd.readouterr()
    code = cli(*args)
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture(scope="module")
def archived(pki, both_signed, cli):
    """`agreements archive` on the contract both parties signed: (path, exit code, stdout, stderr)."""
    import contextlib

    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr), \
            pytest.MonkeyPatch.context() as mp:
        mp.setenv("LANGUAGE", "en")
        code = cli("archive", str(both_signed), "--tsa", pki.tsa_url)
    return both_signed.with_name("party-a.archived.pdf"), code, stdout.getvalue(), stderr.getvalue()


def _dss(data: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    return DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(data)))


def _ocsp_serials(dss) -> set[int]:
    from asn1crypto import ocsp

    serials = set()
    for ref in dss.ocsps:
        data = ocsp.OCSPResponse.load(ref.get_object().data)["response_bytes"]["response"].parsed
        serials.update(single["cert_id"]["serial_number"].native
                       for single in data["tbs_response_data"]["responses"])
    return serials


def _crl_issuers(dss) -> set[str]:
    from asn1crypto import crl

    return {crl.CertificateList.load(ref.get_object().data)["tbs_cert_list"]["issuer"].human_friendly
            for ref in dss.crls}


def test_archive_adds_validation_data_and_a_document_timestamp(archived, both_signed, pki):
    path, code, out, err = archived
    assert code == 0, out + err
    assert f"wrote {path.name}" in out.replace(str(path.parent) + "/", "") and "PartyB, PartyA" in out
    shown = re.search(r"document timestamp ArchiveTimestamp1 of (\S+ \S+) 北京时间", out)
    beijing = dt.datetime.strptime(shown.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    assert abs(beijing - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=15)
    data, original = path.read_bytes(), both_signed.read_bytes()
    assert data.startswith(original) and len(data) > len(original)  # one incremental update
    dss = _dss(data)
    assert "/VRI" not in dss.backing_pdf_object
    signers = {pki.cert(label).serial_number for label in ("party-b", "party-a", "tsa")}
    # every signer's and the TSA's certificate has its OCSP response (the CRL when OCSP is down:
    # test_with_the_ocsp_responder_down_the_crl_does)
    assert signers <= _ocsp_serials(dss)
    stored = {cert.dump() for cert in dss.load_certs()}
    assert {pki.cert(label).dump() for label in ("party-b", "party-a", "tsa")} <= stored

    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data))
    kinds = [(s.field_name, s.sig_object_type) for s in reader.embedded_signatures]
    assert kinds == [("PartyB", "/Sig"), ("PartyA", "/Sig"), ("ArchiveTimestamp1", "/DocTimeStamp")]


def test_the_archive_stays_pdfa_and_readers_still_accept_it(archived, cli, capfd):
    path = archived[0]
    code, out, err = _run(cli, capfd, "pdfa-check", str(path))
    assert code == 0, out + err
    pdfsig = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True)
    assert pdfsig.stdout.count("Signature Validation: Signature is Valid.") == 2, pdfsig.stdout
    assert "ArchiveTimestamp1" in pdfsig.stdout
    qpdf = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert qpdf.returncode == 0 and "No syntax or stream encoding errors" in qpdf.stdout, qpdf.stdout + qpdf.stderr


def test_pyhanko_validates_the_archive_as_lta_offline(archived, pki):
    """The referee: pyHanko's AdES validator (ETSI EN 319 102-1 §5.6.3), revocation checking
    required and nothing fetched, with the responders down."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.ades import ades_lta_validation
    from pyhanko.sign.validation.policy_decl import (PdfSignatureValidationSpec, RevinfoOnlineFetchingRule,
                                                     RevocationInfoGatheringSpec, SignatureValidationSpec)
    from pyhanko.sign.ades.report import AdESPassed
    from pyhanko_certvalidator.context import CertValidationPolicySpec
    from pyhanko_certvalidator.policy_decl import (CertRevTrustPolicy, RevocationCheckingPolicy,
                                                   RevocationCheckingRule)
    from pyhanko_certvalidator.registry import SimpleTrustManager

    required = RevocationCheckingRule.CHECK_IF_DECLARED  # the certificates declare OCSP and CRL
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=[pki.cert("root")]),
        revinfo_policy=CertRevTrustPolicy(RevocationCheckingPolicy(required, required)))
    spec = PdfSignatureValidationSpec(SignatureValidationSpec(
        cert_validation_policy=policy,
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY)))
    reader = PdfFileReader(io.BytesIO(archived[0].read_bytes()))
    with pki.refusing():
        results = {sig.field_name: asyncio.run(ades_lta_validation(sig, spec))
                   for sig in reader.embedded_regular_signatures}
    assert set(results) == {"PartyA", "PartyB"}
    for field, result in results.items():
        assert result.ades_subindic is AdESPassed.OK, (field, result.ades_subindic)
        assert result.oldest_evidence_record_timestamp is not None  # the document timestamp


def test_verify_checks_revocation_offline_from_the_embedded_data(archived, pki, verify, monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")
    with pki.refusing():
        code, out, err = verify(archived[0], "--trust", str(pki.root_pem()), "--require-trust")
    assert code == 0, out + err
    for field in ("PartyB", "PartyA"):
        line = next(line for line in out.splitlines() if line.startswith(f"[pass] revocation {field}:"))
        assert "not revoked per embedded OCSP response of" in line or "per embedded CRL of" in line
        assert "Archive Test TSA" in line  # its signature timestamp's authority is checked too
    assert "[pass] document timestamp ArchiveTimestamp1: intact and trusted" in out
    assert "[pass] revocation ArchiveTimestamp1:" in out


def test_a_damaged_signature_in_an_archived_file_is_skipped_by_the_revocation_check(archived, pki, verify,
                                                                                   monkeypatch, tmp_path):
    """The signer's certificate of PartyB's CMS can no longer be found (a digit of the serial
    number in its signer identifier flipped): its signature check fails, its revocation check
    says it could not run, and the others are still judged from the stored data. Never a traceback."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    monkeypatch.setenv("LANGUAGE", "en")
    data = archived[0].read_bytes()
    serial = PdfFileReader(io.BytesIO(data)).embedded_signatures[0].signer_cert.serial_number
    start = data.index(b"/Contents <")
    contents = data[start:data.index(b">", start)].lower()
    # The serial comes twice: in the certificate, then in the SignerInfo that names it.
    at = start + contents.rindex(f"{serial:x}".encode()) + 2
    flipped = tmp_path / "flipped.pdf"
    flipped.write_bytes(tamper.flip_byte(data, at, 1))
    with pki.refusing():
        code, out, err = verify(flipped, "--trust", str(pki.root_pem()))
    assert code == 1 and "Traceback" not in out + err, out + err
    assert re.search(r"^\[fail\] signature PartyB:", out, re.M), out
    assert re.search(r"^\[skipped\] revocation PartyB: not checked: the signature's certificates cannot be "
                     r"read", out, re.M), out
    assert re.search(r"^\[pass\] revocation PartyA:", out, re.M), out


def test_a_contract_never_archived_is_not_failed_for_lacking_revocation_data(both_signed, pki, verify,
                                                                             monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")
    code, out, err = verify(both_signed, "--trust", str(pki.root_pem()))
    assert code == 0, out + err
    assert "[warn] revocation: not checked: the file carries no revocation data" in out


def test_verify_online_fetches_from_the_responder(both_signed, pki, verify, monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")
    code, out, err = verify(both_signed, "--trust", str(pki.root_pem()), "--online")
    assert code == 0, out + err
    assert "[pass] revocation PartyA: " in out and "not revoked per OCSP/CRL fetched now" in out
    with pki.refusing("/ocsp/", "/crls/"):
        code, out, err = verify(both_signed, "--trust", str(pki.root_pem()), "--online")
    assert "[warn] revocation PartyA: not decided" in out


@pytest.fixture(scope="module")
def revoked_archived(pki, party_b_signed, tmp_path_factory, cli):
    """甲方 signs with the certificate the CA revoked; the archive still records it."""
    import contextlib

    path = _both(pki, party_b_signed, tmp_path_factory.mktemp("archive-revoked"), "party-a-revoked")
    out = path.with_name("revoked-archived.pdf")
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr), \
            pytest.MonkeyPatch.context() as mp:
        mp.setenv("LANGUAGE", "en")
        code = cli("archive", str(path), "--tsa", pki.tsa_url, "-o", str(out))
    return out, code, stdout.getvalue(), stderr.getvalue()


def test_a_revoked_certificate_is_archived_as_evidence_and_fails_verify(revoked_archived, pki, verify,
                                                                         monkeypatch):
    path, code, out, err = revoked_archived
    subject = pki.subject("party-a-revoked")
    assert code == 1 and path.is_file()
    assert f"the certificate of {subject} is REVOKED" in err
    monkeypatch.setenv("LANGUAGE", "en")
    with pki.refusing():
        code, out, err = verify(path, "--trust", str(pki.root_pem()))
    assert code == 1
    assert f"[fail] revocation PartyA: the certificate of {subject} is REVOKED" in out
    assert "the private key was compromised" in out
    assert "[pass] revocation PartyB:" in out


def test_archive_with_the_responder_down_writes_nothing(pki, both_signed, cli, capfd, tmp_path):
    out = tmp_path / "archived.pdf"
    with pki.refusing("/ocsp/", "/crls/"):
        code, stdout, stderr = _run(cli, capfd, "archive", str(both_signed), "--tsa", pki.tsa_url,
                                    "-o", str(out))
    assert code == 1
    assert "无法获取" in stderr and "未写入任何文件" in stderr, stderr  # Chinese by default
    assert list(tmp_path.iterdir()) == []


def test_archive_refuses_a_bad_timestamp_answer_and_writes_nothing(both_signed, cli, capfd, tmp_path,
                                                                   monkeypatch):
    from tamper import tsa_answering

    monkeypatch.setenv("LANGUAGE", "en")
    out = tmp_path / "archived.pdf"
    with tsa_answering(lambda request: b"\x30\x03\x02\x01\x00") as url:
        code, stdout, stderr = _run(cli, capfd, "archive", str(both_signed), "--tsa", url, "-o", str(out))
    assert code == 1 and "time-stamping authority" in stderr, stderr
    assert list(tmp_path.iterdir()) == []


def test_archive_never_overwrites_its_input(both_signed, pki, cli, capfd):
    before = both_signed.read_bytes()
    code, out, err = _run(cli, capfd, "archive", str(both_signed), "--tsa", pki.tsa_url, "-o", str(both_signed))
    assert code == 2 and both_signed.read_bytes() == before


def test_an_unsigned_pdf_has_nothing_to_archive(example_pdf_path, pki, cli, capfd, tmp_path, monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")
    code, out, err = _run(cli, capfd, "archive", str(example_pdf_path), "--tsa", pki.tsa_url,
                          "-o", str(tmp_path / "x.pdf"))
    assert code == 1 and "no signature" in err and not (tmp_path / "x.pdf").exists()


def test_archiving_again_renews_the_timestamp_chain(archived, pki, cli, capfd, verify, tmp_path, monkeypatch):
    """Before the first document timestamp's authority expires, archiving the archive adds the
    data for that timestamp and a newer one (B-LTA's chain); verify accepts both, offline."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    out = tmp_path / "renewed.pdf"
    code, stdout, stderr = _run(cli, capfd, "archive", str(archived[0]), "--tsa", pki.tsa_url, "-o", str(out))
    assert code == 0, stdout + stderr
    data = out.read_bytes()
    assert data.startswith(archived[0].read_bytes())
    names = [s.field_name for s in PdfFileReader(io.BytesIO(data)).embedded_signatures]
    assert names == ["PartyB", "PartyA", "ArchiveTimestamp1", "ArchiveTimestamp2"]
    assert _run(cli, capfd, "pdfa-check", str(out))[0] == 0
    monkeypatch.setenv("LANGUAGE", "en")
    with pki.refusing():
        code, report, err = verify(out, "--trust", str(pki.root_pem()), "--require-trust")
    assert code == 0, report + err
    assert "[pass] document timestamp ArchiveTimestamp2: intact and trusted" in report
    assert "[pass] revocation ArchiveTimestamp1:" in report
    assert "revision 5 adds a document timestamp (ArchiveTimestamp2)" in report


def test_the_store_may_hold_validation_data_only(archived, pki, verify, tmp_path, monkeypatch):
    """The allow-list lets a later revision add to /DSS, not hide other things in it."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    key = "/OpenAction"
    writer = IncrementalPdfFileWriter(io.BytesIO(archived[0].read_bytes()))
    dss_ref = writer.root.raw_get("/DSS")
    dss = dss_ref.get_object()
    dss[generic.pdf_name(key)] = generic.TextStringObject("app.alert(1)")
    writer.mark_update(dss_ref if isinstance(dss_ref, generic.IndirectObject) else writer.root_ref)
    stream = io.BytesIO()
    writer.write(stream)
    path = tmp_path / "smuggled.pdf"
    path.write_bytes(stream.getvalue())
    monkeypatch.setenv("LANGUAGE", "en")
    code, out, err = verify(path, "--trust", str(pki.root_pem()))
    assert code == 1, out
    assert "[fail] revisions:" in out, out
    finding = next(line for line in out.splitlines() if line.strip().startswith("revision 5:"))
    assert f"Unexpected keys in DSS: {{'{key}'}}" in finding, out


def test_the_json_report_of_an_archive_keeps_its_schema(archived, pki, verify):
    import json

    import jsonschema
    from helpers import FIXTURES

    code, out, err = verify(archived[0], "--trust", str(pki.root_pem()), "--format", "json")
    report = json.loads(out)
    jsonschema.validate(report, json.loads((FIXTURES / "verify-report.schema.json").read_text(encoding="utf-8")))
    revocation = {c["name"]: c for c in report["checks"] if c["name"].startswith("revocation ")}
    assert set(revocation) == {"revocation PartyB", "revocation PartyA", "revocation ArchiveTimestamp1"}
    assert {c["status"] for c in revocation.values()} == {"pass"} and code == 0
    assert all(c["facts"]["revoked"] is False for c in revocation.values())


def test_verify_reads_revocation_data_a_signer_embedded_in_its_signature(pki, party_b_signed, verify,
                                                                         tmp_path, monkeypatch):
    """A signing tool may put the OCSP responses in the signature itself
    (adbe-revocationInfoArchival, Adobe's place for them); verify uses those too."""
    from pyhanko.sign import fields, signers
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko_certvalidator import ValidationContext

    context = ValidationContext(trust_roots=[pki.cert("root")], allow_fetching=True,
                                revocation_mode="hard-fail")
    meta = signers.PdfSignatureMetadata(field_name="PartyA", md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED,
                                        embed_validation_info=True, validation_context=context)
    writer = IncrementalPdfFileWriter(io.BytesIO(party_b_signed))
    path = tmp_path / "adbe.pdf"
    path.write_bytes(signers.PdfSigner(meta, signer=pki.signer("party-a")).sign_pdf(
        writer, existing_fields_only=True).getvalue())
    monkeypatch.setenv("LANGUAGE", "en")
    with pki.refusing():
        code, out, err = verify(path, "--trust", str(pki.root_pem()))
    line = next(line for line in out.splitlines() if line.startswith("[pass] revocation PartyA:"))
    assert "not revoked per embedded OCSP response of" in line, out


def test_with_the_ocsp_responder_down_the_crl_does(pki, both_signed, cli, capfd, verify, tmp_path,
                                                   monkeypatch):
    out = tmp_path / "crl-archived.pdf"
    with pki.refusing("/ocsp/"):
        code, stdout, stderr = _run(cli, capfd, "archive", str(both_signed), "--tsa", pki.tsa_url,
                                    "-o", str(out))
    assert code == 0, stdout + stderr
    dss = _dss(out.read_bytes())
    assert not dss.ocsps and pki.subject("root") in _crl_issuers(dss)
    monkeypatch.setenv("LANGUAGE", "en")
    with pki.refusing():
        code, report, err = verify(out, "--trust", str(pki.root_pem()))
    assert code == 0, report + err
    line = next(line for line in report.splitlines() if line.startswith("[pass] revocation PartyA:"))
    assert "not revoked per embedded CRL of" in line
