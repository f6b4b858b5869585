"""Tampered contracts: each is "NOT genuine" (exit 1) with a reason naming the page or object.

The fixtures are made here the way a forger would, with pyHanko and pypdf
incremental updates, in-place byte edits and pikepdf rewrites (see tamper.py).
"""

from __future__ import annotations

import itertools
import re

import pytest

import tamper


@pytest.fixture(scope="module")
def mallory(pki, tmp_path_factory):
    """A forger's key, from a CA of his own."""
    from helpers import make_pki

    folder = tmp_path_factory.mktemp("mallory")
    other = make_pki(folder)
    return other.signer(other.make_p12(folder, "mallory", common="Mallory"))


def _altered(verify, tmp_path, data: bytes, *options: str) -> str:
    path = tmp_path / "tampered.pdf"
    path.write_bytes(data)
    code, out, err = verify(path, *options)
    assert code == 1, out + err
    assert "NOT genuine" in err and "verdict:  NOT genuine" in out
    return out


def _line(out: str, start: str) -> str:
    """The check's line and its indented details."""
    lines = out[out.index(start):].splitlines(keepends=True)
    return "".join([lines[0], *itertools.takewhile(lambda line: line.startswith("    "), lines[1:])])


def test_page_painted_white_after_signing(verify, signed_run, tmp_path):
    data = tamper.paint_page_white(signed_run[0].read_bytes(), page_index=1)
    out = _altered(verify, tmp_path, data)
    revisions = _line(out, "[fail] revisions")
    assert re.search(r"revision 3: .*page 2", revisions), revisions
    assert "[pass] rebuild" in out  # the generator's revision itself is intact
    signature = _line(out, "[fail] signature PartyB")
    assert "the changes made after it go beyond what it allows (DocMDP)" in signature


def test_new_widget_covering_a_page(verify, signed_run, mallory, tmp_path):
    data = tamper.add_void_widget(signed_run[0].read_bytes(), mallory, page_index=0)
    out = _altered(verify, tmp_path, data)
    revisions = _line(out, "[fail] revisions")
    assert "the widget of field “Void” on page 1" in revisions, revisions
    assert "[fail] signature PartyB" in out
    assert "[fail] signature Void: it fills “Void”, which is not one of the contract's" in out


def test_byte_flipped_inside_the_signed_range(verify, signed_run, example_pdf, tmp_path):
    signed = signed_run[0].read_bytes()
    number = tamper.content_stream(example_pdf, page_index=2)
    data = tamper.flip_byte(signed, tamper.stream_data_offset(signed, number))
    out = _altered(verify, tmp_path, data)
    assert "[fail] signature PartyB: digest mismatch" in out
    rebuild = _line(out, "[fail] rebuild")
    assert "the text of page 3 differs" in rebuild, rebuild
    assert f"what is drawn differs on page 3: the page's content stream (object {number})" in rebuild


def test_info_title_changed_after_signing(verify, signed_run, tmp_path):
    data = tamper.set_title(signed_run[0].read_bytes(), "作废的协议")
    out = _altered(verify, tmp_path, data)
    revisions = _line(out, "[fail] revisions")
    assert "revision 3: the document information (Info) changes /Title" in revisions
    assert "the document information (Info)" in revisions.split("it writes", 1)[1]


def test_xmp_title_set_after_signing(verify, signed_run, tmp_path):
    """Readers that prefer XMP would show this title: only copies of Info's are allowed."""
    data = tamper.set_xmp_title(signed_run[0].read_bytes(), "作废的协议")
    out = _altered(verify, tmp_path, data)
    revisions = _line(out, "[fail] revisions")
    assert "revision 3: the XMP metadata sets title" in revisions, revisions
    assert "the XMP metadata" in revisions.split("it writes", 1)[1]


@pytest.mark.parametrize("which", ["unsigned", "signed"])
def test_bytes_appended_after_the_last_revision(verify, example_pdf, signed_run, tmp_path, which):
    data = example_pdf if which == "unsigned" else signed_run[0].read_bytes()
    out = _altered(verify, tmp_path, data + b"% appended\n")
    assert "[fail] structure: 11 byte(s) follow the last revision's %%EOF" in out, out


def test_byte_flipped_in_the_signature_padding(verify, signed_run, tmp_path):
    """pyHanko ignores what follows the DER signature in /Contents; verify does not."""
    signed = signed_run[0].read_bytes()
    contents_end = signed.rindex(b"0000>")  # the last signature's zero padding
    data = tamper.flip_byte(signed, contents_end, mask=0x01)  # '0' → '1'
    out = _altered(verify, tmp_path, data)
    assert "padding after the signature in /Contents is not all zero" in out


