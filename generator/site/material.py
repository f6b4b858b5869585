"""Material for MkDocs specifics: its search index, and the few patches its JavaScript needs.

Used only by :mod:`generator.site.mkdocs_build`, after MkDocs has built a version.

**The index.** Material indexes a page by its headings, so a search lands on a
section and repeats the text of every clause under it; and the page title it
copies from the front matter reaches the index undecoded, where its search
results render it as HTML (a stored script injection). The index written here
holds exactly the entries :mod:`generator.site.search` gives, every text
escaped. Chinese is segmented with jieba as Material segments it, but the
words are separated by ``<wbr/>`` instead of Material's U+200B: the search
worker's tokenizer splits on tags, and a ``<wbr>`` shown in a result is an
element, so no zero-width space reaches anything a reader can copy.

**The patches** (hand-written, because no setting reaches these lines; each is
applied only to the release it was written for and must match exactly once,
otherwise the build stops and says so):

- search worker, query segmentation (upstream ``query/segment/index.ts`` and
  ``search/_/index.ts``): the loop never tries a word ending at the query's
  last character (``j < query.length``), so 短信轰炸 was searched as 短信; and
  the segments are joined with ``"* "`` before the query transform adds its own
  ``*``, so 短信** counted as a missing term;
- search worker, ``setupSearchDocumentMap``: entries sharing a page are grouped
  under the page's first entry and folded under "在该页上还有 N 个符合条件的
  结果", so the best clause hid behind its page, and the counter counted pages;
  keyed by their whole location, every entry is a result of its own;
- main bundle, ``renderSearchResultItem``: it shows a result's text only when
  the result's URL has no ``#``; every entry is now its own group, so the
  group's first item is the result to show in full.

Everything else (paste and IME input, the version selector's accessible name,
copying links) is done by the site's own ``assets/agreements.js`` with public
DOM events, not by patching.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import version as installed_version
from pathlib import Path

from generator.errors import AgreementsError
from generator.site.search import SearchEntry

#: The release the patches below were written for and tested against (tests/site, tests/browser).
MATERIAL_VERSION = "9.8.2"

WORD_BREAK = "<wbr/>"
# Han characters (CJK Unified Ideographs, Extension A, compatibility, the supplementary planes).
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")


@dataclass(frozen=True)
class Patch:
    """One edit of a shipped JavaScript file, applied where ``pattern`` matches exactly once."""

    bundle: str  # glob, relative to the built site
    why: str
    pattern: re.Pattern[str]
    fix: Callable[[re.Match[str]], str]


WORKER, BUNDLE = "assets/javascripts/workers/search.*.min.js", "assets/javascripts/bundle.*.min.js"

PATCHES = (
    Patch(WORKER, "try words that end at the query's last character",
          re.compile(r"for\(let (\w+)=(\w+)\+1;\1<(\w+)\.length;\1\+\+\)\3\.slice\(\2,\1\)in "),
          lambda m: m.group(0).replace("<", "<=", 1)),
    Patch(WORKER, "join the query's words with a space, not a second wildcard",
          re.compile(r"(\[\.\.\.\w+\(\w+,this\.index\.invertedIndex\)\]\.join\()\"\* \"\)"),
          lambda m: m.group(1) + '" ")'),
    Patch(WORKER, "make every index entry a result of its own, not a section of its page",
          re.compile(r"let\[(\w+)\]=(\w+)\.location\.split\(\"#\"\)"),
          lambda m: f"let[{m.group(1)}]=[{m.group(2)}.location]"),
    Patch(BUNDLE, "show every result with its text: its group's first item is the result",
          re.compile(r"(\w+)=(\w+)\.findIndex\((\w+)=>!`\$\{new URL\(\3\.location,\w+\.base\)\}`"
                     r"\.includes\(\"#\"\)\)"),
          lambda m: f"{m.group(1)}=0"),
)


class MaterialError(AgreementsError):
    """Material's files are not those this module was written for."""


def check_version() -> None:
    found = installed_version("mkdocs-material")
    if found != MATERIAL_VERSION:
        raise MaterialError(
            f"mkdocs-material {found} is installed, but generator/site/material.py patches the "
            f"search JavaScript of {MATERIAL_VERSION}; install the locked environment (`make setup`) "
            "or re-check every patch against the new release, then update MATERIAL_VERSION")


def patch_javascript(site_dir: Path) -> None:
    """Apply every patch to the built site's copy of Material's JavaScript."""
    check_version()
    for patch in PATCHES:
        files = sorted(site_dir.glob(patch.bundle))
        if len(files) != 1:
            raise MaterialError(f"expected one {patch.bundle} in the built site, found {len(files)}",
                                file=site_dir)
        code = files[0].read_text(encoding="utf-8")
        found = len(patch.pattern.findall(code))
        if found != 1:
            raise MaterialError(f"cannot {patch.why}: the code to patch occurs {found} times in "
                                f"{files[0].name}, expected once; re-check generator/site/material.py",
                                file=files[0])
        files[0].write_text(patch.pattern.sub(patch.fix, code), encoding="utf-8")


def write_search_index(site_dir: Path, entries: Sequence[SearchEntry]) -> None:
    """Replace the documents of Material's ``search/search_index.json`` with ``entries``.

    Material's own part of the file (language, separator, field boosts) is kept.
    """
    path = site_dir / "search" / "search_index.json"
    if not path.is_file():
        raise MaterialError("the search plugin wrote no search/search_index.json; "
                            "keep `search` under `plugins:` in mkdocs.yml", file=site_dir)
    index = json.loads(path.read_text(encoding="utf-8"))
    index["docs"] = [{"location": entry.location, "title": searchable(entry.title),
                      "text": "".join(f"<p>{searchable(p)}</p>" for p in entry.paragraphs)}
                     for entry in entries]
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def searchable(text: str) -> str:
    """``text`` as escaped HTML whose Chinese words (jieba's) are separated by ``<wbr/>``."""
    import jieba

    out, position = [], 0
    for run in _HAN.finditer(text):
        out.append(html.escape(text[position:run.start()], quote=False))
        words = (html.escape(word, quote=False) for word in jieba.cut(run.group()))
        out.append(WORD_BREAK + WORD_BREAK.join(words) + WORD_BREAK)
        position = run.end()
    out.append(html.escape(text[position:], quote=False))
    joined = "".join(out)
    while joined.startswith(WORD_BREAK):
        joined = joined[len(WORD_BREAK):]
    while joined.endswith(WORD_BREAK):
        joined = joined[: -len(WORD_BREAK)]
    return joined
