"""`agreements docx VERSION`: the whole version as Word sees it, read back by LibreOffice and by
a reader of the raw XML that shares no code with the writer."""

from __future__ import annotations

import re
import subprocess
import zipfile
from collections import Counter

import pytest
import yaml

import docx_reader as dr
from word_helpers import NEW, OLD, agreements_text, cli
from helpers import ROOT, fold, reference_bold_passages, reference_paragraphs
from libreoffice import html_bold_spans, odt_bookmarks, odt_headings, odt_links, text_lines


@pytest.fixture(scope="module")
def old_docx(word_files):
    return word_files.versions[OLD]


@pytest.fixture(scope="module")
def version(old_docx):
    from generator.content.project import load_project

    return load_project(ROOT).version(OLD)


# --------------------------------------------------------------------------- text


def test_libreoffice_reads_every_reference_paragraph_in_order(old_docx, libreoffice):
    lines = [fold(line) for line in text_lines(libreoffice("txt")[old_docx])]
    position = 0
    for paragraph in reference_paragraphs():
        position = lines.index(paragraph, position) + 1  # ValueError: missing or out of order
    assert lines == reference_paragraphs()  # and nothing besides


@pytest.mark.parametrize("which", [OLD, NEW])
def test_paragraphs_are_those_of_agreements_text(word_files, which):
    assert dr.texts(word_files.versions[which]) == agreements_text(ROOT, which)


def test_placeholders_are_shown_as_their_labels_and_highlighted(old_docx, version):
    runs = [run for p in dr.paragraphs(old_docx) for run in p.runs]
    highlighted = [run.text for run in runs if run.highlight]
    labels = [version.placeholder(run.value).unfilled for c in version.consent.clauses
              for runs_ in c.paragraphs for run in runs_ if run.kind == "fill"]
    assert highlighted == labels and len(labels) == 4
    assert all(label.startswith("【请填写") for label in labels)


# --------------------------------------------------------------------------- bold


def test_bold_is_exactly_where_the_reference_is_bold(old_docx):
    spans = Counter(fold(span) for p in dr.paragraphs(old_docx) for span in p.bold_spans())
    assert spans == Counter(reference_bold_passages())


def test_libreoffice_sets_every_bold_passage_in_bold(old_docx, libreoffice):
    spans = Counter(fold(span) for span in html_bold_spans(libreoffice("html")[old_docx]))
    assert spans == Counter(reference_bold_passages())


def test_body_text_is_not_bold_by_style(old_docx):
    styles = dr.part(old_docx, "word/styles.xml")
    normal = next(s for s in styles.iter(dr.W + "style") if s.get(dr.W + "styleId") == "Normal")
    assert normal.find(f"{dr.W}rPr/{dr.W}b") is None


# --------------------------------------------------------------------------- structure


def test_headings_make_the_outline(old_docx, version, libreoffice):
    sections = [s.title for s in version.agreement.sections]
    titled = [f"{c.prefix}{''.join(r.value for r in c.title)}" for c in version.all_clauses() if c.title]
    headings = odt_headings(libreoffice("odt")[old_docx])
    assert headings[0] == (1, version.agreement.title)
    assert [text for level, text in headings if level == 2] == [*sections, "附录一", "附录二"]
    assert [text for level, text in headings if level == 3] == [
        *titled, version.consent.title, version.prohibited.title]


