"""The fast contract path (shared pages made once, customer pages per contract).

Every test here first checks that the fast path really made the contract
(``full_render_reason`` is None, and qpdf finds the shared pages drawn as
forms), then compares it with a full one-pass render (``render_pdf_full``):
same text on every page, same outline and links, fields in the same place,
same pixels, reproducible bytes, fonts holding exactly the glyphs drawn.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from generator.content.citation import chinese_date
from generator.content.project import load_project
from generator.contracts import contract
from generator.contracts.customers import load_customer
from generator.contracts.engine import assemble, compact
from generator.contracts.engine.glyph_usage import glyph_usage
from generator.contracts.verify import page_texts, verify_contract
from generator.errors import AgreementsError

from contract_helpers import customer_yaml, forms_per_page, own_pages, pdftotext_pages, shared_pages_drawn
from helpers import ROOT, copy_site_project

EXAMPLES = sorted((ROOT / "customers" / "examples").glob("*.yml"))
FONT_PROGRAM_LIMIT = 200_000   # bytes, compressed, per embedded font program
# The body face is Noto Serif CJK SC: its outlines make the glyph floor ~250 KiB (sans: ~205).
CONTRACT_SIZE_LIMIT = 280 * 1024


@pytest.fixture(scope="module")
def project():
    return load_project(ROOT)


@pytest.fixture(scope="module")
def customers(project):
    return [load_customer(path, project) for path in EXAMPLES]


@pytest.fixture(scope="module")
def rendered(project, customers):
    """(fast, full) PDF bytes per example customer; the fast one made by the fast path."""
    out = {}
    for customer in customers:
        fast = contract.render_contract(ROOT, project.config, customer.version, customer)
        assert fast.full_render_reason is None
        full = contract.render_pdf_full(ROOT, project.config, customer.version, customer)
        out[customer.id] = (fast.pdf, full)
    return out


def _texts(data: bytes) -> list[str]:
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", "-", "-"],
                            input=data, capture_output=True, check=True)
    return result.stdout.decode().split("\f")[:-1]


def test_the_fast_path_made_every_example(rendered):
    """The pages every customer shares are drawn as forms, and only they; a full render has none."""
    for fast, full in rendered.values():
        pages = pdftotext_pages(full)
        shared = [index for index in range(len(pages)) if index not in own_pages(pages)]
        assert len(shared) >= 5
        assert shared_pages_drawn(fast) == shared
        assert forms_per_page(fast) == [2 if index in shared else 1 for index in range(len(pages))]
        assert forms_per_page(full) == [0] * len(pages)


def test_template_marks_the_parts_every_customer_shares(project, customers):
    splits = [assemble.split_body(contract.contract_html(ROOT, project.config, c.version, c))
              for c in customers]
    shared = [[part.html for part in split.parts if part.shared] for split in splits]
    # Customers for whom 附录一 applies share the same parts; so do those for whom it does not.
    for applies in (True, False):
        group = [parts for parts, c in zip(shared, customers) if c.consent_applies == applies]
        assert group and group[0] and all(parts == group[0] for parts in group)
    for customer, parts in zip(customers, shared):
        assert not any(customer.data.company in part for part in parts)
    for split, customer in zip(splits, customers):
        classes = [(re.search(r'class="([^"]+)"', part.html).group(1), part.shared)
                   for part in split.parts]
        applies = customer.consent_applies
        assert classes == [("cover", False), ("agreement", True), ("appendix", not applies),
                           ("appendix", True), ("end-of-text", True), ("signatures", False)]
        assert split.runs() == ([(1, 2), (3, 5)] if applies else [(1, 5)])


def test_split_body_keeps_the_source_of_each_top_level_part():
    html = ('<html><head><title>t</title></head><body>\n<section a="1"><p>x<br>y</p>'
            '<section>n</section></section>\n<!-- a note -->\n'
            '<p class="e" data-shared>end &amp; <b>b</b></p><hr data-shared>\n</body></html>')
    split = assemble.split_body(html)
    assert [(part.html, part.shared) for part in split.parts] == [
        ('<section a="1"><p>x<br>y</p><section>n</section></section>', False),
        ('<p class="e" data-shared>end &amp; <b>b</b></p>', True),
        ("<hr data-shared>", True)]
    assert split.head.endswith("<body>") and split.tail == "</body></html>"
    assert split.runs() == [(1, 3)]


def test_page_numbers_in_the_documents_own_styles_are_found_too(project):
    """A <style> in the template (say, a draft's running header) is read like contract.css."""
    html = ('<html><head><style>@page { @top-right { content: "第 " counter(page) " 页" } }'
            '</style></head><body><p data-shared>x</p></body></html>')
    split = assemble.split_body(html)
    assert "@top-right" in split.styles
    layout = contract.contract_layout(ROOT, project.config)
    assert layout.page_number_boxes() == {"bottom-right"}
    assert layout.page_number_boxes(split.styles) == {"bottom-right", "top-right"}


@pytest.mark.parametrize("body, reason", [
    ("text<p>x</p>", "text outside any element"),
    ("<section><p data-shared>x</p></section>", "not a top-level part"),
    ("<p>x</p></div>", "stray </div>"),
])
def test_split_body_refuses_what_it_cannot_cut(body, reason):
    with pytest.raises(assemble.FastPathUnavailable, match=reason):
        assemble.split_body(f"<html><head></head><body>{body}</body></html>")


def test_same_text_on_every_page_as_a_full_render(rendered):
    for fast, full in rendered.values():
        assert page_texts(fast) == page_texts(full)
        assert _texts(fast) == _texts(full)   # with layout: same lines, same positions


def test_footers_on_every_page(rendered, customers):
    for customer in customers:
        pages = _texts(rendered[customer.id][0])
        total = len(pages)
        for number, page in enumerate(pages, start=1):
            lines = [line for line in page.splitlines() if line.strip()]
            assert f"合同编号：{customer.contract_number}" in lines[-1], (number, lines[-1])
            assert re.search(rf"第\s*{number}\s*页\s*共\s*{total}\s*页\s*$", lines[-1]), (number, lines[-1])


def _field_places(data: bytes) -> dict[str, tuple[int, tuple[float, ...]]]:
    reader = PdfReader(io.BytesIO(data))
    places = {}
    for index, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/FT") == "/Sig":
                places[str(annot["/T"])] = (index, tuple(round(float(v), 2) for v in annot["/Rect"]))
    return places


def test_signature_fields_where_the_full_render_puts_them(rendered):
    for fast, full in rendered.values():
        places = _field_places(fast)
        assert set(places) == {"PartyA", "PartyB"}
        assert places == _field_places(full)
        assert places["PartyA"][0] == len(PdfReader(io.BytesIO(fast)).pages) - 1


def test_outline_links_and_destinations_as_in_a_full_render(rendered):
    def structure(data: bytes):
        reader = PdfReader(io.BytesIO(data))

        def walk(items):
            return [walk(i) if isinstance(i, list) else (i.title, reader.get_destination_page_number(i))
                    for i in items]
        links = []
        for index, page in enumerate(reader.pages):
            for annot in page.get("/Annots") or []:
                annot = annot.get_object()
                if annot.get("/Subtype") == "/Link":
                    links.append((index, str(annot.get("/Dest")),
                                  tuple(round(float(v), 1) for v in annot["/Rect"])))
        dests = {name: reader.get_destination_page_number(d)
                 for name, d in reader.named_destinations.items()}
        return walk(reader.outline), links, dests

    for fast, full in rendered.values():
        assert structure(fast) == structure(full)


def test_provenance_metadata_as_in_a_full_render(rendered):
    for fast, full in rendered.values():
        assert PdfReader(io.BytesIO(fast)).metadata == PdfReader(io.BytesIO(full)).metadata


def test_byte_identical_across_runs_and_cache_states(project, customers, rendered):
    customer = customers[-1]
    again = contract.render_pdf(ROOT, project.config, customer.version, customer)
    assert again == rendered[customer.id][0]
    assemble.clear_cache()
    cold = contract.render_pdf(ROOT, project.config, customer.version, customer)
    assert cold == rendered[customer.id][0]


def test_fonts_embedded_compact_and_small(rendered):
    for fast, _ in rendered.values():
        reader = PdfReader(io.BytesIO(fast))
        programs = {}
        for page in reader.pages:
            resources = [page["/Resources"]]
            xobjects = page["/Resources"].get("/XObject") or {}
            resources += [x.get_object()["/Resources"] for x in xobjects.values()]
            for res in resources:
                for font in (res.get("/Font") or {}).values():
                    descendant = font.get_object()["/DescendantFonts"][0].get_object()
                    descriptor = descendant["/FontDescriptor"].get_object()
                    stream = descriptor.raw_get("/FontFile3")
                    programs[stream.idnum] = stream.get_object()
        # Regular and bold: each the shared pages' program, and the contract's own for the
        # glyphs only its pages draw (shared_fonts.py).
        assert 2 <= len(programs) <= 4
        for stream in programs.values():
            assert stream["/Subtype"] == "/CIDFontType0C"
            assert len(stream.get_data()) < FONT_PROGRAM_LIMIT


def test_each_face_embedded_once_holding_exactly_the_glyphs_drawn(project, rendered):
    """qpdf reads the codes every page and form draws, fontTools the glyphs each program holds."""
    working = "Agreements-" + project.config.pdf.font_family.replace(" ", "-")
    for fast, full in rendered.values():
        for data in (fast, full):
            faces = glyph_usage(data)
            assert set(faces) == {working, working + "-Bold"}
            for face, usage in faces.items():
                assert usage.programs <= (2 if data is fast else 1), face
                assert usage.duplicated <= {0}, face   # every program has a .notdef
                assert len(usage.drawn) > 300, face
                assert usage.embedded == usage.drawn | {0}, face   # plus .notdef


class _FailingSubsetter:
    """uharfbuzz whose hb-subset fails (returns None), as the binding does when HarfBuzz cannot."""

    real = compact.hb

    def __getattr__(self, name):
        return getattr(self.real, name)

    @staticmethod
    def subset(face, subset_input):
        return None


@pytest.mark.expect_engine_warnings
def test_a_face_harfbuzz_cannot_subset_is_said_and_still_embedded(project, customers, rendered,
                                                                  monkeypatch, caplog):
    """hb-subset failing (simulated at the library binding) leaves a larger font, and a warning;
    the fast path cannot merge the forms' glyphs then, says so, and the contract is rendered in full."""
    monkeypatch.setattr(compact, "hb", _FailingSubsetter())
    monkeypatch.delenv("AGREEMENTS_FAST_PATH")
    customer = customers[0]
    with caplog.at_level(logging.WARNING, logger="generator.contracts"):
        data = contract.render_pdf(project.root, project.config, customer.version, customer)
    assert any("could not subset" in r.getMessage() for r in caplog.records)
    assert any("rendered in full" in r.getMessage() for r in caplog.records)
    fast, _ = rendered[customer.id]
    assert _texts(data) == _texts(fast)   # every character still maps to its glyph
    assert len(data) > len(fast)          # WeasyPrint's own subset keeps more glyphs


@pytest.mark.expect_engine_warnings
def test_shared_pages_made_while_harfbuzz_fails_are_not_kept(project, customers, rendered, monkeypatch):
    """Regression: shared pages whose font could not be cut were cached, and every later
    contract of the process carried WeasyPrint's larger font (and failed verify's rebuild)."""
    customer = customers[0]
    real = compact.hb
    assemble.clear_cache()
    monkeypatch.setattr(compact, "hb", _FailingSubsetter())
    monkeypatch.delenv("AGREEMENTS_FAST_PATH")
    contract.render_pdf(ROOT, project.config, customer.version, customer)   # in full, with a warning
    monkeypatch.undo()
    assert compact.hb is real
    assert contract.render_pdf(ROOT, project.config, customer.version, customer) == rendered[customer.id][0]


def test_contracts_are_small(rendered):
    for fast, _ in rendered.values():
        assert len(fast) <= CONTRACT_SIZE_LIMIT, len(fast)


@pytest.mark.parametrize("tool", ["pdftoppm", "mutool"])
def test_renders_without_complaints(rendered, tmp_path, tool):
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} not installed")
    fast = next(iter(rendered.values()))[0]
    source = tmp_path / "c.pdf"
    source.write_bytes(fast)
    if tool == "pdftoppm":
        command = ["pdftoppm", "-r", "40", "-png", str(source), str(tmp_path / "p")]
    else:
        command = ["mutool", "draw", "-q", "-r", "40", "-o", str(tmp_path / "m-%d.png"), str(source)]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0
    # mutool built without lcms says so once; that is about the build, not the PDF.
    stderr = [l for l in result.stderr.splitlines() if "ICC support is not available" not in l]
    assert stderr == []


