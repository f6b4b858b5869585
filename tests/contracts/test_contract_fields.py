"""The contract's signature fields: PartyA and PartyB, unsigned, over the boxes on the last page."""

from __future__ import annotations

import io

import pypdf
import pytest

from contract_helpers import bbox_words


@pytest.fixture(scope="module")
def reader(example_pdf):
    return pypdf.PdfReader(io.BytesIO(example_pdf))


@pytest.fixture(scope="module")
def fields(reader) -> dict[str, dict]:
    acroform = reader.trailer["/Root"]["/AcroForm"]
    return {str(f.get_object()["/T"]): f.get_object() for f in acroform["/Fields"]}


def _rect(field) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def test_exactly_two_unsigned_signature_fields(fields):
    assert set(fields) == {"PartyA", "PartyB"}
    for name, field in fields.items():
        assert field["/FT"] == "/Sig", name
        assert "/V" not in field, f"{name} must be unsigned"


def test_widgets_are_on_the_last_page_inside_it(reader, fields):
    last = reader.pages[-1]
    annots = [a.get_object() for a in last.get("/Annots", [])]
    widget_names = {str(a.get("/T")) for a in annots if a.get("/Subtype") == "/Widget"}
    assert {"PartyA", "PartyB"} <= widget_names
    for earlier in reader.pages[:-1]:
        names = {str(a.get_object().get("/T")) for a in earlier.get("/Annots", [])}
        assert not names & {"PartyA", "PartyB"}
    llx, lly, urx, ury = (float(v) for v in last.mediabox)
    for name, field in fields.items():
        x1, y1, x2, y2 = _rect(field)
        assert llx <= x1 < x2 <= urx and lly <= y1 < y2 <= ury, name
        assert (x2 - x1) > 100 and (y2 - y1) > 50, f"{name} is too small to sign in"


def test_party_a_is_above_party_b_without_overlap(fields):
    a, b = _rect(fields["PartyA"]), _rect(fields["PartyB"])
    assert a[1] >= b[3], "PartyA's box must be entirely above PartyB's"


def _inside(word, rect, slack=0.5) -> bool:
    _, x0, y0, x1, y1 = word
    return (rect[0] - slack <= x0 and x1 <= rect[2] + slack
            and rect[1] - slack <= y0 and y1 <= rect[3] + slack)


def test_each_box_sits_beside_its_party_labels_without_covering_them(example_pdf_path, reader, fields):
    """The field covers only the signature box: 乙方's stamp never covers the block's labels."""
    words = bbox_words(example_pdf_path, len(reader.pages))
    seals = sorted((w for w in words if w[0].startswith("（盖章）")), key=lambda w: -w[4])
    dates = sorted((w for w in words if w[0].startswith("签署日期")), key=lambda w: -w[4])
    names = {w[0][:2]: w for w in words if w[0].startswith(("甲方：", "乙方："))}
    assert len(seals) == 2 and len(dates) == 2 and set(names) == {"甲方", "乙方"}
    for label_words, rect in zip(zip(seals, dates), (_rect(fields["PartyA"]), _rect(fields["PartyB"]))):
        for word in label_words:
            assert not _inside(word, rect, slack=0)
            assert word[3] <= rect[0]                      # left of the box
            assert rect[1] <= word[2] and word[4] <= rect[3]   # at the box's height
    a, b = _rect(fields["PartyA"]), _rect(fields["PartyB"])
    # Each party's name line sits just above its own box, outside it.
    assert names["甲方"][2] >= a[3] - 0.5 and names["甲方"][2] < a[3] + 60
    assert names["乙方"][2] >= b[3] - 0.5 and names["乙方"][2] < b[3] + 60


def test_signature_page_says_it_holds_no_text(example_pdf_path, reader):
    words = "".join(w[0] for w in bbox_words(example_pdf_path, len(reader.pages)))
    assert "（本页无正文，为《数据技术服务使用协议》之签署页）" in words
