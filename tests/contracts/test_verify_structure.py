"""One strict view of the file: structures PDF readers resolve differently are refused (exit 1).

Each malformed file is a real signed contract with a hand-written incremental
update (tamper.raw_update). Where readers disagree, poppler's pdftoppm and
MuPDF's mutool render what they read, next to what pyHanko (the library behind
verify's signature checks) reads; verify must refuse, naming the object and
the revision, and never print a traceback.
"""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

import tamper


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")  # the tests read the messages


@pytest.fixture(scope="module")
def signed(signed_run) -> bytes:
    return signed_run[0].read_bytes()


@pytest.fixture(scope="module")
def last_stream(signed) -> int:
    """Page 1's last content stream: a white page there covers everything drawn before it."""
    return tamper.content_stream(signed, 0, -1)


def _refused(verify, tmp_path, data: bytes, *options: str) -> str:
    path = tmp_path / "malformed.pdf"
    path.write_bytes(data)
    code, out, err = verify(path, *options)
    assert code == 1, out + err
    assert "[fail] structure: " in out and "NOT genuine" in err
    return out[out.index("[fail] structure: "):].splitlines()[0]


def _dark_pixels(data: bytes, tmp_path, tool: str) -> int:
    """Page 1 rendered in grey at 20 dpi by poppler or MuPDF: how many pixels are dark."""
    path = tmp_path / f"render-{tool}.pdf"
    path.write_bytes(data)
    image = tmp_path / "page.pgm"
    if tool == "poppler":
        command = ["pdftoppm", "-r", "20", "-f", "1", "-l", "1", "-gray", str(path)]
        pgm = subprocess.run(command, capture_output=True, timeout=60, check=True).stdout
    else:
        command = ["mutool", "draw", "-q", "-r", "20", "-c", "gray", "-o", str(image), str(path), "1"]
        subprocess.run(command, capture_output=True, timeout=60, check=True)
        pgm = image.read_bytes()
    pixels = pgm.split(b"255\n", 1)[1]
    return sum(1 for value in pixels if value < 128)


def test_object_listed_twice_renders_white_but_pyhanko_reads_the_original(
        verify, signed, last_stream, tmp_path):
    """The hostile review's case: poppler and MuPDF take the first entry (a white page),
    pyHanko the last (the signed original), so a check built on pyHanko alone said "unaltered"."""
    data = tamper.listed_twice(signed, last_stream)
    assert _dark_pixels(signed, tmp_path, "poppler") > 50
    assert _dark_pixels(data, tmp_path, "poppler") == 0
    assert _dark_pixels(data, tmp_path, "mupdf") == 0
    read = PdfFileReader(io.BytesIO(data)).get_object(generic.Reference(last_stream, 0))
    assert read.data != tamper.PAGE_WHITE  # what a pyHanko-only verify looked at
    line = _refused(verify, tmp_path, data)
    assert f"revision 3 lists object {last_stream} twice in its cross-reference section" in line


def test_hybrid_xrefstm_disagreeing_with_its_table(verify, signed, last_stream, tmp_path):
    data = tamper.hybrid_disagreeing(signed, last_stream)
    line = _refused(verify, tmp_path, data)
    assert re.search(rf"revision 3's /XRefStm puts object {last_stream} at offset \d+, its table "
                     r"at offset \d+: readers that ignore /XRefStm see another object", line), line


def test_object_defined_twice_in_one_revision(verify, signed, last_stream, tmp_path):
    line = _refused(verify, tmp_path, tamper.defined_twice(signed, last_stream))
    assert f"revision 3 defines object {last_stream} twice" in line


def test_object_stream_redefining_an_object_the_table_defines(verify, signed, tmp_path):
    info = int(re.search(rb"/Info (\d+) 0 R", signed).group(1))
    data = tamper.object_stream_redefining(signed, info, b"<< /Title (void) >>", 9998)
    line = _refused(verify, tmp_path, data)
    assert f"object stream 9998 of revision 3 redefines object {info}" in line


def test_freed_object_is_refused_not_a_crash(verify, signed, last_stream, tmp_path):
    """An 'f' entry freeing page 1's content: poppler reports a broken xref, verify names it."""
    data = tamper.freeing(signed, last_stream)
    line = _refused(verify, tmp_path, data)
    assert f"revision 3 frees object {last_stream} (an 'f' entry), which revision 1 uses" in line


@pytest.mark.parametrize("case", ["prev-loop", "prev-inside-a-revision", "startxref-off",
                                  "prev-forward"])