def _pixels(tool: str, data: bytes, folder) -> list[bytes]:
    folder.mkdir()
    source = folder / "c.pdf"
    source.write_bytes(data)
    if tool == "pdftoppm":
        subprocess.run(["pdftoppm", "-r", "50", "-gray", str(source), str(folder / "p")], check=True)
        pages = sorted(folder.glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[1]))
    else:
        subprocess.run(["mutool", "draw", "-q", "-r", "50", "-c", "gray", "-o",
                        str(folder / "m-%d.pgm"), str(source)], check=True, capture_output=True)
        pages = sorted(folder.glob("m-*.pgm"), key=lambda p: int(p.stem.split("-")[1]))
    return [page.read_bytes() for page in pages]


@pytest.mark.parametrize("tool", ["pdftoppm", "mutool"])
def test_pixels_identical_to_a_full_render(rendered, tmp_path, tool):
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} not installed")
    for number, (fast, full) in enumerate(rendered.values()):
        fast_pages = _pixels(tool, fast, tmp_path / f"fast-{number}")
        full_pages = _pixels(tool, full, tmp_path / f"full-{number}")
        assert len(fast_pages) == len(full_pages) > 5
        for index, (a, b) in enumerate(zip(fast_pages, full_pages)):
            assert a == b, f"{tool}: page {index + 1} of example {number + 1} differs"


