"""A small, independent reader of .docx files for the tests: ElementTree over the package's XML.

It shares no code with generator/contracts/word: it reads paragraphs, runs,
styles, bookmarks and links straight from WordprocessingML, and applies
"accept all" or "reject all" to tracked changes the way ECMA-376 defines them:

- accepting drops ``w:del`` content and keeps ``w:ins``; rejecting does the opposite;
  a move is the same pair: ``w:moveFrom`` (the old place) goes like a deletion,
  ``w:moveTo`` (the new place) like an insertion, paragraph marks included;
- a paragraph whose mark (``w:pPr/w:rPr/w:ins|w:del``) goes away is joined with
  the next paragraph, and the joined paragraph keeps the properties of the mark
  that stays;
- rejecting restores the properties in ``w:rPrChange`` and ``w:pPrChange``;
- automatic numbering (``w:numPr``, word/numbering.xml) is counted over the
  paragraphs that remain in the view, and its label (``lvlText`` with ``%1``…
  replaced, then the ``w:suff``) starts the paragraph's text.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Literal

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
View = Literal["as-is", "accept", "reject"]


def part(path: Path | bytes, name: str) -> ET.Element:
    with zipfile.ZipFile(path if isinstance(path, Path) else io.BytesIO(path)) as package:
        return ET.fromstring(package.read(name))


@dataclass
class Run:
    text: str
    bold: bool
    underline: bool
    highlight: bool
    link: str | None  # the bookmark a w:hyperlink points to
    change: str | None  # "ins", "del", "moveTo", "moveFrom" or None
    east_asian_font: str | None


@dataclass
class Para:
    style: str
    runs: list[Run] = field(default_factory=list)
    mark: str | None = None  # the paragraph mark's change: "ins", "del", "moveTo", "moveFrom" or None
    old_style: str | None = None  # from w:pPrChange
    bookmarks: list[str] = field(default_factory=list)
    numbering: tuple[str, int] | None = None  # (numId, ilvl) of its automatic number in the view
    label: str = ""  # that number as shown, with its suffix

    @property
    def text(self) -> str:
        return self.label + "".join(r.text for r in self.runs)

    def bold_spans(self) -> list[str]:
        spans, current = [], None
        for run in self.runs:
            if run.bold:
                current = (current or "") + run.text
            elif current is not None and run.text:
                spans.append(current)
                current = None
        return spans + ([current] if current is not None else [])


def _flag(rpr, tag: str) -> bool:
    element = rpr.find(W + tag) if rpr is not None else None
    return element is not None and element.get(W + "val", "true") not in ("0", "false", "none")


def _runs(element, view: View, change: str | None = None, link: str | None = None) -> Iterator[Run]:
    """The runs inside ``element`` in order, with the change and the link around each."""
    for child in element:
        tag = child.tag
        if tag == W + "r":
            if not _gone(change, view):
                yield _run(child, view, change, link)
        elif tag in (W + "ins", W + "del", W + "moveTo", W + "moveFrom"):
            yield from _runs(child, view, tag[len(W):], link)
        elif tag == W + "hyperlink":
            yield from _runs(child, view, change, child.get(W + "anchor"))
        elif tag != W + "pPr":
            yield from _runs(child, view, change, link)


_REMOVED_BY = {"accept": ("del", "moveFrom"), "reject": ("ins", "moveTo")}


def _gone(change: str | None, view: View) -> bool:
    """Is content (or a mark) with this change gone in this view?"""
    return change in _REMOVED_BY.get(view, ())


def _run(r, view: View, change: str | None, link: str | None) -> Run:
    rpr = r.find(W + "rPr")
    if view == "reject" and rpr is not None and rpr.find(W + "rPrChange") is not None:
        rpr = rpr.find(W + "rPrChange").find(W + "rPr")
    text = "".join(t.text or "" if t.tag != W + "tab" else "\t" for t in r
                   if t.tag in (W + "t", W + "delText", W + "tab"))
    fonts = rpr.find(W + "rFonts") if rpr is not None else None
    return Run(text, _flag(rpr, "b"), _flag(rpr, "u"), rpr is not None and rpr.find(W + "highlight") is not None,
               link, change, fonts.get(W + "eastAsia") if fonts is not None else None)


def _style(ppr) -> str:
    style = ppr.find(W + "pStyle") if ppr is not None else None
    return style.get(W + "val") if style is not None else "Normal"


def paragraphs(path: Path | bytes, view: View = "as-is") -> list[Para]:
    """The body's paragraphs (outside tables) as they read after ``view``."""
    body = part(path, "word/document.xml").find(W + "body")
    out: list[Para] = []
    pending: list[Run] = []  # runs of paragraphs whose mark went away, joined with the next
    for p in body.findall(W + "p"):
        ppr = p.find(W + "pPr")
        mark = None
        if ppr is not None and ppr.find(W + "rPr") is not None:
            mark_rpr = ppr.find(W + "rPr")
            mark = next((kind for kind in ("ins", "del", "moveTo", "moveFrom")
                         if mark_rpr.find(W + kind) is not None), None)
        style, numbering = _style(ppr), _numbering(ppr)
        change = ppr.find(W + "pPrChange") if ppr is not None else None
        old_style = _style(change.find(W + "pPr")) if change is not None else None
        if view == "reject" and old_style is not None:
            style, numbering = old_style, _numbering(change.find(W + "pPr"))
        runs = list(_runs(p, view))
        names = [b.get(W + "name") for b in p.iter(W + "bookmarkStart")]
        if _gone(mark, view):
            pending += runs
            continue
        out.append(Para(style, pending + runs, mark, old_style, names, numbering))
        pending = []
    assert not pending, "the last paragraph's mark cannot be tracked"
    _number(out, part(path, "word/numbering.xml") if any(p.numbering for p in out) else None)
    return out


