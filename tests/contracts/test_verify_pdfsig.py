"""poppler's pdfsig, an independent reader, agrees with `verify` on every signature here.

pdfsig's "Signature Validation" (valid / digest mismatch) and "Certificate
Validation" (expired or not) are compared with each signature check of
`verify --format json`. One case where verify is deliberately stricter is pinned
down separately: a changed zero-padding digit in /Contents.
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest

import tamper

DIGEST_MISMATCH = "digest mismatch"
EXPIRED = "had expired when it signed"


def pdfsig(path) -> dict[str, dict[str, str]]:
    """Field name → {"signature": …, "certificate": …} as pdfsig prints them."""
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=120)
    found: dict[str, dict[str, str]] = {}
    for block in re.split(r"\nSignature #\d+:\n", result.stdout)[1:]:
        name = re.search(r"Signature Field Name: (.+)", block).group(1).strip()
        signature = re.search(r"Signature Validation: (.+)", block)
        if signature:  # an empty field has none
            certificate = re.search(r"Certificate Validation: (.+)", block)
            found[name] = {"signature": signature.group(1).strip(),
                           "certificate": certificate.group(1).strip() if certificate else ""}
    return found


def verify_signatures(verify, path) -> dict[str, str]:
    """Field name → the summary of verify's check of that signature."""
    _code, out, _err = verify(path, "--format", "json")
    return {check["name"].removeprefix("signature "): check["summary"]
            for check in json.loads(out)["checks"] if check["name"].startswith("signature ")}


@pytest.fixture(scope="module")
def suite(signed_run, signed_both_path, timestamped_path, example_pdf, pki, tmp_path_factory):
    """Every kind of signed contract the tests make: valid, digest mismatch, expired."""
    folder = tmp_path_factory.mktemp("pdfsig")
    signed = signed_run[0].read_bytes()
    expired = pki.signer(pki.make_p12(folder, "expired", days=(-3, -1)))
    made = {
        "digest-mismatch.pdf": tamper.flip_byte(signed, tamper.stream_data_offset(
            signed, tamper.content_stream(example_pdf, 2))),
        "expired.pdf": tamper.sign_as_customer(example_pdf, expired, field="PartyB"),
        "expired-customer.pdf": tamper.sign_as_customer(signed, expired),
    }
    paths = [signed_run[0], signed_both_path, timestamped_path]
    for name, data in made.items():
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    return paths


def test_pdfsig_agrees_on_every_signature(suite, verify):
    seen = set()
    for path in suite:
        theirs, ours = pdfsig(path), verify_signatures(verify, path)
        assert set(theirs) == set(ours), path.name
        for field, status in theirs.items():
            summary = ours[field]
            assert (status["signature"] == "Digest Mismatch.") == (DIGEST_MISMATCH in summary), \
                (path.name, field, status, summary)
            assert (status["signature"] == "Signature is Valid.") == (DIGEST_MISMATCH not in summary)
            assert (status["certificate"] == "Certificate has Expired") == (EXPIRED in summary), \
                (path.name, field, status, summary)
            seen.add(status["signature"] + " / " + status["certificate"])
    # the suite covers all three outcomes
    assert any(s.startswith("Signature is Valid.") for s in seen)
    assert any(s.startswith("Digest Mismatch.") for s in seen)
    assert any(s.endswith("Certificate has Expired") for s in seen)


def test_padding_is_where_verify_is_stricter_than_pdfsig(signed_run, verify, tmp_path):
    """pdfsig and pyHanko decode /Contents and ignore what follows the DER; a changed
    padding digit leaves the signature "valid" to them, but the file is not what was signed."""
    signed = signed_run[0].read_bytes()
    path = tmp_path / "padding.pdf"
    path.write_bytes(tamper.flip_byte(signed, signed.rindex(b"0000>")))
    assert pdfsig(path)["PartyB"]["signature"] == "Signature is Valid."
    assert "padding" in verify_signatures(verify, path)["PartyB"]


pytestmark = pytest.mark.usefixtures("english_messages")
