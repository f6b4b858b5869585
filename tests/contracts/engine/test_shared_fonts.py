"""The contract's own text drawn from the shared pages' fonts (engine/shared_fonts.py).

The rewrite is checked on small hand-made content streams, read back with
pikepdf's parser; whole contracts are checked by test_fast_path.py (pixels
against a full render with poppler and MuPDF, each glyph embedded once).
"""

from __future__ import annotations

import pikepdf
import pytest
from pikepdf import Dictionary, Name

from generator.contracts.engine.compact import GlyphsNotMerged
from generator.contracts.engine.shared_fonts import SharedFont, draw_with_shared_fonts


def _page(content: bytes):
    pdf = pikepdf.new()
    pdf.add_blank_page()
    own = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type0, BaseFont=Name("/Own")))
    fonts = Dictionary({"/F1": own})
    page = pdf.pages[0].obj
    page.Resources = Dictionary(Font=fonts)
    page.Contents = pdf.make_stream(content)
    shared = SharedFont(Name("/AgwF1"), pdf.make_indirect(Dictionary(Type=Name.Font)), frozenset({2, 3}))
    return pdf, page, fonts, shared


def _shown(page) -> list[tuple[str, list[int]]]:
    """(font, codes) of each text-showing operator, in order."""
    font, shown = None, []
    stack = []
    for operands, operator in pikepdf.parse_content_stream(page):
        name = str(operator)
        if name == "q":
            stack.append(font)
        elif name == "Q":
            font = stack.pop()
        elif name == "Tf":
            font = str(operands[0])
        elif name in ("TJ", "Tj"):
            items = operands[0] if isinstance(operands[0], pikepdf.Array) else operands
            data = b"".join(bytes(i) for i in items if isinstance(i, pikepdf.String))
            shown.append((font, [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]))
    return shown


def test_a_run_is_split_between_the_fonts_in_order_and_the_rest_is_reported():
    pdf, page, fonts, shared = _page(b"BT /F1 12 Tf [<00010002> -20 <00030004>] TJ ET")
    left = draw_with_shared_fonts(pdf, {"Own": shared}, [(page, fonts, None)], {"/F1": "Own"})
    assert _shown(page) == [("/F1", [1]), ("/AgwF1", [2, 3]), ("/F1", [4])]
    assert left == {"/F1": {1, 4}}
    assert "/AgwF1" in fonts    # the page can name the shared font
    # The kerning number stays between the glyphs it separates.
    operators = [(str(op), list(ops)) for ops, op in pikepdf.parse_content_stream(page)]
    arrays = [ops[0] for name, ops in operators if name == "TJ"]
    assert any(-20 in [float(i) for i in array if not isinstance(i, pikepdf.String)] for array in arrays)


def test_the_font_follows_q_and_Q():
    content = (b"BT /F1 12 Tf [<0002>] TJ ET q BT /F1 9 Tf [<0001>] TJ ET Q "
               b"BT [<0003>] TJ ET")
    pdf, page, fonts, shared = _page(content)
    draw_with_shared_fonts(pdf, {"Own": shared}, [(page, fonts, None)], {"/F1": "Own"})
    shown = _shown(page)
    assert shown == [("/AgwF1", [2]), ("/F1", [1]), ("/AgwF1", [3])]
    sizes = [float(ops[1]) for ops, op in pikepdf.parse_content_stream(page) if str(op) == "Tf"]
    assert sizes[0] == 12 and 9 in sizes


def test_text_the_shared_font_cannot_draw_is_left_as_it_was():
    content = b"BT /F1 12 Tf [<0001> 5 <0004>] TJ ET"
    pdf, page, fonts, shared = _page(content)
    left = draw_with_shared_fonts(pdf, {"Own": shared}, [(page, fonts, None)], {"/F1": "Own"})
    assert page.Contents.read_bytes() == content
    assert left == {"/F1": {1, 4}}
    assert "/AgwF1" not in fonts


def test_a_font_that_draws_nothing_any_more_is_not_reported():
    pdf, page, fonts, shared = _page(b"BT /F1 12 Tf [<00020003>] TJ ET")
    assert draw_with_shared_fonts(pdf, {"Own": shared}, [(page, fonts, None)], {"/F1": "Own"}) == {}


def test_the_quote_operators_are_refused():
    pdf, page, fonts, shared = _page(b"BT /F1 12 Tf 14 TL <0002> ' ET")
    with pytest.raises(GlyphsNotMerged, match="operator"):
        draw_with_shared_fonts(pdf, {"Own": shared}, [(page, fonts, None)], {"/F1": "Own"})


def test_a_form_drawn_in_every_contract_is_rewritten_once_per_shared_font():
    memo: dict = {}
    content = b"BT /F1 12 Tf [<00010002>] TJ ET"
    results = []
    for held in ({2, 3}, {2, 3}, {1}):
        pdf, page, fonts, shared = _page(content)
        shared = SharedFont(shared.name, shared.font, frozenset(held))
        left = draw_with_shared_fonts(pdf, {"Own": shared}, [(page, fonts, (memo, 0))], {"/F1": "Own"})
        results.append((_shown(page), left, "/AgwF1" in fonts))
    assert results[0] == results[1] == ([("/F1", [1]), ("/AgwF1", [2])], {"/F1": {1}}, True)
    assert results[2] == ([("/AgwF1", [1]), ("/F1", [2])], {"/F1": {2}}, True)
    assert len(memo) == 2   # one rewrite per shared font, the second contract's taken from the first
