"""Chinese search on the built site: Material's search worker fixed, one entry per clause.

Used only by :mod:`generator.site.mkdocs_build`, after MkDocs has built a version.
"""

from __future__ import annotations

import html
import html.parser
import json
import re
from pathlib import Path
from typing import Any

__all__ = ["fix_query_segmentation", "index_clauses"]


#: Two small bugs in Material 9.8.2's search worker break multi-word Chinese
#: queries (upstream src/.../integrations/search/query/segment/index.ts and
#: search/_/index.ts). The worker segments a Han query greedily against the
#: words of the index, but
#:
#: 1. its loop never tries a word ending at the query's last character
#:    (``j < query.length``), so "短信轰炸" is searched as just "短信"; the fix
#:    is ``<=``;
#: 2. it joins the segments with ``"* "`` and the query transform then adds
#:    another ``*``, so "短信**" is reported as a missing term (struck out in
#:    the result, lower score); the fix is to join with ``" "``.
#:
#: Each fix is applied only where the exact minified code is found, so a
#: fixed upstream release or a different bundle is left alone.
_WORKER_FIXES = (
    (
        re.compile(r"for\(let (\w+)=(\w+)\+1;\1<(\w+)\.length;\1\+\+\)\3\.slice\(\2,\1\)in "),
        lambda m: m.group(0).replace("<", "<=", 1),
    ),
    (
        re.compile(r"\[\.\.\.\w+\(\w+,this\.index\.invertedIndex\)\]\.join\(\"\* \"\)"),
        lambda m: m.group(0).replace('join("* ")', 'join(" ")'),
    ),
)


def fix_query_segmentation(site_dir: Path) -> None:
    for worker in sorted((site_dir / "assets" / "javascripts" / "workers").glob("search.*.min.js")):
        code = original = worker.read_text(encoding="utf-8")
        for pattern, fix in _WORKER_FIXES:
            if len(pattern.findall(code)) == 1:
                code = pattern.sub(fix, code)
        if code != original:
            worker.write_text(code, encoding="utf-8")


# --------------------------------------------------------------------------
# One search entry per clause
# --------------------------------------------------------------------------


class _ClauseText(html.parser.HTMLParser):
    """Collects each clause's own paragraphs (not its sub-clauses') and its section heading."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str | None] = []  # clause id of each open <div>, None for other divs
        self.clauses: dict[str, dict[str, Any]] = {}
        self.heading: list[str] | None = None
        self.section = ""
        self.depth_in_p = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div":
            classes = (attrs.get("class") or "").split()
            clause_id = attrs.get("id") if "clause" in classes else None
            self.stack.append(clause_id)
            if clause_id:
                self.clauses[clause_id] = {"section": self.section, "parts": []}
        elif tag == "h2":
            self.heading = []
        elif tag == "p" and self._current():
            self.depth_in_p += 1
            self.clauses[self._current()]["parts"].append("<p>")

    def handle_endtag(self, tag):
        if tag == "div" and self.stack:
            self.stack.pop()
        elif tag == "h2" and self.heading is not None:
            self.section = "".join(self.heading).replace("\u00b6", "").strip()
            self.heading = None
        elif tag == "p" and self.depth_in_p and self._current():
            self.depth_in_p -= 1
            self.clauses[self._current()]["parts"].append("</p>")

    def handle_data(self, data):
        if self.heading is not None:
            self.heading.append(data)
        elif self.depth_in_p and self._current():
            self.clauses[self._current()]["parts"].append(html.escape(data, quote=False))

    def _current(self) -> str | None:
        return self.stack[-1] if self.stack else None


def index_clauses(site_dir: Path) -> None:
    """Add every clause (an element ``<div class="clause" id=…>``) to the search index.

    Material indexes sections between headings, so a search would land on the
    section above a clause; one entry per clause lets 短信轰炸 open clause 4.2.5
    itself. The text is segmented for Chinese exactly as Material segments it.
    """
    index_path = site_dir / "search" / "search_index.json"
    if not index_path.is_file():
        return
    index = json.loads(index_path.read_text(encoding="utf-8"))
    segment = _chinese_segmenter()
    for page in sorted(site_dir.rglob("index.html")):
        if page.parent.name == "search" or "clause" not in (text := page.read_text(encoding="utf-8")):
            continue
        parser = _ClauseText()
        parser.feed(text)
        url = page.parent.relative_to(site_dir).as_posix()
        url = "" if url == "." else f"{url}/"
        for clause_id, clause in parser.clauses.items():
            body = "".join(clause["parts"]).strip()
            number = re.match(r"<p>([0-9.、]+)", body)
            title = " ".join(x for x in (number.group(1) if number else "", clause["section"]) if x)
            index["docs"].append({"location": f"{url}#{clause_id}", "title": segment(title or clause_id),
                                  "text": segment(body)})
    index_path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _chinese_segmenter():
    """Material's own segmentation (jieba, words joined by U+200B), or none without jieba."""
    try:
        from material.plugins.search.plugin import SearchIndex
    except ImportError:  # pragma: no cover - Material is a dependency
        return lambda text: text
    return SearchIndex()._segment_chinese
