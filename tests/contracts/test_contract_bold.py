"""Every bold passage of the reference is set in a bold face, and only those (plus titles).

pypdf's text visitor gives the font of each text chunk; the subset fonts are
named e.g. ``DFCEGX+Noto-Serif-CJK-SC-Bold``, so "Bold" in ``/BaseFont`` tells
the face. pypdf decodes the CJK text through each font's /ToUnicode map.
"""

from __future__ import annotations

import pytest

from contract_helpers import bold_passages, bold_text, non_bold_passages, regular_text, squash


@pytest.fixture(scope="module")
def bold(example_pdf) -> str:
    return bold_text(example_pdf)


@pytest.fixture(scope="module")
def regular(example_pdf) -> str:
    return regular_text(example_pdf)


def test_the_visitor_decodes_chinese(bold, regular):
    # Guards the method itself: if decoding broke, every check below would be vacuous.
    assert "特别提醒" in bold
    assert "静觅科技" in regular


@pytest.mark.parametrize("passage", bold_passages(), ids=lambda p: f"{len(p)}chars")
def test_bold_passage_is_bold(bold, passage):
    assert squash(passage) in bold


@pytest.mark.parametrize("passage", non_bold_passages(), ids=lambda p: f"{len(p)}chars")
def test_regular_passage_is_not_bold(bold, regular, passage):
    assert passage not in bold
    assert passage in regular


def test_there_are_enough_passages():
    assert len(bold_passages()) >= 15
    assert len(non_bold_passages()) >= 40
