"""One crypto policy (generator/crypto_policy.py) for the signer and verify.

The signer refuses, before writing anything, what verify would reject; verify
fails a signature made elsewhere that breaks the policy; SM2 is "cannot decide";
a certificate without keyUsage is fine for both. A property test: every key
and certificate the signer accepts, verify accepts.
"""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tamper
from contract_helpers import EXAMPLE
from helpers import SIGNING_USAGE, _name, _usage

VARIABLE = "AGREEMENTS_P12_PASSWORD"
KEYS = {
    "rsa-1024": lambda: rsa.generate_private_key(65537, 1024),
    "rsa-2048": lambda: rsa.generate_private_key(65537, 2048),
    "p-256": lambda: ec.generate_private_key(ec.SECP256R1()),
    "p-384": lambda: ec.generate_private_key(ec.SECP384R1()),
    "p-521": lambda: ec.generate_private_key(ec.SECP521R1()),
    "ed25519": ed25519.Ed25519PrivateKey.generate,
}


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")  # the tests read the messages


@pytest.fixture(scope="module")
def keys():
    return {name: make() for name, make in KEYS.items()}


def make_p12(pki, folder, name, key, *, digest=hashes.SHA256(), usage=SIGNING_USAGE,
             extra=()) -> "Path":  # noqa: F821
    """A P12 for ``key``, its certificate signed by the test root with ``digest``."""
    now = dt.datetime.now(dt.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(_name(f"乙方 {name}"))
               .issuer_name(pki.root_cert.subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True))
    if usage is not None:
        builder = builder.add_extension(_usage(frozenset(usage)), critical=True)
    cert = builder.sign(pki.root_key, hashes.SHA256() if isinstance(digest, hashes.SHA1) else digest)
    if isinstance(digest, hashes.SHA1):
        cert = _resigned_with_sha1(cert, pki.root_key)
    path = folder / f"{name}.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        name.encode(), key, cert, [pki.root_cert, *extra],
        serialization.BestAvailableEncryption(pki.password_bytes)))
    return path


def _resigned_with_sha1(cert, root_key):
    """``cert`` signed by the (ECDSA) root with SHA-1, which cryptography no longer writes."""
    from asn1crypto import x509 as asn1_x509

    parsed = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    tbs = parsed["tbs_certificate"]
    tbs["signature"] = {"algorithm": "sha1_ecdsa"}
    parsed["signature_algorithm"] = {"algorithm": "sha1_ecdsa"}
    parsed["signature_value"] = root_key.sign(tbs.dump(force=True), ec.ECDSA(hashes.SHA1()))
    return x509.load_der_x509_certificate(parsed.dump(force=True))


def _sign_cli(cli, capfd, monkeypatch, pki, tmp_path, p12) -> tuple[int, str, "Path"]:  # noqa: F821
    monkeypatch.setenv(VARIABLE, pki.password)
    out = tmp_path / "out"
    capfd.readouterr()
    code = cli("contract", str(EXAMPLE), "--out", str(out), "--sign-p12", str(p12))
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.err, out


@pytest.mark.parametrize(("kind", "message"), [
    ("rsa-1024", "has an RSA key of 1024 bits; at least 2048 are required"),
    ("p-521", "has an ECDSA key on curve P-521; only P-256, P-384 are accepted"),
    ("ed25519", "has an EdDSA key (Ed25519/Ed448)"),
    ("sha1-certificate", "is signed by its issuer with SHA1"),
    ("unrelated-certificate", "holds certificates unrelated to the signing certificate"),
])
def test_the_signer_refuses_what_verify_would_reject(cli, capfd, monkeypatch, pki, keys, tmp_path,
                                                     kind, message):
    if kind == "sha1-certificate":
        p12 = make_p12(pki, tmp_path, kind, keys["p-256"], digest=hashes.SHA1())
    elif kind == "unrelated-certificate":
        stranger = pki.issue(keys["p-384"], "Somebody Else")
        p12 = make_p12(pki, tmp_path, kind, keys["p-256"], extra=[stranger])
    else:
        p12 = make_p12(pki, tmp_path, kind, keys[kind])
    code, err, out = _sign_cli(cli, capfd, monkeypatch, pki, tmp_path, p12)
    assert code == 1 and message in err and p12.name in err, err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists() or not any(out.iterdir())


def test_a_certificate_without_key_usage_is_fine_for_both(cli, capfd, monkeypatch, pki, keys,
                                                        tmp_path, verify, trust_root):
    """RFC 5280 does not require keyUsage: any use is allowed then."""
    p12 = make_p12(pki, tmp_path, "no-key-usage", keys["p-256"], usage=None)
    code, err, out = _sign_cli(cli, capfd, monkeypatch, pki, tmp_path, p12)
    assert code == 0, err
    [signed] = out.iterdir()
    code, report, err = verify(signed, "--trust", str(trust_root), "--require-trust")
    assert code == 0, report + err
    assert "key usage:     not restricted" in report


