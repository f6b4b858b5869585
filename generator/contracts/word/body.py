"""A version's text in Word: the paragraphs of `agreements text`, styled, linked and bookmarked.

The paragraphs and their order come from :func:`generator.content.text.paragraphs`,
so the document holds exactly the text `agreements text` prints, one Word
paragraph per line of it; this module only chooses each paragraph's style and
marks each clause's start with a bookmark named after its id. It also writes the
footer every Word file carries.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Iterable

from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from generator.content.config import SiteConfig
from generator.content.model import Version
from generator.content.text import Paragraph, Values, paragraphs
from generator.contracts.word.document import add_styled_paragraph, new_document
from generator.contracts.word.package import Properties, docx_bytes
from generator.contracts.word.runs import Bookmarks, add_field, add_segments, add_text_run, segments


def anchors(items: Iterable[Paragraph]) -> list[str]:
    return [p.anchor for p in items if p.anchor]


def write_paragraph(document: Document, paragraph: Paragraph, version: Version, values: Values | None,
                    bookmarks: Bookmarks):
    """One paragraph of the version, bookmarked when a clause or section starts there."""
    out = add_styled_paragraph(document, paragraph.role)
    add_segments(out, segments(paragraph, version, values), bookmarks)
    if paragraph.anchor:
        bookmarks.wrap(out._p, paragraph.anchor)
    return out


def write_version(document: Document, version: Version, values: Values | None = None,
                  after: Callable[[Paragraph], None] = lambda paragraph: None,
                  keep: Callable[[Paragraph], bool] = lambda paragraph: True) -> None:
    """Every paragraph of ``version`` that ``keep`` keeps; ``after`` may add the caller's own
    after any of them."""
    items = [paragraph for paragraph in paragraphs(version) if keep(paragraph)]
    bookmarks = Bookmarks(anchors(items))
    for paragraph in items:
        write_paragraph(document, paragraph, version, values, bookmarks)
        after(paragraph)


def version_date(version: Version) -> dt.date:
    return dt.date.fromisoformat(version.date)


def version_label(version: Version) -> str:
    return f"{version.date}（草案，尚未生效）" if version.is_draft else version.date


def version_docx(config: SiteConfig, version: Version) -> bytes:
    """The generic text of ``version`` as .docx, 附录一's placeholders shown as 【请填写…】."""
    document = new_document(config.pdf.font_family)
    write_version(document, version)
    title = version.agreement.title
    add_footer(document, f"{title} · 版本 {version_label(version)}")
    return docx_bytes(document, Properties(
        title=f"{title}（版本 {version.date}）", author=config.provider.name, date=version_date(version),
        subject=config.product, company=config.provider.name,
        description=f"版本 {version_label(version)}；文本指纹 SHA-256 {version.source_sha256}"))


def add_footer(document: Document, left: str) -> None:
    """``left`` at the left margin, 第 X 页 共 Y 页 at the right, X and Y as PAGE/NUMPAGES fields."""
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.style = document.styles["Footer"]
    add_text_run(paragraph, f"{left}\t第 ")
    add_field(paragraph, "PAGE")
    add_text_run(paragraph, " 页 共 ")
    add_field(paragraph, "NUMPAGES")
    add_text_run(paragraph, " 页")


def add_header(document: Document, text: str) -> None:
    """``text`` centred in the page header of every page."""
    paragraph = document.sections[0].header.paragraphs[0]
    paragraph.style = document.styles["Header"]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_text_run(paragraph, text)
