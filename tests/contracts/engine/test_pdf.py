"""PDF back end: layout, signature boxes, metadata, reproducibility, fonts, text."""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess

import pypdf
import pytest

from generator.contracts.engine import pdf, signature_fields
from generator.errors import AgreementsError

MM = 72 / 25.4  # PDF points per millimetre


def _pdftotext(data: bytes, *args: str) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *args, "-", "-"],
        input=data, capture_output=True, check=True)
    return result.stdout.decode("utf-8")


# --------------------------------------------------------------------------
# Font check


def test_require_cjk_font_passes_here():
    pdf.require_cjk_font()


def test_require_cjk_font_explains_the_fix(monkeypatch, tmp_path):
    # No fc-list, and the known font files are not there either.
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    monkeypatch.setattr(pdf, "_KNOWN_FONT_FILES", (tmp_path / "a.ttc", tmp_path / "b.ttc"))
    pdf._installed_cjk_families.cache_clear()
    try:
        with pytest.raises(AgreementsError) as caught:
            pdf.require_cjk_font()
    finally:
        pdf._installed_cjk_families.cache_clear()
    assert str(caught.value).endswith(
        "install the Debian package fonts-noto-cjk: apt-get install fonts-noto-cjk")


def test_require_cjk_font_without_fc_list_checks_known_files(monkeypatch):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    pdf._installed_cjk_families.cache_clear()
    try:
        families = pdf._installed_cjk_families()
    finally:
        pdf._installed_cjk_families.cache_clear()
    assert "Noto Serif CJK SC" in families  # Debian's fonts-noto-cjk path


# --------------------------------------------------------------------------
# Signature boxes


def test_sample_has_about_twelve_pages(sample_document):
    assert len(sample_document.pages) == 12


def test_signature_boxes_land_on_the_signature_page(
        sample_document, sample_boxes, sample_pdf, signature_ids):
    last = len(sample_document.pages) - 1
    assert [b.field_name for b in sample_boxes] == list(signature_ids)
    assert all(b.page_index == last for b in sample_boxes)

    # That page is the signature page, and the box is inside its MediaBox.
    text = _pdftotext(sample_pdf, "-f", str(last + 1), "-l", str(last + 1))
    assert "签署页" in text and "甲方" in text and "乙方" in text
    media_box = pypdf.PdfReader(io.BytesIO(sample_pdf)).pages[last].mediabox
    for box in sample_boxes:
        x1, y1, x2, y2 = box.rect
        assert float(media_box.left) <= x1 < x2 <= float(media_box.right)
        assert float(media_box.bottom) <= y1 < y2 <= float(media_box.top)
        # 70 mm x 30 mm in the stylesheet.
        assert x2 - x1 == pytest.approx(70 * MM, abs=0.01)
        assert y2 - y1 == pytest.approx(30 * MM, abs=0.01)

    party_a, party_b = sample_boxes
    assert party_a.rect[2] < party_b.rect[0]          # 甲方 left of 乙方
    assert party_a.rect[1] == party_b.rect[1]         # on one row
    assert party_a.rect[1] > float(media_box.top) / 2   # upper half, under the heading


def test_signature_box_conversion_from_css_pixels():
    html = """<html lang="zh-CN"><style>
      @page { size: 200px 100px; margin: 0 }
      body { margin: 0; font-family: "Noto Serif CJK SC" }
      #a { position: absolute; left: 20px; top: 10px; width: 40px; height: 30px }
    </style><body><div id="a"></div></body></html>"""
    document = pdf.render(html)
    (box,) = signature_fields.signature_boxes(document, {"a": "field-a"})
    assert box == signature_fields.SignatureBox("field-a", 0, (15.0, 45.0, 45.0, 67.5))


def test_missing_signature_element_is_an_error(sample_document):
    with pytest.raises(AgreementsError, match='id="sig-party-c"'):
        signature_fields.signature_boxes(sample_document, ["sig-party-a", "sig-party-c"])


def test_signature_box_split_over_pages_is_an_error():
    html = """<html lang="zh-CN"><style>
      @page { size: A6; margin: 10mm }
      body { font-family: "Noto Serif CJK SC" }
    </style><body><div id="tall">""" + "<p>签署</p>" * 40 + """</div></body></html>"""
    document = pdf.render(html)
    with pytest.raises(AgreementsError, match="split over pages 1, 2"):
        signature_fields.signature_boxes(document, ["tall"])


# --------------------------------------------------------------------------
# Metadata and reproducibility


def test_metadata_is_readable_with_pypdf(sample_pdf, sample_metadata):
    info = pypdf.PdfReader(io.BytesIO(sample_pdf)).metadata
    for key, value in sample_metadata.items():
        assert info[f"/{key}"] == value
    assert info.title == "数据技术服务使用协议（测试样本）"
    assert "/CreationDate" not in info and "/ModDate" not in info


def test_non_ascii_metadata_values_survive(sample_document):
    data = pdf.write_pdf(sample_document, {"ContractNumber": "知数云-2024-合同-001"})
    info = pypdf.PdfReader(io.BytesIO(data)).metadata
    assert info["/ContractNumber"] == "知数云-2024-合同-001"


@pytest.mark.parametrize("key", ["Source-SHA256", "source sha", "1Key", "Title", "", "合同"])
def test_metadata_keys_weasyprint_would_mangle_are_refused(sample_document, key):
    with pytest.raises(AgreementsError, match="PDF metadata keys"):
        pdf.write_pdf(sample_document, {key: "x"})