def test_every_clause_is_a_bookmark_and_every_reference_links_to_it(old_docx, version, libreoffice):
    from generator.content.text import clause_paragraphs, paragraph_text

    paragraphs = dr.paragraphs(old_docx)
    bookmarked = {name: p.text for p in paragraphs for name in p.bookmarks}
    clauses = list(version.all_clauses())
    heads = Counter(paragraph_text(next(clause_paragraphs(c)), version) for c in clauses)
    assert not heads - Counter(bookmarked.values())  # each clause's first paragraph carries one
    assert len(bookmarked) == len(clauses) + len(version.agreement.sections) + 2  # + 附录一, 附录二
    assert all(len(n) <= 40 and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", n) for n in bookmarked)
    assert bookmarked["obligations_sms_bombing"].startswith("4.2.5 ")  # named after the clause id
    links = [(run.link, run.text) for p in paragraphs for run in p.runs if run.link]
    references = [r for c in clauses for runs in (c.title or (), *c.paragraphs) for r in runs if r.kind == "ref"]
    assert len(links) == len(references) >= 2
    for anchor, number in links:  # a reference shows the number its target starts with
        assert re.match(re.escape(number) + r"[.、 ]", bookmarked[anchor]), (anchor, number)
    # LibreOffice follows them: every link targets a bookmark it knows
    odt = libreoffice("odt")[old_docx]
    internal = [(href, text) for href, text in odt_links(odt) if href.startswith("#")]
    assert sorted(internal) == sorted((f"#{a}", t) for a, t in links)
    assert {href[1:] for href, _ in internal} <= odt_bookmarks(odt)


# --------------------------------------------------------------------------- typography

# The body face is the PDF's, read from where the PDF reads it (site_config.yml pdf.font_family).
BODY_FACE = yaml.safe_load((ROOT / "site_config.yml").read_text(encoding="utf-8"))["pdf"]["font_family"]


def test_every_run_names_an_east_asian_font(word_files):
    for path in word_files.every_docx():
        with zipfile.ZipFile(path) as package:
            names = [n for n in package.namelist() if re.fullmatch(r"word/(document|footer\d*)\.xml", n)]
        for name in names:
            runs = dr.all_runs(dr.part(path, name))
            assert runs, (path, name)
            for r in runs:
                fonts = r.find(f"{dr.W}rPr/{dr.W}rFonts")
                assert fonts is not None and fonts.get(dr.W + "eastAsia") in (BODY_FACE, "黑体"), (path.name, name)
                assert fonts.get(dr.W + "hint") == "eastAsia"


def test_fonts_language_and_page(old_docx):
    fonts = {f.get(dr.W + "name"): f for f in dr.part(old_docx, "word/fontTable.xml")}
    assert fonts[BODY_FACE].find(dr.W + "altName") is not None
    assert fonts["黑体"].find(dr.W + "altName").get(dr.W + "val") == "SimHei,Noto Sans CJK SC"
    assert not any("ＭＳ" in name for name in fonts)  # the template's Japanese faces are gone
    styles = dr.part(old_docx, "word/styles.xml")
    defaults = styles.find(f"{dr.W}docDefaults/{dr.W}rPrDefault/{dr.W}rPr")
    assert defaults.find(dr.W + "lang").get(dr.W + "eastAsia") == "zh-CN"
    assert defaults.find(dr.W + "rFonts").get(dr.W + "eastAsia") == BODY_FACE
    for style in styles.iter(dr.W + "style"):
        if style.get(dr.W + "styleId") in ("Normal", "Heading1", "Heading2", "Heading3", "Title"):
            fonts = style.find(f"{dr.W}rPr/{dr.W}rFonts")
            assert fonts is not None and not any(key.endswith("Theme") for key in fonts.attrib)
    settings = dr.part(old_docx, "word/settings.xml")
    assert settings.find(dr.W + "themeFontLang").get(dr.W + "eastAsia") == "zh-CN"
    size = dr.part(old_docx, "word/document.xml").find(f"{dr.W}body/{dr.W}sectPr/{dr.W}pgSz")
    assert (size.get(dr.W + "w"), size.get(dr.W + "h")) == ("11906", "16838")  # A4 in twips


def test_libreoffice_prints_it_with_cjk_fonts_and_page_numbers(old_docx, libreoffice):
    pdf = libreoffice("pdf")[old_docx]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert "595.3" in info and "841.89" in info  # A4
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # every font embedded
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    footers = [re.sub(r"\s+", "", f) for f in re.findall(r"第\s*\d+\s*页\s*共\s*\d+\s*页", text)]
    assert footers == [f"第{n}页共{pages}页" for n in range(1, pages + 1)]
    assert text.count(f"数据技术服务使用协议 · 版本 {OLD}") == pages


def test_footer_counts_pages_with_fields(old_docx):
    footer = dr.part(old_docx, "word/footer1.xml")
    instructions = [t.text.strip() for t in footer.iter(dr.W + "instrText")]
    assert instructions == ["PAGE", "NUMPAGES"]
    text = "".join("\t" if e.tag == dr.W + "tab" else e.text or "" for r in footer.iter(dr.W + "r")
                   for e in r if e.tag in (dr.W + "t", dr.W + "tab"))
    assert text == f"数据技术服务使用协议 · 版本 {OLD}\t第 1 页 共 1 页"  # field results until Word updates them


def test_a_draft_says_so_in_its_footer(word_files):
    footer = dr.part(word_files.versions[NEW], "word/footer1.xml")
    assert "（草案，尚未生效）" in "".join(t.text or "" for t in footer.iter(dr.W + "t"))


# --------------------------------------------------------------------------- reproducible


def test_same_inputs_give_the_same_bytes(old_docx, tmp_path):
    cli("--root", str(ROOT), "docx", OLD, "--out", str(tmp_path))
    assert (tmp_path / f"{OLD}.docx").read_bytes() == old_docx.read_bytes()


def test_zip_and_properties_are_fixed(old_docx):
    with zipfile.ZipFile(old_docx) as package:
        infos = package.infolist()
        core = package.read("docProps/core.xml").decode()
        app = package.read("docProps/app.xml").decode()
    assert infos[0].filename == "[Content_Types].xml"
    assert {info.date_time for info in infos} == {(2021, 12, 20, 0, 0, 0)}
    assert not any("thumbnail" in info.filename for info in infos)
    assert "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2021-12-20T00:00:00Z</dcterms:created>" in core
    assert "<dcterms:modified xsi:type=\"dcterms:W3CDTF\">2021-12-20T00:00:00Z</dcterms:modified>" in core
    assert "<dc:creator>北京静觅网络科技有限公司</dc:creator>" in core and "python-docx" not in core
    assert "Macintosh" not in app


def test_unknown_version_is_one_clean_error(tmp_path, capsys):
    from generator.cli import main

    assert main(["--root", str(ROOT), "docx", "1999-01-01", "--out", str(tmp_path)]) == 1
    assert "unknown version `1999-01-01`" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


# These tests assert messages in English, the msgids (tests/test_i18n.py checks the Chinese).
pytestmark = pytest.mark.usefixtures("english_messages")
