"""The session's LibreOffice (tests/office.py): a conversion it refuses fails with its own reason."""

from __future__ import annotations

import pytest


def test_a_file_libreoffice_cannot_load_fails_the_test_with_its_reason(office, tmp_path):
    with pytest.raises(AssertionError, match="LibreOffice could not convert missing.docx: .*type detection"):
        office.writer(tmp_path / "missing.docx", "pdf", tmp_path / "out")
    assert not (tmp_path / "out" / "missing.pdf").exists()


def test_the_same_libreoffice_converts_after_a_refusal(office, tmp_path):
    source = tmp_path / "sheet.csv"
    source.write_text("客户编号,公司名称\nlanzhou-data,上海澜舟数据科技有限公司\n", encoding="utf-8")
    converted = office.calc(source, "xlsx", tmp_path / "out", csv_options="44,34,76,1")
    from openpyxl import load_workbook

    assert load_workbook(converted).active["B2"].value == "上海澜舟数据科技有限公司"
