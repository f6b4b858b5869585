"""Which page margin boxes show page numbers (laid out once per page count by the fast path)."""

from __future__ import annotations

import pytest

from generator.contracts.engine import margin_boxes
from generator.contracts.engine.margin_boxes import page_number_boxes

from helpers import ROOT


def test_the_contract_stylesheet_numbers_pages_in_the_bottom_right_box():
    css = (ROOT / "templates" / "pdf" / "contract.css").read_text(encoding="utf-8")
    assert page_number_boxes(css) == {"bottom-right"}


def test_boxes_of_every_page_rule_and_counter_form_are_found():
    css = """
    @page { @top-center { content: "草案" } @bottom-left { content: string(footer) } }
    @page :first { @top-right { content: counter(pages) } }
    /* @page { @left-top { content: counter(page) } } */
    @media print { p { color: red } }
    @page chapter { @right-middle { content: "p. " counters(page, ".") } }
    """
    assert page_number_boxes(css) == {"top-right", "right-middle"}


def test_a_box_mixing_page_numbers_with_document_text_is_refused():
    with pytest.raises(ValueError, match="@bottom-left shows page numbers and text"):
        page_number_boxes('@page { @bottom-left { content: string(footer) " " counter(page) } }')


def test_stylesheets_that_empty_boxes():
    assert margin_boxes.without({"bottom-right"}) == "@page { @bottom-right { content: none !important; } }"
    only = margin_boxes.only({"bottom-right"})
    assert "@bottom-right {" not in only and only.count("content: none !important") == 15
    assert len(margin_boxes.MARGIN_BOXES) == 16
