"""What a revision after 乙方's certification may change: one explicit list
(generator/contracts/verify/allowed_changes.py). Each other change fails, naming the key and
the object; 甲方 signing, the only allowed change here, passes."""

from __future__ import annotations

import re

import pytest

import tamper

JAVASCRIPT = {"/S": "/JavaScript", "/JS": "app.alert('void')"}


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")  # the tests read the messages


@pytest.mark.parametrize(("key", "value", "in_form"), [
    ("/NeedAppearances", True, True),
    ("/DA", "/Helv 0 Tf 0 g", True),
    ("/DR", {"/Font": {}}, True),
    ("/Q", 1, True),
    ("/MarkInfo", {"/Marked": False}, False),
    ("/Lang", "en-US", False),
    ("/ViewerPreferences", {"/HideToolbar": True}, False),
    ("/OpenAction", JAVASCRIPT, False),
    ("/AA", {"/WC": JAVASCRIPT}, False),
    ("/Names", {"/JavaScript": {}}, False),
], ids=lambda v: v.strip("/") if isinstance(v, str) and v.startswith("/") else None)
def test_a_change_outside_the_list_fails_naming_key_and_object(signed_run, key, value, in_form):
    """Each key through verify's revision review (what `verify` reports under "revisions")."""
    data = tamper.set_entry(signed_run[0].read_bytes(), key, value, in_form=in_form)
    check = _review(data)
    assert check.status.value == "fail", check
    where = r"the form \(/AcroForm(, object \d+)?\)" if in_form else r"the document catalog \(object \d+\)"
    assert any(re.fullmatch(rf"revision 3: {where} changes {re.escape(key)}, which no revision "
                            "after the contract's may change.*", line) for line in check.details), check


@pytest.mark.parametrize(("key", "value", "in_form"), [("/NeedAppearances", True, True),
                                                       ("/OpenAction", JAVASCRIPT, False)],
                         ids=["NeedAppearances", "OpenAction"])
def test_verify_fails_and_names_the_key(verify, signed_run, tmp_path, key, value, in_form):
    path = tmp_path / "changed.pdf"
    path.write_bytes(tamper.set_entry(signed_run[0].read_bytes(), key, value, in_form=in_form))
    code, out, err = verify(path)
    assert code == 1 and "NOT genuine" in err, out
    assert f"changes {key}, which no revision after the contract's may change" in out
    assert "[pass] provenance" in out and "[pass] rebuild" in out  # only that key changed
    assert "[fail] signature PartyB" in out and "DocMDP" in out


def _review(data: bytes):
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    from generator.contracts.verify import _certification, revisions, signatures

    reader = PdfFileReader(io.BytesIO(data), strict=True)
    signed, _ = signatures.embedded(reader)
    return revisions.review(reader, {s.revision: s.field for s in signed}, _certification(signed))


def test_the_list_is_one_place():
    """policy.py takes its keys from allowed_changes.py, so extending one list is enough."""
    from generator.contracts.verify import allowed_changes, policy

    assert policy.INFO_BOOKKEEPING is allowed_changes.INFO_MAY_CHANGE
    assert "/Lang" not in allowed_changes.CATALOG_MAY_CHANGE
    assert allowed_changes.ACROFORM_MAY_CHANGE == {"/Fields", "/SigFlags"}


def test_a_document_timestamp_may_follow_the_signatures(verify, signed_both_path, pki, trust_root,
                                                        tmp_path):
    """PAdES B-LTA: a document timestamp (invisible, its own field) is on the list."""
    import io

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    writer = IncrementalPdfFileWriter(io.BytesIO(signed_both_path.read_bytes()))
    stamped = signers.PdfTimeStamper(pki.timestamper()).timestamp_pdf(writer, md_algorithm="sha256")
    path = tmp_path / "lta.pdf"
    path.write_bytes(stamped.getvalue())
    code, out, err = verify(path, "--trust", str(trust_root), "--require-trust")
    assert code == 0, out + err
    assert re.search(r"revision 4 adds a document timestamp \(Timestamp-[0-9a-f-]+\)", out), out
    assert re.search(r"\[pass\] document timestamp Timestamp-[0-9a-f-]+: intact and trusted", out)
