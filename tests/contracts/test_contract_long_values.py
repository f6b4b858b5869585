"""Values at their longest allowed length: nothing is clipped, lost or outside the page."""

from __future__ import annotations

from contract_helpers import bbox_words, customer_yaml, shared_pages_drawn, pdftotext_pages, squash

# 300 and 500 characters are the schema's maxima; no spaces, so only overflow-wrap can break them.
LONG_COMPANY = ("上海澜舟数据科技有限公司" * 25)[:300]
LONG_ADDRESS = ("上海市浦东新区张江高科技园区碧波路" + "A" * 40 + "号") * 5
LONG_PURPOSE = ("用于贷前身份核验及反欺诈和账户安全风险控制" * 30)[:500]
LONG_FIELDS = [f"字段{i:02d}" + "x" * 30 for i in range(15)]
A4_WIDTH, A4_HEIGHT = 595.28, 841.89


def test_longest_values_stay_inside_the_page_and_lose_nothing(cli, tmp_path, shared_page_count):
    source = tmp_path / "long.yml"
    source.write_text(customer_yaml(
        id="long-values", company=LONG_COMPANY, address=LONG_ADDRESS[:300],
        consent={"purpose": LONG_PURPOSE, "personal_fields": LONG_FIELDS}), encoding="utf-8")
    out = tmp_path / "out"
    assert cli("contract", str(source), "--out", str(out)) == 0
    pdf = out / "long-values_2021-12-20.pdf"
    assert len(shared_pages_drawn(pdf)) == shared_page_count   # made by the fast path
    text = squash("".join(pdftotext_pages(pdf)))
    for value in (LONG_COMPANY, LONG_ADDRESS[:300], LONG_PURPOSE, "、".join(LONG_FIELDS)):
        assert squash(value) in text.replace(squash("合同编号：ZSY-2026-0001"), ""), value[:20]
    for page_number in range(1, len(pdftotext_pages(pdf)) + 1):
        for word, x1, y1, x2, y2 in bbox_words(pdf, page_number):
            assert 0 <= x1 and x2 <= A4_WIDTH and 0 <= y1 and y2 <= A4_HEIGHT, (page_number, word)
            # inside the 20 mm side margins, give or take a glyph's side bearing
            assert x1 >= 20 * 72 / 25.4 - 2 and x2 <= A4_WIDTH - 20 * 72 / 25.4 + 2, (page_number, word)
