"""RFC 3161 answers are checked before a contract carries them (generator/contracts/tsa.py).

Local time-stamping authorities on 127.0.0.1 answer badly on purpose: a wrong
nonce, a replayed token, another document's imprint, a token ten years old, a
certificate without timeStamping, garbage bytes. `contract --sign-p12 --tsa`
fails with one line naming the cause and writes no PDF.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from asn1crypto import tsp

from contract_helpers import EXAMPLE
from tamper import tsa_answering

VARIABLE = "AGREEMENTS_P12_PASSWORD"


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")  # the tests read the messages


def _tsa(pki, *, fixed_dt=None, eku=True):
    """pyHanko's test TSA under the test root, optionally dated or without timeStamping."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = pki.issue(key, "Bad Test TSA", usage={"digital_signature"},
                     extended_usage=[ExtendedKeyUsageOID.TIME_STAMPING] if eku else None)
    return DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())), fixed_dt=fixed_dt)


def _reply(timestamper, request) -> bytes:
    return asyncio.run(timestamper.async_request_tsa_response(request)).dump()


def _altered(request, **changes):
    copy = tsp.TimeStampReq.load(request.dump())
    for key, value in changes.items():
        copy[key] = value
    return copy


CASES = {
    "wrong-nonce": (lambda t: lambda r: _reply(t, _altered(r, nonce=r["nonce"].native + 1)),
                    "sent back a wrong nonce: a replayed or foreign answer"),
    "other-imprint": (lambda t: lambda r: _reply(t, _altered(r, message_imprint={
        "hash_algorithm": {"algorithm": "sha256"}, "hashed_message": b"\x01" * 32})),
        "answered for another document"),
    "garbage": (lambda t: lambda r: b"\x30\x03garbage", "answered with something that is not a timestamp"),
}


@pytest.mark.parametrize("case", ["wrong-nonce", "other-imprint", "garbage", "replayed",
                                  "ten-years-old", "no-timestamping-usage"])
def test_a_bad_answer_stops_signing_with_one_line_and_no_pdf(cli, capfd, pki, tmp_path,
                                                            monkeypatch, case):
    if case == "ten-years-old":
        tsa = _tsa(pki, fixed_dt=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=3653))
        answer, message = (lambda r: _reply(tsa, r)), "more than 10 minutes from this machine's clock"
    elif case == "no-timestamping-usage":
        tsa = _tsa(pki, eku=False)
        answer, message = (lambda r: _reply(tsa, r)), "no timeStamping extended key usage"
    elif case == "replayed":
        tsa = _tsa(pki)
        recorded = _reply(tsa, tsp.TimeStampReq({"version": 1, "message_imprint": {
            "hash_algorithm": {"algorithm": "sha256"}, "hashed_message": b"\x02" * 32},
            "nonce": 12345, "cert_req": True}))
        answer, message = (lambda r: recorded), "sent back a wrong nonce"
    else:
        make, message = CASES[case]
        answer = make(_tsa(pki))
    monkeypatch.setenv(VARIABLE, pki.password)
    out = tmp_path / "out"
    with tsa_answering(answer) as url:
        capfd.readouterr()
        code = cli("contract", str(EXAMPLE), "--out", str(out), "--sign-p12", str(pki.p12_path),
                   "--tsa", url + "tsa")
    captured = capfd.readouterr()
    assert code == 1, captured.out + captured.err
    assert message in captured.err and "nothing was signed" in captured.err, captured.err
    assert len(captured.err.strip().splitlines()) == 1 and "Traceback" not in captured.err
    assert not out.exists() or not any(out.iterdir())


def test_the_window_is_configurable(cli, capfd, pki, tmp_path, monkeypatch):
    """A TSA whose clock is 30 minutes behind: refused by default, accepted with a 60-minute window."""
    tsa = _tsa(pki, fixed_dt=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=30))
    monkeypatch.setenv(VARIABLE, pki.password)
    with tsa_answering(lambda r: _reply(tsa, r)) as url:
        for window, expected in ((None, 1), ("60", 0)):
            if window:
                monkeypatch.setenv("AGREEMENTS_TSA_WINDOW_MINUTES", window)
            out = tmp_path / f"out-{window}"
            capfd.readouterr()
            code = cli("contract", str(EXAMPLE), "--out", str(out), "--sign-p12",
                       str(pki.p12_path), "--tsa", url + "tsa")
            assert code == expected, capfd.readouterr().err
