"""A python-docx document set up for a Chinese agreement: A4, styles, fonts, footer.

python-docx does the page set-up, the styles' sizes, weights and spacing, and
the paragraphs. It has no API for what follows, so it is written here as raw
WordprocessingML (and said so where it happens):

- East Asian fonts: ``w:rFonts/@w:eastAsia`` and ``@w:hint`` on every run and
  style (python-docx sets only the Latin ``ascii``/``hAnsi`` names), and the font
  table entries naming the fallbacks (``w:altName``); the body face is the PDF's;
- the settings that make Word treat the text as Simplified Chinese
  (``w:themeFontLang``, ``w:lang``);
- the footer's PAGE and NUMPAGES fields (:func:`generator.contracts.word.body.add_footer`).

python-docx's default template comes from a Japanese Word for Mac: its theme
fonts and language are Japanese, so every style here names its fonts
explicitly instead of pointing at the theme.
"""

from __future__ import annotations

from dataclasses import dataclass

import docx
from docx.document import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement
from docx.oxml.parser import parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from generator.content.text import Role


@dataclass(frozen=True)
class Face:
    """A font as Word names it: the East Asian family, the Latin family, and the fallbacks."""

    east_asian: str
    latin: str
    alternatives: tuple[str, ...]  # other names of the same face, then the fallback the document names


# The body text is set in the PDF's face — site_config.yml `pdf.font_family`, the one place
# that chooses it — so the Word copy and the PDF paginate alike; the font table names the
# face's other names and a system font for machines without it. Headings keep 黑体.
BODY_FACES: dict[str, Face] = {
    "Noto Sans CJK SC": Face("Noto Sans CJK SC", "Noto Sans CJK SC",
                             ("Source Han Sans SC", "思源黑体", "Microsoft YaHei")),
    "Noto Serif CJK SC": Face("Noto Serif CJK SC", "Noto Serif CJK SC",
                              ("Source Han Serif SC", "思源宋体", "SimSun")),
}
HEADING = Face("黑体", "Arial", ("SimHei", "Noto Sans CJK SC"))

BODY_SIZE = Pt(10.5)  # 五号, the usual size of a Chinese contract's text
# The PDF's line height and gap after a paragraph, in ems (templates/pdf/contract.css: html
# line-height, p margin-bottom), so that Word and the PDF paginate within a page of each other.
LINE_HEIGHT, PARAGRAPH_GAP = 1.7, 0.45
FOOTER_SIZE = Pt(9)

# Paragraph styles by role, by style id ("Heading1" is the style named "heading 1"; None is
# Normal); headings carry outline levels, so Word's navigation pane shows the title, the
# sections and the titled clauses.
ROLE_STYLES: dict[Role, str | None] = {
    "title": "Heading1",
    "section": "Heading2",
    "appendix-label": "Heading2",
    "appendix-title": "Heading3",
    "clause-title": "Heading3",
    "notice": None,
    "clause": None,
    "updated": None,
}
CENTRED: frozenset[Role] = frozenset({"title", "appendix-label", "appendix-title"})
NEW_PAGE: frozenset[Role] = frozenset({"appendix-label"})  # each appendix starts a page, as in the PDF
HEADING_SIZES = {"Heading 1": Pt(18), "Heading 2": Pt(12), "Heading 3": Pt(10.5), "Title": Pt(22)}
HEADING_STYLE_IDS = frozenset({"Heading1", "Heading2", "Heading3", "Title"})


def new_document(body_family: str) -> Document:
    """python-docx's default template, restyled: A4, Chinese fonts and language, black headings;
    the body in ``body_family`` (the PDF's: ``config.pdf.font_family``)."""
    document = docx.Document()
    body = BODY_FACES[body_family]
    document.part.body_face = body  # read back by face_of() for every run
    _page_setup(document)  # before the styles: the footer's tab stop is at the text's width
    _styles(document, body)
    _font_table(document, body)
    _chinese_settings(document)
    return document


def _page_setup(document: Document) -> None:
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(22), Mm(24)
    section.left_margin, section.right_margin = Mm(20), Mm(20)
    section.footer_distance = Mm(12)


def face_of(paragraph) -> Face:
    """The face a run in ``paragraph`` is set in: its style's (a run names its fonts itself)."""
    if paragraph._p.style in HEADING_STYLE_IDS:  # by id: name lookups are slow
        return HEADING
    return paragraph.part.package.main_document_part.body_face  # a footer's paragraph too


def text_width(document: Document):
    section = document.sections[0]
    return section.page_width - section.left_margin - section.right_margin