def test_a_draft_contract_matches_a_full_render(project, tmp_path):
    """A draft's running header (草案) is on every page, shared ones included, as in a full render."""
    draft = project.versions[-1]
    assert draft.is_draft
    path = tmp_path / "draft.yml"
    path.write_text(customer_yaml(id="draft", version=draft.date), encoding="utf-8")
    customer = load_customer(path, project, allow_draft=True)
    fast = contract.render_contract(ROOT, project.config, draft, customer)
    assert fast.full_render_reason is None
    full = contract.render_pdf_full(ROOT, project.config, draft, customer)
    assert _texts(fast.pdf) == _texts(full)
    assert all(f"草案 · 尚未生效 · {chinese_date(draft.date)}版" in page for page in _texts(fast.pdf))
    assert len(shared_pages_drawn(fast.pdf)) >= 5


def test_verify_passes_on_a_fast_path_contract(project, customers, rendered, tmp_path):
    customer = customers[0]
    path = tmp_path / customer.output_name
    path.write_bytes(rendered[customer.id][0])
    verdict = verify_contract(path, project)
    assert verdict.genuine, verdict.problems


# --------------------------------------------------------------------------
# When the fast path gives up


def _project_with(tmp_path, *, template=None, css=None):
    """A copy of the project with the contract template or stylesheet edited."""
    root = copy_site_project(tmp_path / "project")
    for name, edit in (("contract.html.j2", template), ("contract.css", css)):
        if edit:
            path = root / "templates" / "pdf" / name
            path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return load_project(root)


