"""No 【】 in any PDF beyond the version's own text: every 【…】 of an output is counted against
the reference text of version 2021-12-20 (its 【立即申请】, 【12】【20】 and 【行业先进】 once
each; the generic PDF keeps 附录一's 【请填写…】 placeholders, a contract fills them in)."""

from __future__ import annotations

import re
from collections import Counter

from contract_helpers import pdftotext_pages
from helpers import reference_paragraphs

BRACKETED = re.compile(r"【[^【】]*】")


def _count(text: str) -> Counter:
    return Counter(BRACKETED.findall("".join(text.split())))


def _source() -> Counter:
    return _count("".join(reference_paragraphs()))


def test_the_reference_has_the_seed_brackets():
    source = _source()
    for kept in ("【立即申请】", "【12】", "【20】", "【行业先进】"):
        assert source[kept] == 1
    assert source["【请填写核验目的】"] == 2


def test_generic_pdf_has_exactly_the_versions_brackets(generic_pdf_path):
    assert _count("".join(pdftotext_pages(generic_pdf_path))) == _source()


def test_contract_has_the_versions_brackets_with_the_placeholders_filled(example_pdf_path):
    expected = Counter({text: n for text, n in _source().items() if not text.startswith("【请填写")})
    assert _count("".join(pdftotext_pages(example_pdf_path))) == expected
