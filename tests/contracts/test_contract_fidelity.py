"""The example contract holds the reference text, the customer's values, footers and provenance."""

from __future__ import annotations

import io
import re

import pypdf
import pytest

from generator.content.citation import chinese_date

from contract_helpers import (
    CONTRACT_NUMBER,
    PLACEHOLDER_LABELS,
    ROOT,
    VERSION,
    body_text,
    pdftotext_pages,
    reference_paragraphs,
    squash,
)

FOOTER_PAGE = re.compile(r"第(\d+)页共(\d+)页")


def _filled_paragraph(paragraph: str, customer) -> str:
    for label, name in PLACEHOLDER_LABELS.items():
        value = customer.data.consent[name]
        paragraph = paragraph.replace(label, value if isinstance(value, str) else "、".join(value))
    return paragraph


def test_every_reference_paragraph_is_in_the_contract(example_pages, example_customer):
    text = body_text(example_pages)
    paragraphs = reference_paragraphs()
    assert len(paragraphs) > 50
    with_labels = [p for p in paragraphs if any(label in p for label in PLACEHOLDER_LABELS)]
    assert len(with_labels) == 1, "the reference has one paragraph with placeholders"
    missing = [p[:60] for p in paragraphs if p not in with_labels and squash(p) not in text]
    assert not missing, f"{len(missing)} reference paragraph(s) missing from the PDF text: {missing}"


def test_the_placeholder_paragraph_holds_the_customer_values(example_pages, example_customer):
    text = body_text(example_pages)
    [paragraph] = [p for p in reference_paragraphs() if "【请填写核验目的】" in p]
    assert squash(_filled_paragraph(paragraph, example_customer)) in text
    assert squash(paragraph) not in text
    consent = example_customer.data.consent
    for value in (consent["purpose"], "、".join(consent["personal_fields"]), consent["source_name"]):
        assert squash(value) in text


def test_no_unfilled_label_anywhere(example_pages):
    assert "【请填写" not in "".join(example_pages)
    assert "请填写" not in squash("".join(example_pages))


def test_every_customer_value_is_printed(example_pages, example_customer):
    from generator.contracts.customers import SERVICE_TITLES

    text = body_text(example_pages)
    data = example_customer.data
    values = [data.company, data.credit_code, data.address, data.representative,
              data.contact.name, data.contact.phone, data.contact.email,
              "、".join(SERVICE_TITLES[s] for s in data.services)]
    for value in values:
        assert squash(value) in text, value
    assert "上海澜舟数据科技有限公司" in text and "信息查询核验类接口、短信类接口" in text


def test_every_page_has_both_footers(example_pages):
    total = len(example_pages)
    assert total >= 5
    for number, page in enumerate(example_pages, start=1):
        flat = squash(page)
        assert f"合同编号：{CONTRACT_NUMBER}" in flat, f"page {number}"
        assert FOOTER_PAGE.findall(flat) == [(str(number), str(total))], f"page {number}"


def test_provenance_metadata(example_pdf, example_customer):
    from generator import __version__
    from generator.content.versions import source_digest

    meta = pypdf.PdfReader(io.BytesIO(example_pdf)).metadata
    digest = source_digest(ROOT / "content" / "versions" / VERSION)
    assert meta["/AgreementVersion"] == VERSION
    assert meta["/SourceSHA256"] == digest
    assert re.fullmatch(r"[0-9a-f]{64}", meta["/ValuesSHA256"])
    assert meta["/ValuesSHA256"] == example_customer.values_sha256
    assert meta["/ContractNumber"] == CONTRACT_NUMBER
    assert meta["/GeneratorVersion"] == __version__


def test_cover_shows_the_source_fingerprint(example_pages):
    from generator.content.versions import source_digest

    digest = source_digest(ROOT / "content" / "versions" / VERSION)
    assert f"SHA-256{digest[:16]}" in squash(example_pages[0])


def test_values_digest_changes_with_any_value(project, example_customer, tmp_path):
    from contract_helpers import customer_yaml
    from generator.contracts.customers import load_customer

    other = tmp_path / "other.yml"
    other.write_text(customer_yaml(address="上海市浦东新区张江路 89 号"), encoding="utf-8")
    assert load_customer(other, project).values_sha256 != example_customer.values_sha256


# --------------------------------------------------------------------------- the generic PDF


@pytest.fixture(scope="module")
def generic_pdf(tmp_path_factory):
    from generator.cli import main

    out = tmp_path_factory.mktemp("generic")
    assert main(["--root", str(ROOT), "pdf", VERSION, "--out", str(out)]) == 0
    assert [p.name for p in out.iterdir()] == [f"{VERSION}.pdf"]
    return out / f"{VERSION}.pdf"


def test_generic_pdf_shows_the_three_labels(generic_pdf):
    text = squash("".join(pdftotext_pages(generic_pdf)))
    for label in PLACEHOLDER_LABELS:
        assert squash(label) in text, label
    assert "合同编号：" not in text
    assert "上海澜舟" not in text


def test_generic_pdf_has_the_reference_text_and_footers(generic_pdf):
    pages = pdftotext_pages(generic_pdf)
    for number, page in enumerate(pages, start=1):
        flat = squash(page)
        assert f"数据技术服务使用协议·{chinese_date(VERSION)}版" in flat, f"page {number}"
        assert FOOTER_PAGE.findall(flat) == [(str(number), str(len(pages)))], f"page {number}"
    text = body_text(pages)
    missing = [p[:60] for p in reference_paragraphs() if squash(p) not in text]
    assert not missing