def _unmarked(template: str) -> str:
    assert "data-shared" in template
    return template.replace(" data-shared", "").replace("data-shared", "")


def test_giving_up_is_an_error_in_strict_mode(tmp_path):
    project = _project_with(tmp_path, template=_unmarked)
    customer = load_customer(EXAMPLES[0], project)
    with pytest.raises(AgreementsError, match="marks no part of the body data-shared"):
        contract.render_pdf(project.root, project.config, customer.version, customer)


@pytest.mark.expect_engine_warnings
def test_without_strict_mode_a_contract_is_rendered_in_full_with_a_warning(
        tmp_path, monkeypatch, caplog):
    monkeypatch.delenv(contract.FAST_PATH_VARIABLE)
    project = _project_with(tmp_path, template=_unmarked)
    customer = load_customer(EXAMPLES[0], project)
    result = contract.render_contract(project.root, project.config, customer.version, customer)
    assert "marks no part" in result.full_render_reason
    assert result.pdf == contract.render_pdf_full(project.root, project.config, customer.version, customer)
    assert forms_per_page(result.pdf) == [0] * len(pdftotext_pages(result.pdf))
    with caplog.at_level(logging.WARNING, logger="generator.contracts"):
        assert contract.render_pdf(project.root, project.config, customer.version, customer) == result.pdf
    assert [r.getMessage() for r in caplog.records if "rendered in full" in r.getMessage()] != []


