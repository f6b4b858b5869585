"""Each page's inlined stylesheet (generator/site/page_css.py): only what the page can use,
and — checked with a second selector engine (cssselect2 over lxml's parse of the page) —
never a rule that matches one of its elements."""

from __future__ import annotations

import re
from pathlib import Path

import cssselect2
import lxml.html
import pytest
import tinycss2

from generator.site.page_css import Stylesheet, page_words, purged_css, script_words

MATERIAL = Path(__import__("material").__file__).parent / "templates" / "assets" / "stylesheets"
ASSETS = Path(__file__).resolve().parents[2] / "templates" / "site" / "assets"

CSS = """
:root{--used:1px;--chained:var(--used);--unused:2px}
.kept{margin:var(--chained)}
.dropped{color:red}
.kept,.dropped-too{padding:0}
[data-md-color-scheme=slate]{color:white}
a:not(.nowhere){color:blue}
table td{border:0}
@media print{.dropped{display:none}.kept{display:block}}
@media screen{.dropped{display:none}}
@font-face{font-family:X;src:url(x.woff2)}
"""


def _purged(html: str) -> str:
    return purged_css([Stylesheet(CSS, "test.css")], page_words(html))


def test_a_rule_stays_only_when_the_page_has_every_name_it_needs():
    css = _purged('<p class="kept"><a href="#">x</a></p>')
    assert ".kept{margin:var(--chained)}" in css and ".kept{padding:0}" in css
    assert "dropped" not in css  # alone, in a selector list, in @media
    assert "@media print{.kept{display:block}}" in css and "@media screen" not in css
    assert "a:not(.nowhere){color:blue}" in css  # what a function names is not required
    assert "table td" not in css and "slate" not in css  # no <table>; no 'slate' in the page
    assert "@font-face" not in css  # the site loads no web font


def test_custom_properties_stay_only_when_a_kept_rule_reads_them():
    css = _purged('<p class="kept">x</p>')
    assert "--used:1px" in css and "--chained:var(--used)" in css
    assert "--unused" not in css
    assert "--used" not in _purged("<p>x</p>")


def test_attribute_values_and_element_names_count():
    css = _purged('<body data-md-color-scheme="slate"><table><tr><td>1</td></tr></table></body>')
    assert "[data-md-color-scheme=slate]{color:white}" in css and "table td{border:0}" in css


def test_a_bundles_identifiers_are_not_names_but_its_strings_and_created_elements_are():
    words = script_words('var k=1;e.classList.add("md-version__list");document.createElement("table")',
                         strings_only=True)
    assert "md-version__list" in words and "<table" in words and "k" not in words


def test_a_stylesheet_that_would_end_its_style_element_is_refused():
    with pytest.raises(ValueError, match="</style"):
        Stylesheet(".a::after{content:'</style>'}", "bad.css")


# --------------------------------------------------------------------------
# The real site


def _page_paths(site: Path) -> list[Path]:
    version = site / "2021-12-20"
    return [version / "index.html", version / "history" / "index.html", version / "compare" / "index.html",
            site / "404.html", *sorted((site / "2026-11-28" / "compare").glob("*/index.html"))[:1]]


def _style_rules(nodes, out: list) -> list:
    for node in nodes:
        if node.type == "qualified-rule":
            out.append(node)
        elif node.type == "at-rule" and node.content is not None and node.lower_at_keyword in ("media", "supports"):
            _style_rules(tinycss2.parse_blocks_contents(node.content, skip_whitespace=True, skip_comments=True), out)
    return out


def _selectors(css: str) -> set[str]:
    rules = _style_rules(tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True), [])
    return {part.strip() for rule in rules for part in tinycss2.serialize(rule.prelude).split(",")}


def _sets_only_custom_properties(rule) -> bool:
    declarations = tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True, skip_comments=True)
    return all(d.type == "declaration" and d.name.startswith("--") for d in declarations)


def _defined(css: str) -> set[str]:
    return set(re.findall(r"(?<![\w-])(--[\w-]+)\s*:", css))


def _matcher(rules) -> cssselect2.Matcher:
    """Every selector of the original sheets, compiled once (cssselect2 indexes them by name)."""
    matcher = cssselect2.Matcher()
    for rule in rules:
        for text in tinycss2.serialize(rule.prelude).split(","):
            try:
                for selector in cssselect2.compile_selector_list(text):
                    matcher.add_selector(selector, text.strip())
            except cssselect2.SelectorError:
                continue  # a pseudo-class cssselect2 does not know (:hover, :focus-visible, …)
    return matcher


def test_pages_block_on_nothing_and_keep_every_rule_that_matches_them(real_site):
    sources = [*MATERIAL.glob("main.*.min.css"), *MATERIAL.glob("palette.*.min.css"), ASSETS / "agreements.css"]
    original = "".join(p.read_text(encoding="utf-8") for p in sources)
    # Rules that only set custom properties go with the properties (checked below, through var()).
    matcher = _matcher(rule for rule in _style_rules(tinycss2.parse_stylesheet(
        original, skip_whitespace=True, skip_comments=True), []) if not _sets_only_custom_properties(rule))
    for path in _page_paths(real_site.site):
        html = path.read_text(encoding="utf-8")
        assert not re.search(r"<link[^>]+stylesheet", html), path
        scripts = re.findall(r"<script\b[^>]*\bsrc=[^>]*>", html)
        assert len(scripts) == 3 and all(" defer" in tag for tag in scripts), (path, scripts)  # none blocks
        css = max(re.findall(r"<style>(.*?)</style>", html, re.S), key=len)
        read = set(re.findall(r"var\(\s*(--[\w-]+)", css))
        assert read & _defined(original) <= _defined(css), path  # every property read is set
        assert len(html) < 160_000, path  # the page with its styles, not Material's whole sheet
        root = cssselect2.ElementWrapper.from_html_root(lxml.html.document_fromstring(html))
        matched = {text for element in root.iter_subtree() for *_, text in matcher.match(element)}
        assert len(matched) > 100, path  # the check saw the page's rules
        assert matched <= _selectors(css), (path.name, sorted(matched - _selectors(css)))