def test_font_byte_changed_in_an_unsigned_contract(verify, example_pdf, tmp_path):
    number = tamper.font_program(example_pdf)
    data = tamper.flip_byte(example_pdf, tamper.stream_data_offset(example_pdf, number), 0x10)
    out = _altered(verify, tmp_path, data)
    rebuild = _line(out, "[fail] rebuild")
    assert "same text, but what is drawn differs on pages" in rebuild, rebuild
    assert re.search(rf"the font \S+'s font program \(object {number}\) has other data", rebuild), rebuild


def test_unsigned_contract_resaved_with_a_page_painted_over(verify, example_pdf, tmp_path):
    data = tamper.resave_with_page_painted(example_pdf, page_index=3)
    out = _altered(verify, tmp_path, data)
    rebuild = _line(out, "[fail] rebuild")
    # only the painted page: how pikepdf recompressed the other pages is not what they draw
    found = re.fullmatch(r"\[fail\] rebuild: .*: same text, but what is drawn differs on page 4: "
                         r"the page's content stream \(object \d+\) has (\d+) entries, the rebuild's (\d+)\n",
                         rebuild)
    assert found and int(found.group(1)) == int(found.group(2)) + 1, rebuild   # the painted one added


def test_pages_reordered(verify, example_pdf, tmp_path):
    data = tamper.swap_pages(example_pdf, 1, 2)
    out = _altered(verify, tmp_path, data)
    assert ("the pages are in another order: page 2 holds the rebuild's page 3, page 3 holds "
            "the rebuild's page 2") in out


def test_unsigned_contract_with_an_appended_update(verify, example_pdf, tmp_path):
    """An unsigned contract must be byte-identical: even an update that signs nothing is out."""
    data = tamper.paint_page_white(example_pdf, page_index=4)
    out = _altered(verify, tmp_path, data)
    assert "[pass] rebuild: its first revision (of 2)" in out
    assert re.search(r"revision 2: .*page 5", _line(out, "[fail] revisions"))


def test_another_versions_text_under_this_versions_provenance(verify, project, example_pdf,
                                                              tmp_path):
    """The draft version's contract for the same customer, dressed in 2021-12-20's provenance."""
    from contract_helpers import EXAMPLE
    from generator.contracts.contract import render_pdf
    from generator.contracts.customers import load_customer

    draft = next(v for v in project.versions if v.date != "2021-12-20")
    source = tmp_path / "customer.yml"
    source.write_text(EXAMPLE.read_text(encoding="utf-8").replace("version: 2021-12-20",
                                                                  f"version: {draft.date}"),
                      encoding="utf-8")
    other = load_customer(source, project, allow_draft=True)
    assert other.version.date == draft.date
    forged = render_pdf(project.root, project.config, other.version, other)
    data = tamper.with_metadata(forged, tamper.info(example_pdf))
    out = _altered(verify, tmp_path, data)
    assert "[pass] provenance" in out
    assert re.search(r"the text of page \d+ differs from the rebuilt contract", out)


def test_party_b_approval_signature_is_a_warning(verify, example_pdf, pki, trust_root, tmp_path):
    """Signed outside `agreements contract` without certifying: valid, but readers would not flag
    later changes, and the report says so."""
    path = tmp_path / "approval.pdf"
    path.write_bytes(tamper.sign_as_customer(example_pdf, pki.signer(pki.p12_path), field="PartyB"))
    code, out, _ = verify(path, "--trust", str(trust_root))
    assert code == 0
    assert "[warn] signature PartyB: intact, valid and trusted, but an approval signature" in out


def test_signed_draft_is_not_a_contract(verify, project, pki, tmp_path):
    """Signing refuses drafts; a draft signed by other means is never genuine."""
    from contract_helpers import EXAMPLE
    from generator.contracts.contract import render_pdf
    from generator.contracts.customers import load_customer

    draft = next(v for v in project.versions if v.is_draft)
    source = tmp_path / "customer.yml"
    source.write_text(EXAMPLE.read_text(encoding="utf-8").replace("version: 2021-12-20",
                                                                  f"version: {draft.date}"),
                      encoding="utf-8")
    customer = load_customer(source, project, allow_draft=True)
    unsigned = render_pdf(project.root, project.config, customer.version, customer)
    path = tmp_path / "draft.pdf"
    path.write_bytes(unsigned)
    code, out, _ = verify(path)
    assert code == 0 and f"[warn] draft: version {draft.date} is a draft" in out
    path.write_bytes(tamper.sign_as_customer(unsigned, pki.signer(pki.p12_path), field="PartyB"))
    code, out, _ = verify(path)
    assert code == 1 and "[fail] draft" in out and "never signed" in out


pytestmark = pytest.mark.usefixtures("english_messages")
