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
def test_a_change_outside_the_list_fails_naming_key_and_object(verify, signed_run, tmp_path, key,
                                                               value, in_form):
    data = tamper.set_entry(signed_run[0].read_bytes(), key, value, in_form=in_form)
    path = tmp_path / "changed.pdf"
    path.write_bytes(data)
    code, out, err = verify(path)
    assert code == 1 and "NOT genuine" in err, out
    where = r"the form \(/AcroForm(, object \d+)?\)" if in_form else r"the document catalog \(object \d+\)"
    assert re.search(rf"revision 3: {where} changes {re.escape(key)}, which no revision after the "
                     "contract's may change", out), out
    assert "[fail] signature PartyB" in out and "DocMDP" in out


def test_the_list_is_one_place():
    """policy.py takes its keys from allowed_changes.py, so extending one list is enough."""
    from generator.contracts.verify import allowed_changes, policy

    assert policy.INFO_BOOKKEEPING is allowed_changes.INFO_MAY_CHANGE
    assert "/Lang" not in allowed_changes.CATALOG_MAY_CHANGE
    assert allowed_changes.ACROFORM_MAY_CHANGE == {"/Fields", "/SigFlags"}