def test_verify_fails_a_customer_signature_breaking_the_policy(verify, signed_run, pki, keys,
                                                              tmp_path, trust_root):
    """甲方 signs with RSA-1024 in a tool of their own: verify fails it, with or without trust."""
    p12 = make_p12(pki, tmp_path, "weak-customer", keys["rsa-1024"])
    path = tmp_path / "weak.pdf"
    path.write_bytes(tamper.sign_as_customer(signed_run[0].read_bytes(), pki.signer(p12)))
    code, out, _ = verify(path, "--trust", str(trust_root))
    assert code == 1 and "[fail] signature PartyA" in out
    assert "has an RSA key of 1024 bits; at least 2048 are required" in out


def test_an_sm2_signature_cannot_be_decided(verify, signed_both_path, tmp_path, trust_root):
    """The customer's platform signed with SM2/SM3: "cannot decide", never "altered"."""
    data = tamper.with_signature_algorithm(signed_both_path.read_bytes(), "PartyA",
                                           "1.2.156.10197.1.501")
    path = tmp_path / "sm2.pdf"
    path.write_bytes(data)
    code, out, err = verify(path, "--trust", str(trust_root))
    assert code == 3, out
    assert "[undecided] signature PartyA: cannot decide (unsupported algorithm SM2)" in out
    assert "[pass] signature PartyB" in out and "[fail]" not in out


@pytest.fixture(scope="module")
def property_cases(pki, keys, example_pdf, tmp_path_factory):
    return pki, keys, example_pdf, tmp_path_factory.mktemp("property")


@settings(max_examples=8, deadline=None, database=None, derandomize=bool(os.environ.get("CI")),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(key=st.sampled_from(sorted(KEYS)), digest=st.sampled_from(["sha256", "sha384", "sha1"]),
       usage=st.sampled_from(["signing", "none"]))
def test_what_the_signer_accepts_verify_accepts(property_cases, key, digest, usage):
    from generator.contracts import signing
    from generator.contracts.verify import signatures, structure
    from generator.contracts.verify.report import Status
    from generator.errors import AgreementsError
    from pyhanko.pdf_utils.reader import PdfFileReader

    pki, keys, example_pdf, folder = property_cases
    algorithm = getattr(hashes, digest.upper())()  # the test root's own signature
    p12 = make_p12(pki, folder, f"{key}-{digest}-{usage}", keys[key], digest=algorithm,
                   usage=SIGNING_USAGE if usage == "signing" else None)
    try:
        signer = signing.load_signer(p12, pki.password_bytes)
    except AgreementsError:
        return  # refused before anything is written: nothing for verify to accept
    data = signing.sign_field(example_pdf, "PartyB", signer, certify=True)
    assert structure.check(data)[1].status is Status.PASS
    [one], broken = signatures.embedded(PdfFileReader(io.BytesIO(data), strict=True))
    check = signatures.check_signature(one, data, [pki.root_asn1], require_trust=True)
    assert not broken and check.status is Status.PASS, (check.summary, check.details)


def test_the_signer_refuses_a_p12_with_two_private_keys(pki, keys, tmp_path):
    """A second key bag beside the signing key's (cryptography would silently pick one)."""
    from asn1crypto import cms as asn1_cms
    from asn1crypto import keys as asn1_keys
    from asn1crypto import pkcs12 as asn1_pkcs12

    from generator.contracts import signing
    from generator.errors import AgreementsError

    cert = pki.issue(keys["p-256"], "乙方 two keys")
    data = pkcs12.serialize_key_and_certificates(b"two", keys["p-256"], cert, [pki.root_cert],
                                                 serialization.NoEncryption())
    second = asn1_pkcs12.SafeBag({"bag_id": "key_bag", "bag_value": asn1_keys.PrivateKeyInfo.load(
        keys["p-384"].private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))})
    infos = []
    for info in asn1_pkcs12.AuthenticatedSafe.load(
            asn1_pkcs12.Pfx.load(data)["auth_safe"]["content"].native):
        bags = list(asn1_pkcs12.SafeContents.load(info["content"].native))
        if any(bag["bag_id"].native == "key_bag" for bag in bags):
            bags.append(second)
        infos.append(asn1_cms.ContentInfo({"content_type": "data",
                                           "content": asn1_pkcs12.SafeContents(bags).dump()}))
    path = tmp_path / "two-keys.p12"
    path.write_bytes(asn1_pkcs12.Pfx({"version": 3, "auth_safe": asn1_cms.ContentInfo({
        "content_type": "data", "content": asn1_pkcs12.AuthenticatedSafe(infos).dump()})}).dump())
    with pytest.raises(AgreementsError, match="the PKCS#12 file holds 2 private keys"):
        signing.load_signer(path, None)
