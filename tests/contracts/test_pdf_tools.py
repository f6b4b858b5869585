"""verify's second readers (pdftotext, mutool) run through one helper that names what is wrong."""

from __future__ import annotations

import pytest

from generator.contracts.verify.pdf_tools import tool_output
from generator.errors import AgreementsError


def test_a_missing_reader_names_the_package_to_install(monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")
    with pytest.raises(AgreementsError) as caught:
        tool_output(b"%PDF-1.7\n", "agreements-no-such-reader", "poppler-utils", lambda path: [path])
    assert "agreements-no-such-reader is not installed" in str(caught.value)
    assert "`apt-get install poppler-utils`" in str(caught.value)


def test_a_file_the_reader_refuses_is_called_damaged_in_chinese(monkeypatch):
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(AgreementsError) as caught:
        tool_output(b"not a pdf at all", "pdftotext", "poppler-utils", lambda path: [path, "-"])
    assert "pdftotext 无法读取该 PDF" in str(caught.value) and "文件已损坏" in str(caught.value)


def test_the_readers_output_is_returned():
    assert tool_output(b"ignored", "cat", "coreutils", lambda path: [path]) == b"ignored"
