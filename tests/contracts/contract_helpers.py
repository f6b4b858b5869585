"""Helpers for the contract tests: the reference text, pdftotext, a throwaway CA.

tests/ has no __init__.py, so tests/contracts/conftest.py puts this folder on
sys.path and the test modules import from here.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import reference
from helpers import FIXTURES, ROOT  # noqa: F401 - re-exported for the tests
EXAMPLE = ROOT / "customers" / "examples" / "lanzhou-data.yml"
VERSION = "2021-12-20"
CONTRACT_NUMBER = "ZSY-2026-0001"
EXAMPLE_PDF_NAME = f"lanzhou-data_{VERSION}.pdf"

# Labels of 附录一's placeholders in the reference text → the customer field they stand for.
PLACEHOLDER_LABELS = {
    "【请填写核验目的】": "purpose",
    "【请填写个人信息字段信息，如姓名、身份证号码、手机号码】": "personal_fields",
    "【请填写最终信息源名称】": "source_name",
}


def squash(text: str) -> str:
    """Remove every whitespace character: layout is not content."""
    return "".join(text.split())


# --------------------------------------------------------------------------- the reference


def reference_paragraphs() -> list[str]:
    """Every paragraph and heading, markup removed, spacing as written."""
    return [block.text for block in reference.blocks()]


def bold_passages() -> list[str]:
    return [passage for block in reference.blocks() for passage in block.bold]


_LABEL = re.compile(r"^(?:\d+(?:\.\d+)*\.?|\d+、)\s*")


def non_bold_passages(min_chars: int = 12) -> list[str]:
    """Body text the reference sets in the regular face, without clause numbers.

    Headings and short clause titles (e.g. ``2.2 短信类 API 接口``) are left
    out: the contract sets titles in bold on purpose.
    """
    out = []
    for block in reference.blocks():
        if block.is_heading or "【请填写" in block.markdown:
            continue  # the placeholder paragraph is checked filled in, elsewhere
        if not block.bold and len(block.text) < 40:
            continue  # a clause title or a short numbered item
        for piece in block.regular_pieces:
            text = squash(_LABEL.sub("", piece.strip()))
            if len(text) >= min_chars:
                out.append(text)
    return out


# --------------------------------------------------------------------------- PDFs


def pdftotext_pages(pdf: Path | bytes) -> list[str]:
    """Each page's text as poppler reads it (pdftotext ends every page with a form feed)."""
    if isinstance(pdf, bytes):
        result = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf,
                                capture_output=True, check=True)
    else:
        result = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
                                capture_output=True, check=True)
    return result.stdout.decode("utf-8").split("\f")[:-1]


def strip_footers(page_text: str) -> str:
    """Whitespace-free page text without the running footers."""
    text = squash(page_text)
    text = re.sub(r"合同编号：[A-Za-z0-9-]+", "", text)
    text = re.sub(r"数据技术服务使用协议·\d{4}年\d{1,2}月\d{1,2}日版", "", text)  # the generic PDF's
    return re.sub(r"第\d+页共\d+页", "", text)


def body_text(pages: list[str]) -> str:
    return "".join(strip_footers(p) for p in pages)


def bbox_words(pdf: Path, page_number: int) -> list[tuple[str, float, float, float, float]]:
    """``(word, x0, y0, x1, y1)`` in PDF user space (origin bottom-left) of 1-based page."""
    import xml.etree.ElementTree as ET

    result = subprocess.run(["pdftotext", "-bbox", "-f", str(page_number), "-l", str(page_number),
                             str(pdf), "-"], capture_output=True, check=True)
    xml = result.stdout.decode("utf-8")
    xml = re.sub(r"<!DOCTYPE[^>]*>", "", xml)
    tree = ET.fromstring(xml)
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    page = tree.find(".//x:page", ns)
    height = float(page.get("height"))
    words = []
    for word in page.findall("x:word", ns):
        x0, y0 = float(word.get("xMin")), float(word.get("yMin"))
        x1, y1 = float(word.get("xMax")), float(word.get("yMax"))
        words.append((word.text or "", x0, height - y1, x1, height - y0))
    return words


# Text that starts each part of a contract that differs per customer: the cover, 附录一 filled in,
# signatures. (附录一 that does not apply reads the same for every such customer: it is shared.)
OWN_PART_MARKERS = ("甲方（用户）", "以下带下划线的内容为根据甲方信息填写的内容", "签署页")


def own_pages(pages: list[str]) -> list[int]:
    """0-based pages holding the start of a part that differs per customer (pdftotext pages).

    When each such part fits on one page (the examples), every other page is one
    that all customers of the version share.
    """
    return [index for index, text in enumerate(pages)
            if any(marker in squash(text) for marker in OWN_PART_MARKERS)]


def forms_per_page(pdf: Path | bytes) -> list[int]:
    """How many Form XObjects each page's content paints (qpdf reads the PDF).

    The fast contract path draws the body of each page every customer shares
    as a form, and the page-number footer of every page as a form; a full
    WeasyPrint render of a contract paints no forms.
    """
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf) as document:
        counts = []
        for page in document.pages:
            xobjects = page.obj.get("/Resources", {}).get("/XObject", {})
            counts.append(sum(1 for operands, operator in pikepdf.parse_content_stream(page)
                              if str(operator) == "Do"
                              and xobjects.get(str(operands[0]), {}).get("/Subtype") == "/Form"))
        return counts


def shared_pages_drawn(pdf: Path | bytes) -> list[int]:
    """0-based pages the fast path made from the shared pages: a body form and a footer form."""
    return [index for index, count in enumerate(forms_per_page(pdf)) if count == 2]


def bold_text(data: bytes) -> str:
    """Whitespace-free text drawn with a font whose /BaseFont has "Bold" in its name, no footers."""
    return _text_by_weight(data, bold=True)


def regular_text(data: bytes) -> str:
    """Whitespace-free text drawn with any font that is not a bold face, no footers."""
    return _text_by_weight(data, bold=False)


def _text_by_weight(data: bytes, *, bold: bool) -> str:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    chunks: list[str] = []

    def visit(text, cm, tm, font, size):
        if font is not None and ("Bold" in str(font.get("/BaseFont", ""))) == bold:
            chunks.append(text)

    pages = []
    for page in reader.pages:
        chunks.clear()
        page.extract_text(visitor_text=visit)
        pages.append(strip_footers("".join(chunks)))  # a paragraph may run across a page break
    return "".join(pages)


def customer_yaml(**changes) -> str:
    """The example customer file with some top-level or consent values replaced (YAML text)."""
    import yaml

    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    consent = changes.pop("consent", {})
    data.update(changes)
    data["consent"] = {**data["consent"], **consent}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


class Tally:
    """Accepted and refused inputs over one Hypothesis run.

    A fuzz test that refuses every input passes trivially; asserting the shares
    proves it exercised the paths that accept (and the ones that refuse).
    """

    def __init__(self) -> None:
        self.accepted = 0
        self.refused = 0

    def add(self, *, accepted: bool) -> bool:
        if accepted:
            self.accepted += 1
        else:
            self.refused += 1
        return accepted

    def assert_shares(self, *, accepted: float = 0.0, refused: float = 0.0, runs: int = 1) -> None:
        total = self.accepted + self.refused
        summary = f"{self.accepted} accepted, {self.refused} refused"
        assert total >= runs, summary
        assert self.accepted >= accepted * total, f"too few accepted: {summary}"
        assert self.refused >= refused * total, f"too few refused: {summary}"
