"""Signature fields (written with the pages) and PAdES signing, validated with pyHanko."""

from __future__ import annotations

import io

import pypdf
import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from generator.contracts import signing
from generator.contracts.engine import pdf, signature_fields
from generator.errors import AgreementsError


def _with_fields(document, boxes, metadata) -> bytes:
    return pdf.write_pdf(document, metadata, fields=boxes)


@pytest.fixture(scope="module")
def fields_pdf(sample_document, sample_boxes, sample_metadata) -> bytes:
    return _with_fields(sample_document, sample_boxes, sample_metadata)


@pytest.fixture(scope="module")
def signed_pdf(fields_pdf, test_pki) -> bytes:
    return signing.sign_field(fields_pdf, "sig-party-b", signing.load_signer(test_pki.p12_path, test_pki.password_bytes))


def _sig_fields(data: bytes) -> dict[str, bool]:
    reader = PdfFileReader(io.BytesIO(data))
    return {name: value is not None for name, value, _ in enumerate_sig_fields(reader)}


# --------------------------------------------------------------------------
# Fields


def test_fields_are_sig_fields_at_the_boxes(fields_pdf, sample_boxes):
    reader = pypdf.PdfReader(io.BytesIO(fields_pdf))
    form_fields = [f.get_object() for f in reader.trailer["/Root"]["/AcroForm"]["/Fields"]]
    by_name = {str(f["/T"]): f for f in form_fields}
    assert set(by_name) == {b.field_name for b in sample_boxes}
    for box in sample_boxes:
        field = by_name[box.field_name]
        assert field["/FT"] == "/Sig"
        assert "/V" not in field                       # unsigned
        assert [float(v) for v in field["/Rect"]] == pytest.approx(box.rect, abs=0.01)
        page = reader.pages[box.page_index]
        assert field["/P"].get_object().indirect_reference == page.indirect_reference
        annots = [a.get_object() for a in page["/Annots"]]
        assert any(str(a.get("/T")) == box.field_name for a in annots)  # visible widget on its page
        assert field["/F"] & 4                         # printed


def test_fields_start_unsigned(fields_pdf):
    assert _sig_fields(fields_pdf) == {"sig-party-a": False, "sig-party-b": False}


def test_adding_fields_is_reproducible(sample_document, sample_boxes, fields_pdf, sample_metadata):
    assert _with_fields(sample_document, sample_boxes, sample_metadata) == fields_pdf
    info = pypdf.PdfReader(io.BytesIO(fields_pdf)).metadata
    assert "/ModDate" not in info and "/CreationDate" not in info   # no wall clock inside
    for key, value in sample_metadata.items():
        assert info[f"/{key}"] == value


def test_fields_are_written_with_the_pages(fields_pdf, sample_pdf):
    assert fields_pdf.count(b"%%EOF") == 1                # one revision, no second pass
    assert len(fields_pdf) - len(sample_pdf) < 2000       # two small widgets, nothing else


def test_duplicate_or_dotted_field_names_are_refused(sample_boxes):
    with pytest.raises(AgreementsError, match="unique"):
        signature_fields.check_field_names([sample_boxes[0], sample_boxes[0]])
    dotted = type(sample_boxes[0])("a.b", 0, sample_boxes[0].rect)
    with pytest.raises(AgreementsError, match="without '.'"):
        signature_fields.check_field_names([dotted])


def test_a_field_on_a_missing_page_is_refused(sample_document, sample_boxes, sample_metadata):
    beyond = type(sample_boxes[0])("late", 99, sample_boxes[0].rect)
    with pytest.raises(AgreementsError, match="page 100"):
        _with_fields(sample_document, [beyond], sample_metadata)


# --------------------------------------------------------------------------
# Signing


def test_signed_field_validates(signed_pdf, test_pki):
    reader = PdfFileReader(io.BytesIO(signed_pdf))
    (signature,) = reader.embedded_signatures
    assert signature.field_name == "sig-party-b"
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"   # PAdES
    status = validate_pdf_signature(
        signature, ValidationContext(trust_roots=[test_pki.root_asn1]))
    assert status.intact
    assert status.valid
    assert status.trusted
    assert status.bottom_line, status.pretty_print_details()


def test_other_field_is_still_empty(signed_pdf):
    assert _sig_fields(signed_pdf) == {"sig-party-a": False, "sig-party-b": True}


def test_second_party_can_sign_afterwards(signed_pdf, test_pki):
    both = signing.sign_field(signed_pdf, "sig-party-a", signing.load_signer(test_pki.p12_path, test_pki.password_bytes))
    reader = PdfFileReader(io.BytesIO(both))
    context = ValidationContext(trust_roots=[test_pki.root_asn1])
    assert [s.field_name for s in reader.embedded_signatures] == ["sig-party-b", "sig-party-a"]
    for signature in reader.embedded_signatures:
        status = validate_pdf_signature(signature, context)
        assert status.intact and status.valid and status.trusted


def test_signing_a_signed_field_again_is_refused(signed_pdf, test_pki):
    with pytest.raises(AgreementsError, match="already signed"):
        signing.sign_field(signed_pdf, "sig-party-b", signing.load_signer(test_pki.p12_path, test_pki.password_bytes))


def test_signing_an_unknown_field_is_refused(fields_pdf, test_pki):
    with pytest.raises(AgreementsError, match="sig-party-c"):
        signing.sign_field(fields_pdf, "sig-party-c", signing.load_signer(test_pki.p12_path, test_pki.password_bytes))


def test_wrong_password_names_the_file_not_the_password(fields_pdf, test_pki):
    wrong = b"not-the-password-" + test_pki.password_bytes
    with pytest.raises(AgreementsError) as caught:
        signing.sign_field(fields_pdf, "sig-party-b", signing.load_signer(test_pki.p12_path, wrong))
    error = caught.value
    text = f"{error}\n{error!r}\n{error.message}"
    assert "party-b.p12" in text and "wrong password" in text
    for secret in (wrong, test_pki.password_bytes):
        assert secret.decode() not in text
    assert error.__cause__ is None and error.__suppress_context__


def test_missing_p12_file_names_the_file(fields_pdf, test_pki, tmp_path):
    missing = tmp_path / "nobody.p12"
    with pytest.raises(AgreementsError) as caught:
        signing.sign_field(fields_pdf, "sig-party-b", signing.load_signer(missing, test_pki.password_bytes))
    text = f"{caught.value}\n{caught.value!r}"
    assert "nobody.p12" in text and "not found" in text
    assert test_pki.password_bytes.decode() not in text


def test_not_a_p12_file(fields_pdf, test_pki, tmp_path):
    junk = tmp_path / "junk.p12"
    junk.write_bytes(b"this is not PKCS#12")
    with pytest.raises(AgreementsError, match="not a PKCS#12"):
        signing.sign_field(fields_pdf, "sig-party-b", signing.load_signer(junk, test_pki.password_bytes))


# These tests assert messages in English, the msgids (tests/test_i18n.py checks the Chinese).
pytestmark = pytest.mark.usefixtures("english_messages")