@pytest.mark.expect_engine_warnings
def test_a_batch_warns_once_and_counts_contracts_rendered_in_full(tmp_path, monkeypatch, caplog):
    from generator.cli import main

    monkeypatch.delenv(contract.FAST_PATH_VARIABLE)
    project = _project_with(tmp_path, template=_unmarked)
    files = []
    for number in (1, 2, 3):
        path = tmp_path / f"c{number}.yml"
        path.write_text(customer_yaml(id=f"c{number}", contract_number=f"ZSY-2026-000{number}"),
                        encoding="utf-8")
        files.append(str(path))
    out = tmp_path / "out"
    with caplog.at_level(logging.WARNING, logger="generator.contracts"):
        code = main(["--root", str(project.root), "contract", *files, "--out", str(out), "-j", "2"])
    assert code == 0
    warnings = [r.getMessage() for r in caplog.records if "rendered in full" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].startswith("3 contract(s)"), warnings
    assert "marks no part" in warnings[0]
    assert sorted(p.name for p in out.glob("*.pdf")) == [f"c{n}_2021-12-20.pdf" for n in (1, 2, 3)]


@pytest.mark.expect_engine_warnings
def test_the_summary_line_counts_contracts_rendered_in_full(tmp_path, monkeypatch, capsys):
    from generator.cli import main

    monkeypatch.delenv(contract.FAST_PATH_VARIABLE)
    project = _project_with(tmp_path, template=_unmarked)
    capsys.readouterr()
    assert main(["--root", str(project.root), "contract", str(EXAMPLES[0]),
                 "--out", str(tmp_path / "out")]) == 0
    assert "1 rendered in full" in capsys.readouterr().out


# These tests assert messages in English, the msgids (tests/test_i18n.py checks the Chinese).
pytestmark = pytest.mark.usefixtures("english_messages")
def test_a_character_beyond_the_working_faces_prints_from_the_system_face(project, tmp_path):
    """喆 and 堃 are not in GB 2312, so not in the working faces: Pango takes them from the system
    family, whose font is compacted on its own; the text and the glyphs are still all there."""
    path = tmp_path / "rare.yml"
    path.write_text(customer_yaml(id="rare", representative="王喆堃"), encoding="utf-8")
    customer = load_customer(path, project)
    fast = contract.render_contract(ROOT, project.config, customer.version, customer)
    assert fast.full_render_reason is None
    assert "王喆堃" in "".join(_texts(fast.pdf)[0].split())
    faces = glyph_usage(fast.pdf)
    system = project.config.pdf.font_family.replace(" ", "-")
    assert system in faces and len(faces[system].drawn) == 2
    for face, usage in faces.items():
        assert usage.embedded == usage.drawn | {0}, face
