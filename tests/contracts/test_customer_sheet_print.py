"""The customer sheet as sales read and print it: Chinese help and tooltips, A4 landscape,
the header row on every page, every column on the page's width.

The print setup is read back from the workbook's XML (not through openpyxl, which wrote it)
and checked by LibreOffice printing the workbook to PDF.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from helpers import ROOT
from sheet_helpers import ISSUE_HEADERS, libreoffice_convert

# Three English words in a row outside `code`, keys and examples: prose left untranslated.
_ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){2,}")
_NAMES = re.compile(r"`[^`]*`|\S*[@./]\S*|agreements customer-sheet|agreements contract")


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    from generator.cli import main

    path = tmp_path_factory.mktemp("template") / "customers.xlsx"
    # In English on purpose: the sheet is Chinese whoever makes it (same bytes in every language).
    assert main(["--lang", "en", "--root", str(ROOT), "customer-sheet", str(path)]) == 0
    return path


def test_help_sheet_and_tooltips_are_chinese(template):
    workbook = load_workbook(template)
    texts = [str(c.value) for row in workbook["说明"].iter_rows() for c in row if c.value]
    comments = [c.comment.text for c in workbook["客户"][1]]
    assert len(comments) == len(ISSUE_HEADERS) and all(comments)
    for header, comment in zip(ISSUE_HEADERS, comments):
        assert comment.startswith(f"{header}（") and re.search(r"[\u4e00-\u9fff]{4}", comment), comment
    untranslated = [t for t in texts + comments if _ENGLISH.search(_NAMES.sub(" ", t))]
    assert not untranslated, untranslated


def test_the_same_bytes_in_either_language(template, tmp_path):
    from generator.cli import main

    chinese = tmp_path / "customers.xlsx"
    assert main(["--lang", "zh", "--root", str(ROOT), "customer-sheet", str(chinese)]) == 0
    assert chinese.read_bytes() == template.read_bytes()


def test_print_setup_in_the_workbook_xml(template):
    with zipfile.ZipFile(template) as archive:
        workbook = archive.read("xl/workbook.xml").decode("utf-8")
        sheets = [archive.read(f"xl/worksheets/sheet{n}.xml").decode("utf-8") for n in (1, 2)]
    for xml in sheets:
        setup = re.search(r"<pageSetup [^>]*>", xml).group(0)
        assert 'orientation="landscape"' in setup and 'paperSize="9"' in setup, setup  # 9: A4
        assert 'fitToWidth="1"' in setup and 'fitToHeight="0"' in setup, setup
        assert re.search(r'<pageSetUpPr [^>]*fitToPage="1"', xml)
    titles = dict(re.findall(r'<definedName name="_xlnm.Print_Titles" localSheetId="(\d)">([^<]*)<', workbook))
    assert titles["0"].endswith("!$1:$1"), titles  # 客户: the header row on every page
    assert re.search(r"!\$(\d+):\$\1$", titles["1"]), titles  # 说明: its table's header row


def test_libreoffice_prints_it_on_landscape_a4_with_every_column(template, tmp_path, office):
    pdf = libreoffice_convert(office, template, tmp_path, "pdf")
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    sizes = re.findall(r"Page +\d+ size: +([\d.]+) x ([\d.]+) pts", info)
    assert sizes and all(round(float(w)) == 842 and round(float(h)) == 595 for w, h in sizes), info
    first_page = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
                                capture_output=True, text=True, check=True).stdout
    headers = list(ISSUE_HEADERS)
    assert headers[0] in first_page and headers[-1] in first_page, first_page  # fit to width
