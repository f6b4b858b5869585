"""`agreements contract --type docx`: the customer's contract in Word, for their lawyer."""

from __future__ import annotations

import re
import subprocess
import zipfile

import pytest

import docx_reader as dr
from word_helpers import EXAMPLES, cli
from helpers import ROOT, copy_project, fold
from generator.contracts.signature_page import SIGNATURE_LABELS, signature_note
from libreoffice import convert, text_lines

EXAMPLE_ID = "lanzhou-data"


@pytest.fixture(scope="module")
def customer():
    from generator.content.project import load_project
    from generator.contracts.customers import load_customer

    return load_customer(ROOT / "customers" / "examples" / f"{EXAMPLE_ID}.yml", load_project(ROOT))


@pytest.fixture(scope="module")
def contract_docx(word_files):
    return word_files.contracts[EXAMPLE_ID]


def test_one_docx_per_customer_named_like_the_pdf(word_files):
    assert sorted(word_files.contracts) == sorted(p.stem for p in EXAMPLES)
    assert all(p.name == f"{p.stem.split('_')[0]}_2021-12-20.docx" for p in word_files.contracts.values())
    assert not list(word_files.contracts[EXAMPLE_ID].parent.glob("*.pdf"))  # --type docx alone


def test_libreoffice_reads_the_filled_agreement_in_order(contract_docx, customer, libreoffice):
    from generator.content.text import version_text

    lines = [fold(line) for line in text_lines(libreoffice("txt")[contract_docx])]
    expected = [fold(p) for p in version_text(customer.version, customer.values).split("\n\n") if p.strip()]
    position = 0
    for paragraph in expected:
        position = lines.index(paragraph, position) + 1  # ValueError: missing or out of order
    assert not any("【请填写" in line for line in lines)


def test_cover_and_signature_blocks(contract_docx, customer, libreoffice):
    text = "\n".join(text_lines(libreoffice("txt")[contract_docx]))
    data = customer.data
    for value in (customer.contract_number, data.company, data.credit_code, data.address,
                  data.representative, data.contact.phone, data.contact.email, "北京静觅网络科技有限公司"):
        assert value in text
    tail = text[text.index("（以下无正文）"):]
    for label in SIGNATURE_LABELS:  # worded as the PDF's signature page, once per party
        assert tail.count(label) == 2, label
    assert tail.count(signature_note(customer.version.agreement.title)) == 1
    assert f"甲方：{data.company}" in tail and "乙方：北京静觅网络科技有限公司" in tail


def test_the_customers_values_are_underlined_and_nothing_else(contract_docx, customer):
    from generator.content.text import format_value

    runs = [run for p in dr.paragraphs(contract_docx) for run in p.runs]
    underlined = [run.text for run in runs if run.underline]
    fills = [run.value for c in customer.version.consent.clauses for runs_ in c.paragraphs
             for run in runs_ if run.kind == "fill"]
    assert underlined == [format_value(customer.values[name]) for name in fills]
    assert len(underlined) == 4 and "姓名、身份证号码、手机号码" in underlined


def test_footer_and_properties_carry_the_contract_number(contract_docx, customer, libreoffice):
    footer = dr.part(contract_docx, "word/footer1.xml")
    assert "".join(t.text or "" for t in footer.iter(dr.W + "t")).startswith(
        f"合同编号：{customer.contract_number}")
    with zipfile.ZipFile(contract_docx) as package:
        core = package.read("docProps/core.xml").decode()
    assert f"<dc:identifier>{customer.contract_number}</dc:identifier>" in core
    pdf_text = subprocess.run(["pdftotext", str(libreoffice("pdf")[contract_docx]), "-"],
                              capture_output=True, text=True, check=True).stdout
    assert len(re.findall(rf"合同编号：\s*{customer.contract_number}", pdf_text)) >= 5


def test_pdf_and_docx_together_and_the_same_docx_again(tmp_path, word_files, contract_root):
    cli("--root", str(contract_root), "contract", str(EXAMPLES[0]), "--type", "pdf,docx", "--out", str(tmp_path))
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".docx", ".pdf"]
    (docx,) = tmp_path.glob("*.docx")
    assert docx.read_bytes() == word_files.contracts[EXAMPLES[0].stem].read_bytes()


def test_a_word_copy_alone_is_not_recorded_in_the_register(tmp_path, capsys):
    from generator.cli import main

    root = copy_project(ROOT, tmp_path / "project")
    assert main(["--root", str(root), "contract", str(EXAMPLES[0]), "--type", "docx",
                 "--out", str(tmp_path / "out")]) == 0
    assert "Word copies only: nothing recorded" in capsys.readouterr().out
    assert not (root / "out").exists()