def _styles(document: Document, body: Face) -> None:
    styles = document.styles
    _default_run_properties(document, body)
    normal = styles["Normal"]
    normal.font.size = BODY_SIZE
    set_fonts(normal.element.get_or_add_rPr(), body)
    normal_format = normal.paragraph_format
    normal_format.space_before, normal_format.space_after = Pt(0), Pt(BODY_SIZE.pt * PARAGRAPH_GAP)
    normal_format.line_spacing = Pt(BODY_SIZE.pt * LINE_HEIGHT)  # exact, whatever the face's own metrics
    normal_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for name, size in HEADING_SIZES.items():
        style = styles[name]
        style.font.size = size
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        set_fonts(style.element.get_or_add_rPr(), HEADING)
        style.paragraph_format.space_before = Pt(12 if name != "Heading 3" else 6)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.line_spacing = 1.3
    title_border = styles["Title"].element.pPr.find(qn("w:pBdr"))  # raw XML: python-docx has no borders API
    title_border.getparent().remove(title_border)
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for linked in ("Heading1Char", "Heading2Char", "Heading3Char", "TitleChar"):  # their character styles
        set_fonts(styles.element.get_by_id(linked).get_or_add_rPr(), HEADING)
    footer = styles["Footer"]
    footer.font.size = FOOTER_SIZE
    footer.paragraph_format.tab_stops.clear_all()  # the template's stops are for Letter paper
    footer.paragraph_format.tab_stops.add_tab_stop(text_width(document), WD_TAB_ALIGNMENT.RIGHT)
    footer.font.color.rgb = RGBColor(0x44, 0x44, 0x44)


def _default_run_properties(document: Document, body: Face) -> None:
    """docDefaults: explicit fonts instead of the theme's, Simplified Chinese as the East Asian language."""
    rpr = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(rpr, body)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:eastAsia"), "zh-CN")


def set_fonts(rpr, face: Face) -> None:
    """Raw XML: replace ``w:rFonts`` with explicit Latin and East Asian names (no theme fonts).

    ``w:hint="eastAsia"`` makes Word set the characters both scripts share (“”、——)
    in the East Asian font, as Chinese text expects.
    """
    old = rpr.find(qn("w:rFonts"))
    fonts = OxmlElement("w:rFonts", {qn("w:ascii"): face.latin, qn("w:hAnsi"): face.latin,
                                     qn("w:eastAsia"): face.east_asian, qn("w:cs"): face.latin,
                                     qn("w:hint"): "eastAsia"})
    if old is not None:
        old.addprevious(fonts)
        rpr.remove(old)
    else:
        rpr.insert_element_before(fonts, *_AFTER_RFONTS)


# The children of w:rPr that come after w:rFonts (ECMA-376 CT_RPr order).
_AFTER_RFONTS = ("w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike", "w:dstrike",
                 "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid",
                 "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position",
                 "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText",
                 "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
                 "w:specVanish", "w:oMath", "w:rPrChange")


def _font_table(document: Document, body: Face) -> None:
    """Raw XML: font table entries for the two faces; ``w:altName`` lists the fallbacks.

    python-docx keeps word/fontTable.xml as an opaque part, so it is parsed, edited
    and put back as the part's bytes; the template's Japanese faces are dropped.
    """
    part = document.part.part_related_by(RT.FONT_TABLE)
    table = parse_xml(part.blob)
    for japanese in [f for f in table if f.get(qn("w:name")) in ("ＭＳ 明朝", "ＭＳ ゴシック")]:
        table.remove(japanese)
    for face, panose in ((body, None), (HEADING, "02010609060101010101")):
        entry = OxmlElement("w:font", {qn("w:name"): face.east_asian})
        entry.append(OxmlElement("w:altName", {qn("w:val"): ",".join(face.alternatives)}))
        if panose:
            entry.append(OxmlElement("w:panose1", {qn("w:val"): panose}))
        entry.append(OxmlElement("w:charset", {qn("w:val"): "86"}))  # GB2312
        family = "modern" if face is HEADING else ("roman" if "Serif" in face.east_asian else "swiss")
        entry.append(OxmlElement("w:family", {qn("w:val"): family}))
        entry.append(OxmlElement("w:pitch", {qn("w:val"): "variable"}))
        table.append(entry)
    part._blob = serialize_part_xml(table)  # a plain Part's bytes live in _blob


def _chinese_settings(document: Document) -> None:
    """Raw XML: the theme's East Asian fonts resolve to Simplified Chinese ones."""
    settings = document.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    theme_lang.set(qn("w:eastAsia"), "zh-CN")


def track_revisions(document: Document) -> None:
    """Raw XML: ``w:trackRevisions``, so that edits to a redline are tracked too."""
    settings = document.settings.element
    settings.insert_element_before(OxmlElement("w:trackRevisions"), *_AFTER_TRACK_REVISIONS)


_AFTER_TRACK_REVISIONS = ("w:doNotTrackMoves", "w:doNotTrackFormatting", "w:documentProtection",
                          "w:autoFormatOverride", "w:styleLockTheme", "w:styleLockQFSet",
                          "w:defaultTabStop")


def add_styled_paragraph(document: Document, role: Role):
    """An empty paragraph formatted for ``role``: its style, centring, a new page for appendices."""
    paragraph = document.add_paragraph()
    paragraph._p.style = ROLE_STYLES[role]  # by id: python-docx resolves a name by scanning every style
    if role in CENTRED:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if role in NEW_PAGE:
        paragraph.paragraph_format.page_break_before = True
    return paragraph
