"""Each page's stylesheet, inlined: the theme's CSS less the rules the page cannot use.

Material's main stylesheet is 135 KiB for every feature it has (blog, tabs, code
annotations, its own search, …); a page of the agreement uses a fifth of it. Three
render-blocking stylesheets made a phone wait for them before it showed any text
(Lighthouse mobile performance 91). So every page carries, inline in its <head>,
only the rules whose selectors can match it, and loads no stylesheet at all.

A selector is kept when every name it needs occurs in what can be in the page: the
page's own HTML (words; element names from its tags), the site's scripts (their
words, and the elements they create) and the string literals of Material's script
(the classes and attributes it sets at run time, e.g. the version selector's). This
is conservative in the right direction: a name in some text keeps a rule that is
not needed, never drops one that is. What a selector says inside a function
(``:not(…)``, ``:is(…)``, ``:nth-child(…)``) is not required, so such rules stay;
custom properties that no kept rule reads (``var(--…)``) are dropped, as are
``@font-face`` rules (the site uses the reader's system fonts).
Print rules and both colour schemes go through the same test (the scheme toggle is
in every page, so ``slate`` and ``default`` are always among its words).

Hand-written on tinycss2 (the parser WeasyPrint uses) because the kept purgers are npm
tools (PurgeCSS) that the MkDocs build would have to shell out to, and none knows which
names Material's script sets at run time; tests/site/test_page_css.py holds it against a
second selector engine (cssselect2) on every real page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import tinycss2

WORD = re.compile(r"[A-Za-z_][\w-]*")
TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)")
CREATED = re.compile(r"""createElement\(\s*["']([a-zA-Z][a-zA-Z0-9-]*)""")
STRING = re.compile(r""""((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|`((?:[^`\\]|\\.)*)`""")
VAR = re.compile(r"var\(\s*(--[\w-]+)")
COMBINATORS = (">", "+", "~")
TYPE = "<"  # element names are kept as "<name", apart from words of the same spelling


@dataclass(frozen=True)
class _Rule:
    """A style rule: each selector with the names it needs, and its declarations."""
    selectors: tuple[tuple[str, frozenset[str]], ...]
    declarations: tuple[tuple[str | None, str], ...]  # (custom property or None, the declaration)


@dataclass(frozen=True)
class _Block:
    """A conditional group (@media, @supports, @layer) around rules."""
    head: str
    rules: tuple


def page_words(html: str) -> set[str]:
    """The names a page's HTML can satisfy: its words and, marked, its element names."""
    return set(WORD.findall(html)) | {TYPE + tag.lower() for tag in TAG.findall(html)}


def script_words(script: str, *, strings_only: bool = False) -> set[str]:
    """The names a script can put into a page. ``strings_only`` for a minified bundle:
    only its string literals name classes (its identifiers are noise like ``k``)."""
    text = " ".join("".join(groups) for groups in STRING.findall(script)) if strings_only else script
    return set(WORD.findall(text)) | {TYPE + tag.lower() for tag in CREATED.findall(script)}


class Stylesheet:
    """One parsed stylesheet (see :func:`purged_css`)."""

    def __init__(self, css: str, origin: str) -> None:
        if "</style" in css.lower():  # inlined in a <style> element, which that would end
            raise ValueError(f"{origin}: a stylesheet containing '</style' cannot be inlined")
        self.items = _items(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))



def purged_css(sheets: Iterable[Stylesheet], words: set[str]) -> str:
    """The sheets, in order, as one stylesheet with only what a page of ``words`` can use.
    One pass over all of them: the palette's custom properties are read by the main sheet."""
    kept = _keep(tuple(item for sheet in sheets for item in sheet.items), words)
    return "".join(_serialize(kept, _read_properties(kept)))


@lru_cache(maxsize=16)
def load_stylesheet(path: str, mtime_ns: int, size: int) -> Stylesheet:
    """Parsed once per file version (``serve`` rebuilds would parse Material's CSS every time)."""
    return Stylesheet(Path(path).read_text(encoding="utf-8"), path)


def stylesheet(path: Path) -> Stylesheet:
    stat = path.stat()
    return load_stylesheet(str(path), stat.st_mtime_ns, stat.st_size)


# --------------------------------------------------------------------------
# Parsing


