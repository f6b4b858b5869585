"""Cutting a contract's HTML into its top-level parts (engine/split.py): a document holding the
shared parts of one cut before is cut around them, with exactly the result of cutting it whole."""

from __future__ import annotations

import pytest

from generator.content.project import load_project
from generator.contracts import contract
from generator.contracts.customers import load_customer
from generator.contracts.engine import split as cutting

from helpers import ROOT

EXAMPLES = sorted((ROOT / "customers" / "examples").glob("*.yml"))
SHARED = '<section class="agreement" data-shared><h1>协议</h1><p>正文</p></section>'


@pytest.fixture(autouse=True)
def nothing_known():
    cutting.clear_cache()
    yield
    cutting.clear_cache()


def _document(*parts: str) -> str:
    return "<html><head><title>t</title><style>p { color: red }</style></head><body>\n" + \
        "\n".join(parts) + "\n</body></html>"


def _cut_around(html: str):
    """The cut taken around the known parts (None: it fell back to cutting the whole)."""
    return next((s for s in map(lambda known: cutting._split_around(html, known), cutting._KNOWN)
                 if s is not None), None)


def test_every_example_is_cut_around_the_shared_parts_as_if_cut_whole():
    project = load_project(ROOT)
    htmls = [contract.contract_html(ROOT, project.config, c.version, c)
             for c in (load_customer(path, project) for path in EXAMPLES)]
    cutting.split_body(htmls[0])
    for html in htmls:
        around = _cut_around(html)
        assert around is not None, "the shared parts of every example were known"
        assert around == cutting._split_whole(html) == cutting.split_body(html)


@pytest.mark.parametrize("body", [
    f'<section class="cover">甲方</section>\n{SHARED}\n<section class="signatures">签署</section>',
    f"{SHARED}",
    f'<p>a</p><p>b</p>\n{SHARED}\n<hr>',
])
def test_the_cut_around_equals_the_whole_cut(body):
    cutting.split_body(_document(SHARED))
    html = _document(body)
    around = _cut_around(html)
    assert around is not None
    assert around == cutting._split_whole(html)
    assert "color: red" in around.styles


@pytest.mark.parametrize("body, why", [
    (f"<div>{SHARED}</div>", "inside another element"),
    (f"<!-- {SHARED} -->", "inside a comment"),
    (f"<p>x</p></body><body>{SHARED}", "after the body closed"),
    ('<section class="agreement">其他</section>', "not there"),
])
def test_a_known_part_that_is_not_a_top_level_part_here_is_not_taken_for_one(body, why):
    cutting.split_body(_document(SHARED))
    html = _document(body)
    assert _cut_around(html) is None, why
    try:
        expected = cutting._split_whole(html)
    except cutting.FastPathUnavailable as exc:
        with pytest.raises(cutting.FastPathUnavailable, match=exc.reason):
            cutting.split_body(html)
    else:
        assert cutting.split_body(html) == expected


def test_a_shared_part_with_its_own_style_is_not_remembered():
    styled = '<section data-shared><style>h1 { color: blue }</style><h1>x</h1></section>'
    first = cutting.split_body(_document(styled))
    assert "color: blue" in first.styles
    assert cutting._KNOWN == []
