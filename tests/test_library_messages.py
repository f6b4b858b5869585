"""Libraries' exceptions said in our words (generator/library_messages.py): real exceptions,
raised by the libraries themselves on bad input, each mapped to a message of ours — Chinese
without an English sentence, the type name kept; the library's words kept for English readers
and, in Chinese, only with --debug."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile

import pytest

from english import english_sentences
from generator import library_messages
from generator.library_messages import library_reason


def _raised(action):
    try:
        action()
    except Exception as exc:  # noqa: BLE001 - whatever the library raises is the subject
        return exc
    raise AssertionError("the library accepted bad input")


def _pikepdf():
    import pikepdf

    pikepdf.open(io.BytesIO(b"%PDF-1.7\nnot really a PDF"))


def _pyhanko():
    from pyhanko.pdf_utils.reader import PdfFileReader

    PdfFileReader(io.BytesIO(b"%PDF-1.7\ngarbage without a trailer"), strict=True)


def _asn1():
    from asn1crypto import x509

    x509.Certificate.load(b"\x30\x82\x01\x00garbage").native


def _p12():
    from cryptography.hazmat.primitives.serialization import pkcs12

    pkcs12.load_key_and_certificates(b"not a pkcs12 file", b"password")


def _openpyxl_zip():
    from openpyxl import load_workbook

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    load_workbook(io.BytesIO(buffer.getvalue()))


def _not_a_zip():
    zipfile.ZipFile(io.BytesIO(b"plain text"))


def _sqlite():
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".sqlite") as handle:
        handle.write(b"this is not an SQLite database" * 100)
        handle.flush()
        sqlite3.connect(handle.name).execute("SELECT 1 FROM events")


def _csv():
    list(csv.reader(io.StringIO("a,b\nc,\"d\0\n"), strict=True))


def _image():
    from PIL import Image

    Image.open(io.BytesIO(b"not an image"))


CASES = {
    "pikepdf": (_pikepdf, "PdfError", "PDF"),
    "pyhanko": (_pyhanko, "PdfReadError", "PDF"),
    "asn1crypto": (_asn1, "", "DER/ASN.1"),
    "cryptography": (_p12, "ValueError", "PKCS#12"),
    "openpyxl": (_openpyxl_zip, "KeyError", ".xlsx"),
    "zipfile": (_not_a_zip, "BadZipFile", ".xlsx"),
    "sqlite3": (_sqlite, "DatabaseError", "SQLite"),
    "csv": (_csv, "Error", "CSV"),
    "json": (lambda: json.loads("{"), "JSONDecodeError", "JSON"),
    "utf-8": (lambda: b"\xff\xfe\xfa".decode("utf-8"), "UnicodeDecodeError", "UTF-8"),
    "pillow": (_image, "UnidentifiedImageError", "PNG"),
}


@pytest.fixture
def chinese(monkeypatch):
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)


@pytest.mark.parametrize("library", CASES)
def test_a_librarys_exception_is_said_in_chinese(library, chinese):
    action, kind, named = CASES[library]
    error = _raised(action)
    message = library_reason(error)
    assert named in message and type(error).__name__ in message and (not kind or kind == type(error).__name__)
    assert "原文" not in message and not english_sentences(message), message
    assert str(error).splitlines()[0][:40] not in message or not str(error).strip()


@pytest.mark.parametrize("library", ["pyhanko", "openpyxl", "sqlite3"])
def test_the_librarys_words_are_a_marked_detail(library, chinese, monkeypatch):
    error = _raised(CASES[library][0])
    original = str(error).strip().splitlines()[0][:40]
    monkeypatch.setattr(library_messages, "_show_original", True)  # what --debug sets
    assert f"原文：{original}" in library_reason(error)
    monkeypatch.setattr(library_messages, "_show_original", False)
    monkeypatch.setenv("LANGUAGE", "en")
    assert f"{type(error).__name__}: {original}" in library_reason(error)


def test_our_own_messages_pass_unchanged(chinese):
    from generator.errors import AgreementsError

    assert library_reason(AgreementsError("合同编号不存在")) == "合同编号不存在"


def test_pyhankos_trust_reasons_and_modification_levels_all_have_messages(chinese):
    """Every AdES sub-indication pyHanko can give, and every ModificationLevel, has ours."""
    from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
    from pyhanko.sign.diff_analysis import ModificationLevel

    from generator.contracts.verify.pyhanko_reasons import MODIFICATION_LEVELS, TRUST_PROBLEMS, trust_problem

    indications = {m.name for m in (*AdESFailure, *AdESIndeterminate)}
    assert indications <= set(TRUST_PROBLEMS), indications - set(TRUST_PROBLEMS)
    assert {m.name for m in ModificationLevel} <= set(MODIFICATION_LEVELS)
    assert all(not english_sentences(trust_problem(m)) for m in (*AdESFailure, *AdESIndeterminate))


def test_an_http_error_keeps_its_status_code(chinese):
    import urllib.error

    error = urllib.error.HTTPError("http://127.0.0.1:1/tsa", 503, "Service Unavailable", {}, None)
    message = library_reason(error)
    assert "HTTP 503" in message and "HTTPError" in message and not english_sentences(message), message


@pytest.mark.expect_engine_warnings
def test_the_fast_paths_reason_is_a_detail_for_chinese_readers(chinese, monkeypatch, caplog):
    """Why the fast path gave up is written for the template's author, in English: a Chinese
    reader is pointed to --debug, which shows it."""
    import logging

    from generator.contracts import contract

    reason = "the template marks no part of the body data-shared"
    with caplog.at_level(logging.WARNING, logger="generator.contracts"):
        contract.warn_full_renders(3, reason)
    [warning] = [r.getMessage() for r in caplog.records]
    assert "3 份合同" in warning and "--debug" in warning and not english_sentences(warning), warning
    monkeypatch.setattr(library_messages, "_show_original", True)
    assert library_messages.developer_detail(reason) == reason