def _numbering(ppr) -> tuple[str, int] | None:
    num = ppr.find(W + "numPr") if ppr is not None else None
    if num is None or num.find(W + "numId") is None:
        return None
    level = num.find(W + "ilvl")
    return num.find(W + "numId").get(W + "val"), int(level.get(W + "val")) if level is not None else 0


def _number(paragraphs: list[Para], numbering) -> None:
    """Each numbered paragraph's label, counting per abstract numbering as Word does."""
    if numbering is None:
        return
    abstract = {n.get(W + "numId"): n.find(W + "abstractNumId").get(W + "val") for n in numbering.iter(W + "num")}
    levels = {(a.get(W + "abstractNumId"), int(lvl.get(W + "ilvl"))): lvl
              for a in numbering.iter(W + "abstractNum") for lvl in a.iter(W + "lvl")}
    counters: dict[str, list[int]] = {}
    for paragraph in paragraphs:
        if paragraph.numbering is None:
            continue
        num_id, ilvl = paragraph.numbering
        key = abstract[num_id]
        count = counters.setdefault(key, [0] * 9)
        count[ilvl] += 1
        count[ilvl + 1:] = [0] * (8 - ilvl)
        lvl = levels[(key, ilvl)]
        text = lvl.find(W + "lvlText").get(W + "val")
        for n in range(9, 0, -1):
            text = text.replace(f"%{n}", str(count[n - 1]))
        suffix = lvl.find(W + "suff")
        paragraph.label = text + {"space": " ", "nothing": ""}.get(
            suffix.get(W + "val") if suffix is not None else "tab", "\t")


def texts(path: Path | bytes, view: View = "as-is") -> list[str]:
    return [p.text for p in paragraphs(path, view)]


def all_runs(root) -> list:
    return list(root.iter(W + "r"))


def bookmarks(path: Path | bytes) -> dict[str, str]:
    """Bookmark name → the text of the paragraph it starts in."""
    body = part(path, "word/document.xml").find(W + "body")
    found = {}
    for p in body.iter(W + "p"):
        text = "".join(t.text or "" for t in p.iter(W + "t"))
        for start in p.iter(W + "bookmarkStart"):
            found[start.get(W + "name")] = text
    return found


def changes(path: Path | bytes) -> list[ET.Element]:
    root = part(path, "word/document.xml")
    return [e for e in root.iter() if e.tag in (W + "ins", W + "del", W + "rPrChange", W + "pPrChange",
                                                 W + "moveTo", W + "moveFrom")]