def test_pointers_not_at_a_revision_boundary(verify, signed, last_stream, tmp_path, case):
    last = int(re.findall(rb"startxref\s+(\d+)", signed)[-1])
    white = [(last_stream, tamper.white_stream())]
    table = len(signed) + len(b"%d 0 obj\n%s\nendobj\n" % (last_stream, tamper.white_stream()))
    data = {
        "prev-loop": lambda: tamper.raw_update(signed, white, prev=table),
        "prev-inside-a-revision": lambda: tamper.raw_update(signed, white, prev=last + 3),
        "startxref-off": lambda: tamper.raw_update(signed, white, startxref=table + 1),
        "prev-forward": lambda: tamper.raw_update(signed, white, prev=len(signed) + 10**6),
    }[case]()
    line = _refused(verify, tmp_path, data)
    expected = {
        "prev-loop": f"points back to the cross-reference section at offset {table}: a /Prev loop",
        "prev-inside-a-revision": f"points at offset {last + 3}, where no cross-reference section "
                                  "starts",
        "startxref-off": f"the last startxref points at offset {table + 1}, where no "
                         "cross-reference section starts",
        "prev-forward": "where no cross-reference section starts",
    }[case]
    assert expected in line and "not a revision boundary" in line or case == "prev-loop", line


def test_a_revisions_own_startxref_must_name_its_section(verify, signed, tmp_path):
    """Kills the mutant of the startxref check: the first revision's startxref, changed to
    another number of the same length, while the chain itself (the /Prev) still works."""
    first = int(re.findall(rb"startxref\s+(\d+)", signed)[0])
    wrong = str(first - 1).encode()
    at = signed.index(b"startxref\n%d\n%%%%EOF" % first) + len(b"startxref\n")
    data = signed[:at] + wrong + signed[at + len(wrong):]
    line = _refused(verify, tmp_path, data)
    assert (f"the startxref after the cross-reference section at offset {first} says "
            f"{first - 1}: not that revision's boundary") in line


def test_a_section_must_be_followed_by_its_startxref(verify, signed, tmp_path):
    """Kills the mutants that drop the startxref check: the first revision's `startxref`
    keyword spelt wrong (same length), while the chain itself (the /Prev) still reaches it."""
    first = int(re.findall(rb"startxref\s+(\d+)", signed)[0])
    at = signed.index(b"startxref\n%d\n%%%%EOF" % first)
    data = signed[:at] + b"startxrez" + signed[at + len(b"startxref"):]
    line = _refused(verify, tmp_path, data)
    assert f"the cross-reference section at offset {first} is not followed by startxref and %%EOF" in line


def test_the_last_startxref_must_point_at_a_cross_reference_section(verify, signed, tmp_path):
    """A startxref naming an ordinary object (here object 1) is not a revision boundary."""
    target = tamper.object_offset(signed, 1)
    at = signed.rindex(b"startxref")
    line = _refused(verify, tmp_path, signed[:at] + b"startxref\n%d\n%%%%EOF\n" % target)
    assert (f"the last startxref points at offset {target}, at an object that is not a "
            "cross-reference stream") in line


def test_data_after_eof_that_is_not_a_revision(verify, signed, tmp_path):
    line = _refused(verify, tmp_path, signed + b"1 0 obj\n<< >>\nendobj\n")
    assert "21 byte(s) follow the last revision's %%EOF" in line and "are not a revision" in line


@pytest.mark.parametrize("case", ["length-short", "key-twice"])
def test_a_file_that_needs_repair(verify, example_pdf, tmp_path, case):
    """A stream longer than its /Length, a dictionary holding a key twice: readers repair or
    pick one, each its own way; qpdf (pikepdf) flags the second too."""
    import pikepdf

    number = tamper.content_stream(example_pdf, 0)
    start = tamper.object_offset(example_pdf, number)
    head = example_pdf[start:example_pdf.index(b"stream", start)]
    if case == "length-short":
        found = re.search(rb"/Length (\d+)", head)
        edit = (found.start(1), found.end(1), str(int(found.group(1)) - 1).encode().rjust(
            len(found.group(1))))
    else:
        found = re.search(rb"/Filter /FlateDecode", head)
        edit = (found.start(), found.end(), b"/Length 9 /Length 09")
    data = example_pdf[:start + edit[0]] + edit[2] + example_pdf[start + edit[1]:]
    assert len(data) == len(example_pdf)
    if case == "key-twice":
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert any("duplicated key /Length" in w for w in pdf.check_pdf_syntax())
    line = _refused(verify, tmp_path, data)
    assert f"object {number} at offset {start} cannot be read strictly" in line, line
