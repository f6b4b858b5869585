"""The fast contract path (shared pages made once, customer pages per contract).

Compared with a full one-pass render (``render_pdf_full``): same text on every
page, same outline and links, fields in the same place, reproducible bytes,
small fonts, and readable by poppler and MuPDF without complaints.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from generator.content.project import load_project
from generator.contracts.customers import load_customer
from generator.contracts.engine import assemble, shared_objects
from generator.contracts import contract
from generator.contracts.verify import page_texts, verify_contract

from helpers import ROOT  # noqa: E402
EXAMPLES = sorted((ROOT / "customers" / "examples").glob("*.yml"))
FONT_PROGRAM_LIMIT = 300_000   # bytes, compressed, per embedded font program


@pytest.fixture(scope="module")
def project():
    return load_project(ROOT)


@pytest.fixture(scope="module")
def customers(project):
    return [load_customer(path, project) for path in EXAMPLES]


@pytest.fixture(scope="module")
def rendered(project, customers):
    """(fast, full) PDF bytes per example customer."""
    out = {}
    for customer in customers:
        fast = contract.render_pdf(ROOT, project.config, customer.version, customer)
        full = contract.render_pdf_full(ROOT, project.config, customer.version, customer)
        out[customer.id] = (fast, full)
    return out


def _texts(data: bytes) -> list[str]:
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", "-", "-"],
                            input=data, capture_output=True, check=True)
    return result.stdout.decode().split("\f")[:-1]


def test_examples_take_the_fast_path(project, customers):
    customer = customers[0]
    html = contract.contract_html(ROOT, project.config, customer.version, customer)
    generic = contract.contract_html(ROOT, project.config, customer.version, None)
    split = assemble.split_body(html)
    assert split is not None
    assert assemble._runs(split, assemble.split_body(generic)), "no shared pages found"


def test_split_body_round_trips():
    html = ('<html><head></head><body>\n<section a="1"><p>x<br>y</p><section>n</section></section>\n'
            '<p class="e">end</p>\n</body></html>')
    split = assemble.split_body(html)
    assert split.segments == ('<section a="1"><p>x<br>y</p><section>n</section></section>',
                              '<p class="e">end</p>')
    assert assemble.split_body("<html><body>text<p>x</p></body></html>") is None


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
        assert programs
        for stream in programs.values():
            assert stream["/Subtype"] == "/CIDFontType0C"
            assert len(stream._data) < FONT_PROGRAM_LIMIT


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


def test_pixels_identical_to_a_full_render(rendered, tmp_path):
    fast, full = next(iter(rendered.values()))
    for name, data in (("fast", fast), ("full", full)):
        (tmp_path / f"{name}.pdf").write_bytes(data)
        subprocess.run(["pdftoppm", "-r", "50", "-gray", str(tmp_path / f"{name}.pdf"),
                        str(tmp_path / name)], check=True)
    fast_pages = sorted(tmp_path.glob("fast-*.pgm"))
    assert fast_pages
    for page in fast_pages:
        assert page.read_bytes() == (tmp_path / page.name.replace("fast", "full")).read_bytes(), page.name


def test_verify_passes_on_a_fast_path_contract(project, customers, rendered, tmp_path):
    customer = customers[0]
    path = tmp_path / customer.output_name
    path.write_bytes(rendered[customer.id][0])
    verdict = verify_contract(path, project)
    assert verdict.genuine, verdict.problems


def _programs_per_face(data: bytes) -> dict[str, list[int]]:
    """Embedded font programs (FontFile3 object numbers) per face, subset tag left off."""
    reader = PdfReader(io.BytesIO(data))
    faces: dict[str, set[int]] = {}
    for number in range(1, len(reader.xref_objStm) + 10_000):
        try:
            obj = reader.get_object(number)
        except Exception:
            continue
        if obj is None:
            break
        if hasattr(obj, "get") and obj.get("/Type") == "/FontDescriptor" and "/FontFile3" in obj:
            name = re.sub(r"^[A-Z]{6}\+", "", str(obj["/FontName"])[1:])
            faces.setdefault(name, set()).add(obj.raw_get("/FontFile3").idnum)
    return {name: sorted(numbers) for name, numbers in faces.items()}


def test_each_face_embedded_once(rendered):
    for fast, _ in rendered.values():
        faces = _programs_per_face(fast)
        assert set(faces) == {"Noto-Sans-CJK-SC", "Noto-Sans-CJK-SC-Bold"}
        assert all(len(programs) == 1 for programs in faces.values()), faces


@pytest.fixture(scope="module")
def two_copies(project, customers, rendered):
    """The first example with the shared pages keeping fonts of their own (as before)."""
    customer = customers[0]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shared_objects._SharedFace, "merge_into", lambda *args: False)
        return contract.render_pdf(ROOT, project.config, customer.version, customer)


def test_one_program_per_face_saves_space(customers, rendered, two_copies):
    fast = rendered[customers[0].id][0]
    assert all(len(p) == 2 for p in _programs_per_face(two_copies).values())
    # Measured: 383,376 → 319,556 bytes (−63.8 KB, −17 %) for the first example.
    assert len(two_copies) - len(fast) > 45_000, (len(two_copies), len(fast))


def _cff(data: bytes):
    from fontTools.cffLib import CFFFontSet
    fonts = CFFFontSet()
    fonts.decompile(io.BytesIO(data), None)
    return fonts.topDictIndex[0]


def _glyphs(top) -> dict[str, tuple]:
    """Glyph name → (charstring program, name of its FD)."""
    out = {}
    for name in top.charset:
        item, fd = top.CharStrings.getItemAndSelector(name)
        item.decompile()
        out[name] = (tuple(item.program), top.FDArray[fd].FontName)
    return out


def test_merged_font_program_holds_both_subsets(two_copies):
    """CffUnion of the shared and the customer subset of a face: every glyph of both,
    same outline, same FD; the shared glyphs first, in their order."""
    import zlib
    from generator.contracts.engine.cff import CffUnion

    programs = _programs_per_face(two_copies)
    reader = PdfReader(io.BytesIO(two_copies))
    for face, numbers in programs.items():
        # The customer's subset is written first, the shared pages' one (the base) after it.
        second, first = (reader.get_object(n).get_data() for n in numbers)
        merged = _cff(zlib.decompress(CffUnion(first).merge(second)))
        glyphs_first, glyphs_second = _glyphs(_cff(first)), _glyphs(_cff(second))
        assert set(glyphs_second) - set(glyphs_first), f"{face}: nothing to merge"
        glyphs_merged = _glyphs(merged)
        assert list(glyphs_merged)[:len(glyphs_first)] == list(glyphs_first)
        assert glyphs_merged == {**glyphs_second, **glyphs_first}
