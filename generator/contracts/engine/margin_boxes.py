"""Which page margin boxes (running headers and footers) a stylesheet fills, and with what.

The fast contract path lays out three kinds of page content apart:
the body of the pages every customer shares (without any margin box), the
customer's own pages with the margin boxes whose content is the same on
every page (e.g. ``string(footer)``: 合同编号), and the margin boxes that show
page numbers (``counter(page)``, ``counter(pages)``: 第 n 页 共 N 页), which
depend only on n and N and are laid out once per process for each N. This
module reads the stylesheet (with tinycss2, WeasyPrint's CSS parser) to tell
those boxes apart, and writes the small stylesheets that switch boxes off.
"""

from __future__ import annotations

import tinycss2

__all__ = ["MARGIN_BOXES", "only", "page_number_boxes", "without"]

MARGIN_BOXES = tuple(
    f"{side}-{place}" for side, places in (
        ("top", ("left-corner", "left", "center", "right", "right-corner")),
        ("bottom", ("left-corner", "left", "center", "right", "right-corner")),
        ("left", ("top", "middle", "bottom")),
        ("right", ("top", "middle", "bottom")))
    for place in places)

# Content that comes from the document, not from the page number.
_DOCUMENT_FUNCTIONS = frozenset({"string", "attr", "content", "element", "target-counter",
                                 "target-counters", "target-text", "leader"})


def _parse(content) -> list:
    return tinycss2.parse_blocks_contents(content or [], skip_comments=True, skip_whitespace=True)


def _functions(tokens) -> list:
    """Every function in ``tokens``, nested ones included."""
    found = []
    for token in tokens:
        if token.type == "function":
            found.append(token)
            found.extend(_functions(token.arguments))
        elif getattr(token, "content", None) is not None and token.type != "at-rule":
            found.extend(_functions(token.content))
    return found


def _shows_page_number(function) -> bool:
    if function.lower_name not in ("counter", "counters"):
        return False
    names = [t.lower_value for t in function.arguments if t.type == "ident"]
    return bool(names) and names[0] in ("page", "pages")


def page_number_boxes(css: str) -> frozenset[str]:
    """The margin boxes that show a page number (``counter(page)`` or ``counter(pages)``).

    Raises ValueError when such a box also shows text from the document
    (``string()``, ``attr()`` …): it could not be laid out once for every contract.
    """
    boxes: set[str] = set()
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "at-rule" or rule.lower_at_keyword != "page":
            continue
        for box in _parse(rule.content):
            if box.type != "at-rule" or box.lower_at_keyword not in MARGIN_BOXES:
                continue
            for declaration in _parse(box.content):
                if declaration.type != "declaration" or declaration.lower_name != "content":
                    continue
                functions = _functions(declaration.value)
                if any(_shows_page_number(f) for f in functions):
                    if any(f.lower_name in _DOCUMENT_FUNCTIONS for f in functions):
                        raise ValueError(f"@{box.lower_at_keyword} shows page numbers and text "
                                         "from the document together")
                    boxes.add(box.lower_at_keyword)
    return frozenset(boxes)


def without(boxes) -> str:
    """A stylesheet that empties ``boxes`` (whatever page rule filled them)."""
    return "@page { " + " ".join(f"@{box} {{ content: none !important; }}" for box in sorted(boxes)) + " }"


def only(boxes) -> str:
    """A stylesheet that empties every margin box but ``boxes``."""
    return without(set(MARGIN_BOXES) - set(boxes))