def test_two_writes_are_byte_identical(sample_document, sample_pdf, sample_metadata):
    again = pdf.write_pdf(sample_document, sample_metadata)
    assert again == sample_pdf
    # /ID is there, and it is a content hash, not random.
    trailer_id = pypdf.PdfReader(io.BytesIO(sample_pdf)).trailer["/ID"]
    assert len(trailer_id) == 2


def test_fresh_render_gives_the_same_bytes(sample_html, sample_pdf, sample_metadata, fixtures_dir):
    document = pdf.render(sample_html, base_url=fixtures_dir.as_uri() + "/")
    assert pdf.write_pdf(document, sample_metadata) == sample_pdf


def test_different_metadata_changes_the_id(sample_document, sample_pdf, sample_metadata):
    other = pdf.write_pdf(sample_document, {**sample_metadata, "ContractNumber": "ABC"})
    id_of = lambda data: pypdf.PdfReader(io.BytesIO(data)).trailer["/ID"][0]  # noqa: E731
    assert id_of(other) != id_of(sample_pdf)


def test_write_does_not_touch_the_documents_metadata(sample_document):
    before = dict(sample_document.metadata.custom)
    pdf.write_pdf(sample_document, {"Extra": "1"})
    assert sample_document.metadata.custom == before


# --------------------------------------------------------------------------
# Fonts and text


def _fonts(data: bytes) -> dict[str, pypdf.generic.DictionaryObject]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    return fonts


def test_fonts_are_embedded_subsets(sample_pdf):
    fonts = _fonts(sample_pdf)
    assert fonts, "no fonts in the PDF"
    for name, font in fonts.items():
        assert re.fullmatch(r"/[A-Z]{6}\+\S+", name), name
        assert font["/Subtype"] == "/Type0"
        assert "/ToUnicode" in font
        descendant = font["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, name
    names = " ".join(fonts)
    assert "Noto-Serif-CJK-SC" in names
    assert "Noto-Serif-CJK-SC-Bold" in names


def test_chinese_text_extracts(sample_pdf):
    text = _pdftotext(sample_pdf)
    assert "数据技术服务使用协议" in text
    assert "定义与解释" in text and "争议解决" in text
    assert "甲方（委托方）：示例科技有限公司" in text
    assert "任何一方对于因签署或履行本协议而了解或接触到的对方的商业秘密" in text


def test_footer_numbers_every_page(sample_pdf):
    pages = _pdftotext(sample_pdf).split("\f")[:-1]
    assert len(pages) == 12
    for number, page in enumerate(pages, 1):
        assert "合同编号 XYZ" in page
        assert f"第 {number} 页 共 12 页" in page


def _text_by_font(data: bytes, page_index: int) -> list[tuple[str, str]]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    runs: list[tuple[str, str]] = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip() and font_dict is not None:
            runs.append((str(font_dict["/BaseFont"]), text))

    reader.pages[page_index].extract_text(visitor_text=visit)
    return runs


def test_bold_text_uses_the_bold_font(sample_pdf):
    runs = _text_by_font(sample_pdf, 11)
    bold = "".join(t for f, t in runs if f.endswith("-Bold"))
    regular = "".join(t for f, t in runs if not f.endswith("-Bold"))
    # <strong>甲方</strong>（盖章）：… and the <h2> heading are bold.
    assert "甲方" in bold and "乙方" in bold and "签署页" in bold
    assert "（盖章）" in regular and "（盖章）" not in bold
    # A <strong> inside body text on the first page, too.
    first = _text_by_font(sample_pdf, 0)
    assert any(f.endswith("-Bold") and "本协议" in t for f, t in first)


# --------------------------------------------------------------------------
# WeasyPrint problems are never swallowed


BAD_CSS_HTML = """<html lang="zh-CN"><style>
  body { font-family: "Noto Serif CJK SC"; colour: red }
</style><body><p>甲方</p></body></html>"""


@pytest.mark.allow_weasyprint_warnings
def test_weasyprint_warning_is_an_error_in_strict_mode():
    with pytest.raises(AgreementsError, match="colour"):
        pdf.render(BAD_CSS_HTML)


@pytest.mark.allow_weasyprint_warnings
def test_missing_image_is_an_error(tmp_path):
    html = '<html lang="zh-CN"><body><img src="missing-seal.png"></body></html>'
    with pytest.raises(AgreementsError, match="missing-seal.png"):
        pdf.render(html, base_url=tmp_path.as_uri() + "/")


@pytest.mark.allow_weasyprint_warnings
def test_the_warning_guard_sees_weasyprint_warnings(fail_on_weasyprint_warnings):
    # Non-strict rendering lets the warning through to logging, where the
    # autouse guard records it; without this test's marker it would fail the test.
    pdf.render(BAD_CSS_HTML, strict=False)
    messages = [r.getMessage() for r in fail_on_weasyprint_warnings.records]
    assert any("colour" in m for m in messages)
    assert all(r.levelno >= logging.WARNING for r in fail_on_weasyprint_warnings.records)


def test_a_missing_font_stops_the_contract_command_with_the_package_to_install(monkeypatch, tmp_path, capsys):
    from generator.cli import main

    class NoFonts:
        def __call__(self):
            return frozenset()

        def cache_clear(self):
            pass

    monkeypatch.setattr(pdf, "_installed_cjk_families", NoFonts())
    from helpers import ROOT as root
    out = tmp_path / "out"
    code = main(["--root", str(root), "contract", str(root / "customers/examples/lanzhou-data.yml"),
                 "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and "fonts-noto-cjk" in err and "Traceback" not in err
    assert not out.exists()


# These tests assert messages in English, the msgids (tests/test_i18n.py checks the Chinese).
pytestmark = pytest.mark.usefixtures("english_messages")