@pytest.mark.parametrize("args, message", [
    (["--type", "docx,xlsx"], "use pdf, docx or pdf,docx"),
    (["--type", "docx", "--sign-p12", "key.p12"], "only PDFs are signed"),
])
def test_bad_format_options_are_refused(tmp_path, capsys, contract_root, args, message):
    from generator.cli import main

    code = main(["--root", str(contract_root), "contract", str(EXAMPLES[0]), "--out", str(tmp_path), *args])
    assert code == 2 and message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_hostile_values_stay_text(tmp_path, contract_root, office):
    """Markup characters in a customer's values reach Word as text, not as XML or fields."""
    source = (ROOT / "customers" / "examples" / f"{EXAMPLE_ID}.yml").read_text(encoding="utf-8")
    hostile = "A&B <w:p/> “公司” {ref:scope} **加粗**"
    customer = tmp_path / "hostile.yml"
    customer.write_text(re.sub(r"(?m)^company: .*$", f"company: '{hostile}'",
                               source.replace("purpose: 用户实名认证", "purpose: '<b>实名</b>&认证'")),
                        encoding="utf-8")
    cli("--root", str(contract_root), "contract", str(customer), "--type", "docx", "--out", str(tmp_path / "out"))
    (path,) = (tmp_path / "out").glob("*.docx")
    texts = "\n".join(p.text for p in dr.paragraphs(path))
    assert "<b>实名</b>&认证" in texts
    assert not any(run.bold for p in dr.paragraphs(path) for run in p.runs if "实名" in run.text)
    (txt,) = convert(office, [path], "txt", tmp_path / "lo").values()
    assert hostile in "\n".join(text_lines(txt))


# These tests assert messages in English, the msgids (tests/test_i18n.py checks the Chinese).
pytestmark = pytest.mark.usefixtures("english_messages")
# --------------------------------------------------------------------------- the Word copy is the PDF's twin


def _pages(pdf) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def test_every_page_says_it_is_a_negotiation_copy(contract_docx, libreoffice):
    headers = [dr.part(contract_docx, name) for name in _parts(contract_docx, r"word/header\d*\.xml")]
    texts = ["".join(t.text or "" for t in h.iter(dr.W + "t")) for h in headers]
    assert "协商稿 — 以双方签署的 PDF 为准" in texts
    # LibreOffice draws it on every page of its PDF
    pages = subprocess.run(["pdftotext", "-layout", str(libreoffice("pdf")[contract_docx]), "-"],
                           capture_output=True, text=True, check=True).stdout.split("\f")
    pages = [p for p in pages if p.strip()]
    assert pages and all("协商稿" in page for page in pages)


def _parts(path, pattern: str) -> list[str]:
    with zipfile.ZipFile(path) as package:
        return [n for n in package.namelist() if re.fullmatch(pattern, n)]


def test_pdf_and_word_copy_paginate_within_one_page(contract_docx, libreoffice, example_pdf_path):
    """Same body face, size, line height and paragraph gap: LibreOffice's pages of the Word copy
    are within one of the PDF's (measured 9 and 9, in Noto Sans CJK SC and in Noto Serif CJK SC)."""
    assert example_pdf_path.name.startswith(EXAMPLE_ID)
    word, pdf = _pages(libreoffice("pdf")[contract_docx]), _pages(example_pdf_path)
    assert abs(word - pdf) <= 1, (word, pdf)


def test_the_body_face_is_the_pdfs_from_site_config(tmp_path):
    """One setting chooses the face of both: site_config.yml pdf.font_family."""
    import yaml

    root = copy_project(ROOT, tmp_path / "project")
    config = root / "site_config.yml"
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    for family in ("Noto Serif CJK SC", "Noto Sans CJK SC"):
        data["pdf"]["font_family"] = family
        config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        cli("--root", str(root), "contract", str(EXAMPLES[0]), "--type", "docx", "--out", str(tmp_path / family))
        docx = next((tmp_path / family).glob("*.docx"))
        styles = dr.part(docx, "word/styles.xml")
        normal = next(s for s in styles.iter(dr.W + "style") if s.get(dr.W + "styleId") == "Normal")
        assert normal.find(f"{dr.W}rPr/{dr.W}rFonts").get(dr.W + "eastAsia") == family
        body_runs = {r.east_asian_font for p in dr.paragraphs(docx) if p.style == "Normal" for r in p.runs}
        assert body_runs == {family}
