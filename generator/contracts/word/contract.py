"""A customer's contract as .docx, for their lawyer to comment on: the same text as the PDF.

Cover (the contract's facts, 甲方 and 乙方), the agreement with 附录一 filled in
(the customer's values underlined), 附录二, and the signature blocks, laid out
like ``templates/pdf/contract.html.j2``. The PDF stays the document that is
signed; this file carries the contract number in its footer and properties so
a returned copy can be matched with it.
"""

from __future__ import annotations

from docx.document import Document
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Mm, Pt

from generator.content.config import SiteConfig
from generator.content.text import Paragraph, runs_text
from generator.contracts.customers import SERVICE_TITLES, Customer
from generator.contracts.signature_page import SIGNATURE_LABELS, signature_note
from generator.contracts.word.body import add_footer, add_header, version_date, version_label, write_version
from generator.contracts.word.document import new_document, text_width
from generator.contracts.word.package import Properties, docx_bytes
from generator.contracts.word.runs import add_text_run

FILL_NOTE = "以下带下划线的内容为根据甲方信息填写的内容。"
NOT_APPLICABLE = "不适用（甲方未开通信息查询核验类接口）"  # as the PDF prints it
END_OF_TEXT = "（以下无正文）"
# Every page of the Word copy says what it is: the text to negotiate on, not the contract —
# the signed PDF is (the PDF carries the signatures and the provenance `verify` checks).
NEGOTIATION_COPY = "协商稿 — 以双方签署的 PDF 为准"


def docx_name(customer: Customer) -> str:
    """``<id>_<version>.docx``, next to the contract's PDF."""
    return customer.output_name.removesuffix(".pdf") + ".docx"


def contract_docx(config: SiteConfig, customer: Customer) -> bytes:
    """The customer's contract as .docx, reproducibly."""
    version = customer.version
    document = new_document(config.pdf.font_family)
    _cover(document, config, customer)

    consent_ids = {clause.id for clause in version.consent.clauses}

    def fill_note(paragraph: Paragraph) -> None:
        if paragraph.role == "appendix-title" and paragraph.key == f"@{version.consent.id}#1":
            note = document.add_paragraph()
            add_text_run(note, FILL_NOTE if customer.consent_applies else NOT_APPLICABLE)
            if customer.consent_applies:
                note.runs[0].font.size = Pt(9)

    def keep(paragraph: Paragraph) -> bool:  # 附录一's text only where it applies
        return customer.consent_applies or paragraph.key.split("#")[0] not in consent_ids

    write_version(document, version, customer.values, after=fill_note, keep=keep)
    end = document.add_paragraph()
    end.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_text_run(end, END_OF_TEXT)
    _signatures(document, version.agreement.title,
                [("甲方", customer.data.company), ("乙方", config.provider.name)])
    add_footer(document, f"合同编号：{customer.contract_number}")
    add_header(document, NEGOTIATION_COPY)
    title = version.agreement.title
    return docx_bytes(document, Properties(
        title=f"{title} · {customer.data.company}", author=config.provider.name,
        date=version_date(version), subject=config.product,
        identifier=customer.contract_number, company=config.provider.name,
        keywords=f"合同编号 {customer.contract_number}",
        description=f"协议版本 {version_label(version)}；文本指纹 SHA-256 {version.source_sha256}；"
                    f"签署以 PDF 文本为准"))


def _cover(document: Document, config: SiteConfig, customer: Customer) -> None:
    version = customer.version
    title = document.add_paragraph(style="Title")
    add_text_run(title, version.agreement.title)
    facts = [("合同编号", customer.contract_number), ("协议版本", version_label(version)),
             ("更新日期", runs_text(version.agreement.updated, version))]
    if customer.data.signing_date:
        facts.append(("签订日期", customer.data.signing_date.isoformat()))
    facts.append(("文本指纹", f"SHA-256 {version.source_sha256[:16]}"))
    _table(document, None, facts)
    data = customer.data
    _table(document, "甲方（用户）", [
        ("名称", data.company), ("统一社会信用代码", data.credit_code), ("住所", data.address),
        ("法定代表人或授权代表", data.representative), ("联系人", data.contact.name),
        ("联系电话", data.contact.phone), ("电子邮箱", data.contact.email),
        ("开通服务", "、".join(SERVICE_TITLES[s] for s in data.services))])
    provider = config.provider
    optional = [("统一社会信用代码", provider.credit_code), ("住所", provider.address),
                ("法定代表人或授权代表", provider.representative), ("联系方式", provider.contact)]
    _table(document, "乙方（服务提供方）",
           [("名称", provider.name), *((k, v) for k, v in optional if v)])
    page_break = document.add_paragraph()
    add_text_run(page_break, "")
    page_break.runs[0].add_break(WD_BREAK.PAGE)


def _table(document: Document, caption: str | None, rows: list[tuple[str, str]]) -> None:
    """A caption in bold, then a two-column table of labels and values."""
    if caption:
        add_text_run(document.add_paragraph(), caption, bold=True)
    table = document.add_table(rows=0, cols=2)
    table.style = document.styles["Table Grid"]
    widths = (Mm(42), text_width(document) - Mm(42))
    table.columns[0].width, table.columns[1].width = widths
    for label, value in rows:
        cells = table.add_row().cells
        for cell, text, width in zip(cells, (label, value), widths):
            cell.width = width
            add_text_run(cell.paragraphs[0], text)
            cell.paragraphs[0].paragraph_format.space_after = Pt(0)
    document.add_paragraph()


def _signatures(document: Document, title: str, parties: list[tuple[str, str]]) -> None:
    """签署页, worded as the PDF's: each party's name, then a box for its seal, signature and date."""
    heading = document.add_paragraph(style="Heading 2")
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.paragraph_format.page_break_before = True
    add_text_run(heading, "签署页")
    note = document.add_paragraph()
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_text_run(note, signature_note(title))
    for role, name in parties:
        add_text_run(document.add_paragraph(), f"{role}：{name}", bold=True)
        box = document.add_table(rows=1, cols=1)
        box.style = document.styles["Table Grid"]
        row = box.rows[0]
        row.height, row.height_rule = Mm(42), WD_ROW_HEIGHT_RULE.AT_LEAST
        cell = row.cells[0]
        box.columns[0].width = cell.width = Mm(120)
        for index, line in enumerate(SIGNATURE_LABELS):
            paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
            add_text_run(paragraph, line)
        document.add_paragraph()