def _items(nodes: Iterable) -> tuple:
    items = []
    for node in nodes:
        if node.type == "qualified-rule":
            items.append(_rule(node))
        elif node.type == "at-rule" and node.lower_at_keyword in ("media", "supports", "layer") \
                and node.content is not None:
            inner = tinycss2.parse_blocks_contents(node.content, skip_comments=True, skip_whitespace=True)
            items.append(_Block("@" + node.at_keyword + tinycss2.serialize(node.prelude), _items(inner)))
        elif node.type == "at-rule" and node.lower_at_keyword == "font-face":
            continue  # no web fonts: the site uses the reader's system fonts
        elif node.type == "at-rule":
            items.append(tinycss2.serialize([node]))  # @keyframes, @property, @charset: kept as they are
    return tuple(items)


def _rule(node) -> _Rule:
    selectors, current = [], []
    for token in [*node.prelude, None]:
        if token is None or (token.type == "literal" and token.value == ","):
            selectors.append((tinycss2.serialize(current).strip(), frozenset(_needs(current))))
            current = []
        else:
            current.append(token)
    contents = tinycss2.parse_blocks_contents(node.content, skip_comments=True, skip_whitespace=True)
    declarations = tuple((d.name if d.type == "declaration" and d.name.startswith("--") else None,
                          tinycss2.serialize([d]).strip().rstrip(";")) for d in contents)
    return _Rule(tuple(selectors), declarations)


def _needs(tokens: list) -> list[str]:
    """The class, id, element names and attribute names/values a selector needs."""
    needs, previous = [], None
    for token in tokens:
        if token.type == "hash":
            needs.append(token.value)
        elif token.type == "ident":
            if previous is None or previous.type == "whitespace" or \
                    (previous.type == "literal" and previous.value in COMBINATORS):
                needs.append(TYPE + token.value.lower())
            elif previous.type == "literal" and previous.value == ".":
                needs.append(token.value)
        elif token.type == "[] block":
            needs.extend(_attribute_needs(token.content))
        previous = token
    return needs


def _attribute_needs(content: list) -> list[str]:
    parts = [t for t in content if t.type != "whitespace"]
    needs = [parts[0].value] if parts and parts[0].type == "ident" else []
    for operator, value in zip(parts, parts[1:]):
        # [a=v] and [a~=v] name a word; ^= $= *= |= name part of one, which is not required.
        if operator.type == "literal" and operator.value in ("=", "~=") and value.type in ("ident", "string"):
            needs.append(value.value)
    return needs


# --------------------------------------------------------------------------
# Purging


def _keep(items: tuple, words: set[str]) -> list:
    kept = []
    for item in items:
        if isinstance(item, _Rule):
            selectors = [text for text, needs in item.selectors if needs <= words]
            if selectors:
                kept.append((",".join(selectors), item))
        elif isinstance(item, _Block):
            inner = _keep(item.rules, words)
            if inner:
                kept.append((item.head, inner))
        else:
            kept.append(item)
    return kept


def _read_properties(kept: list) -> set[str]:
    """Custom properties the kept rules read, following properties that read others."""
    defined: dict[str, list[str]] = {}
    plain: list[str] = []

    def walk(entries: list) -> None:
        for entry in entries:
            if isinstance(entry, str):
                plain.append(entry)
            elif isinstance(entry[1], _Rule):
                for name, declaration in entry[1].declarations:
                    if name:
                        defined.setdefault(name, []).append(declaration)
                    else:
                        plain.append(declaration)
            else:
                walk(entry[1])

    walk(kept)
    todo = set(VAR.findall(" ".join(plain)))
    used: set[str] = set()
    while todo:
        name = todo.pop()
        used.add(name)
        todo |= set(VAR.findall(" ".join(defined.get(name, ())))) - used
    return used


def _serialize(kept: list, used: set[str]) -> Iterable[str]:
    for entry in kept:
        if isinstance(entry, str):
            yield entry
        elif isinstance(entry[1], _Rule):
            body = ";".join(text for name, text in entry[1].declarations if name is None or name in used)
            if body:
                yield f"{entry[0]}{{{body}}}"
        else:
            inner = "".join(_serialize(entry[1], used))
            if inner:
                yield f"{entry[0]}{{{inner}}}"
