"""Times that hold: a signature made after a revision whose timestamp proves time T cannot claim
to be older than T, nor use a certificate that had expired by T (verify/times.py).

乙方 signs with an RFC 3161 timestamp (the session's local TSA); 甲方's tool then
signs with its clock set back, as a forger hiding an expired certificate would.
"""

from __future__ import annotations

import datetime as dt

import pytest

import tamper


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")  # the tests read the messages


def _sign_backdated(monkeypatch, data: bytes, signer, days: float) -> bytes:
    """甲方 signs with pyHanko whose clock says now - ``days``."""
    from pyhanko.sign.signers import pdf_signer

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime.now(dt.timezone.utc).astimezone(tz) - dt.timedelta(days=days)

    with monkeypatch.context() as patch:
        patch.setattr(pdf_signer, "datetime", Clock)
        return tamper.sign_as_customer(data, signer)


def test_a_signature_claiming_a_time_before_a_proven_one_fails(verify, timestamped_path,
                                                                customer_signer, trust_root,
                                                                tmp_path, monkeypatch):
    path = tmp_path / "backdated.pdf"
    path.write_bytes(_sign_backdated(monkeypatch, timestamped_path.read_bytes(), customer_signer,
                                     days=0.5))
    code, out, _ = verify(path, "--trust", str(trust_root))
    assert code == 1, out
    assert "[pass] signature PartyB" in out
    assert "[fail] signature PartyA: it claims to be signed at" in out
    assert "a time revision 2's timestamp already proves: backdated" in out


def test_a_certificate_expired_by_a_proven_time_fails(verify, timestamped_path, pki, trust_root,
                                                      tmp_path, monkeypatch):
    """The certificate expired yesterday; the signature claims a time when it was still valid."""
    expired = pki.signer(pki.make_p12(tmp_path, "expired-customer", common="甲方 Expired",
                                      days=(-3, -1)))
    path = tmp_path / "expired.pdf"
    path.write_bytes(_sign_backdated(monkeypatch, timestamped_path.read_bytes(), expired, days=2))
    code, out, _ = verify(path, "--trust", str(trust_root))
    assert code == 1, out
    assert "its certificate had expired" in out and "revision 2's timestamp proves" in out


def test_a_signing_time_without_timestamp_is_claimed_not_proven(verify, signed_run,
                                                                timestamped_path):
    _, out, _ = verify(signed_run[0])
    assert "(claimed by the signer; not proven: no timestamp)" in out
    _, out, _ = verify(timestamped_path)
    assert "(claimed by the signer; the timestamp proves the time below)" in out
