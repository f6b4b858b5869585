"""A redline: NEW as a Word document whose differences from OLD are tracked changes.

Rejecting every change gives OLD's text and accepting every change gives NEW's,
paragraph for paragraph as `agreements text` prints them:

- paragraphs are matched by key (the clause's id and the paragraph's place in it)
  in reading order, as `agreements diff` matches clauses by id; a matched
  paragraph's words are compared with the same jieba word diff
  (:func:`generator.content.diff.word_diff`), and its changed words become
  ``w:del``/``w:ins``;
- a paragraph only in one version is deleted or inserted whole, its paragraph
  mark included; a paragraph that changed places (its clause moved, not merely
  its number) is a move (ECMA-376 17.13.5.22-27): ``w:moveFrom`` inside a
  ``w:moveFromRangeStart``/``End`` at the old place, ``w:moveTo`` inside a
  ``w:moveToRangeStart``/``End`` at the new one, both ranges with the same
  ``w:name`` — Word shows it as one moved block, and accepting or rejecting the
  move keeps it in one place (:func:`move_names`);
- a word that only turned bold (or plain) carries ``w:rPrChange``, a paragraph
  whose style changed ``w:pPrChange``, so rejecting restores OLD's look too;
  each paragraph mark carries the properties of the paragraph it ends in
  either view (:func:`mark_owners`).

Every change is by ``word.author`` of site_config.yml, dated with NEW's date.
python-docx has no API for tracked changes, so these elements are raw
WordprocessingML; the runs inside them are made by python-docx as usual.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import itertools
from dataclasses import dataclass, replace
from typing import Iterator, Literal

from docx.document import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from generator.content.config import SiteConfig
from generator.content.diff import word_diff
from generator.content.model import Version
from generator.content.text import Paragraph, Role, paragraph_text, paragraphs
from generator.contracts.word.body import add_footer, anchors, version_date
from generator.contracts.word.document import add_styled_paragraph, new_document, track_revisions
from generator.contracts.word.numbering import Level, Numbering, unnumbered
from generator.contracts.word.package import Properties, docx_bytes
from generator.contracts.word.runs import Bookmarks, Segment, add_run, link, segments, wrap

Status = Literal["kept", "inserted", "deleted"]
_TAGS = {"inserted": "w:ins", "deleted": "w:del"}
_MOVE_TAGS = {"inserted": "w:moveTo", "deleted": "w:moveFrom"}


def redline_name(old: str, new: str) -> str:
    return f"redline_{old}_{new}.docx"


@dataclass(frozen=True)
class Row:
    """One paragraph of the redline: in both versions (``kept``), or only in one."""

    status: Status
    old: Paragraph | None
    new: Paragraph | None
    old_level: Level | None = None  # the list level that numbers the paragraph in each version
    new_level: Level | None = None


Numbered = tuple[Paragraph, "Level | None"]


def align(old: list[Numbered], new: list[Numbered]) -> list[Row]:
    """The paragraphs of both versions in one reading order, matched by key.

    Within a stretch that differs, OLD's paragraphs come first, then NEW's (as
    Word shows a replacement). The title's key is in every version, so the first
    row is always kept.
    """
    matcher = difflib.SequenceMatcher(a=[p.key for p, _ in old], b=[p.key for p, _ in new], autojunk=False)
    rows: list[Row] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows += [Row("kept", a, b, la, lb) for (a, la), (b, lb) in zip(old[i1:i2], new[j1:j2])]
            continue
        rows += [Row("deleted", a, None, la) for a, la in old[i1:i2]]
        rows += [Row("inserted", None, b, None, lb) for b, lb in new[j1:j2]]
    return rows


@dataclass(frozen=True)
class Move:
    """A paragraph that changed places, in the move range it shares with its neighbours."""

    name: str  # the w:name of both ranges, the one it left and the one it went to
    first: bool  # the range starts in this paragraph
    last: bool  # and ends in this one


def move_names(rows: list[Row]) -> dict[str, Move]:
    """The paragraphs that changed places — deleted at one place and inserted at another with
    the same key — grouped into one range per block that moved together (a clause and its
    sub-clauses: one moved mark), each range pair named ``move1``, ``move2`` … in NEW's order.

    LibreOffice 7.4 as referee handles a moved clause of one paragraph; a block of several
    whose last paragraph is a sub-clause followed by a clause of a higher level leaves an
    empty paragraph there in LibreOffice (written as a deletion plus an insertion, the same
    block gets a wrong list level there instead: the paragraph marks' properties, not the
    move), while the XML reader of the tests accepts and rejects both correctly."""
    gone = {row.old.key for row in rows if row.status == "deleted"}
    came = [row.new.key for row in rows if row.status == "inserted" and row.new.key in gone]
    moved = set(came)
    after = dict(_neighbours(rows, "deleted", moved))       # next to each other at the old place
    after_new = dict(_neighbours(rows, "inserted", moved))  # and at the new one
    blocks: list[list[str]] = []
    previous = None
    for key in came:
        if blocks and after.get(previous) == key and after_new.get(previous) == key:
            blocks[-1].append(key)
        else:
            blocks.append([key])
        previous = key
    return {key: Move(f"move{number}", key == block[0], key == block[-1])
            for number, block in enumerate(blocks, 1) for key in block}


def _neighbours(rows: list[Row], status: Status, keys: set[str]) -> Iterator[tuple[str, str]]:
    """Consecutive rows of ``status`` whose keys both moved: (key, the next row's key)."""
    for one, two in itertools.pairwise(rows):
        if one.status == two.status == status:
            a, b = (one.old or one.new).key, (two.old or two.new).key
            if a in keys and b in keys:
                yield a, b


def mark_statuses(rows: list[Row]) -> list[Status]:
    """Whether each paragraph's mark (¶) is kept, inserted or deleted.

    A paragraph that is inserted or deleted takes its own mark along, so that
    accepting or rejecting leaves no empty paragraph behind. The document's last
    mark cannot be tracked, though: when the last rows are all inserted or
    deleted, each of them gives its status to the mark *before* it instead, the
    last kept paragraph's included (``X¶ D¶ I¶`` becomes ``X ¶D ¶I¶``).
    """
    statuses = [row.status for row in rows]
    tail = len(rows)
    while tail > 0 and rows[tail - 1].status != "kept":
        tail -= 1
    if tail < len(rows):
        assert tail > 0, "the title is in both versions, so some row is kept"
        statuses[tail - 1 : len(rows) - 1] = [row.status for row in rows[tail:]]
        statuses[-1] = "kept"
    return statuses


def mark_owners(rows: list[Row], marks: list[Status]) -> list[tuple[Row | None, Row | None]]:
    """Whose paragraph each mark ends once all changes are accepted, and once all are rejected.

    A mark holds its paragraph's properties (style, centring, page break), so
    it must carry those of the text it ends in each view: its own row's, except
    at the end of the document, where the marks are shifted (see
    :func:`mark_statuses`). ``None`` where the mark is gone in that view.
    """
    owners: list[tuple[Row | None, Row | None]] = []
    accepted = rejected = None
    for row, mark in zip(rows, marks):
        accepted = row if row.status != "deleted" else accepted
        rejected = row if row.status != "inserted" else rejected
        owners.append((accepted if mark != "deleted" else None, rejected if mark != "inserted" else None))
    return owners


class Revisions:
    """The author, date and ids of the tracked changes (ids shared with the bookmarks)."""

    def __init__(self, author: str, date: dt.date, numbers: Iterator[int]) -> None:
        self.author, self.numbers = author, numbers
        self.date = f"{date.isoformat()}T00:00:00Z"

    def element(self, tag: str):
        return OxmlElement(tag, {qn("w:id"): str(next(self.numbers)), qn("w:author"): self.author,
                                 qn("w:date"): self.date})


class RedlineWriter:
    """Writes the rows into a python-docx document, one Word paragraph per row."""

    def __init__(self, document: Document, old: Version, new: Version, revisions: Revisions,
                 bookmarks: Bookmarks, moves: dict[str, Move] | None = None) -> None:
        self.document, self.old, self.new = document, old, new
        self.revisions, self.bookmarks = revisions, bookmarks
        self.numbering = Numbering(document)
        self.moves = moves or {}  # paragraph key → its move range (see move_names)
        self._range_ids: dict[str, str] = {}  # the open move range's w:id, per kind

    def write(self, row: Row, mark: Status, owners: tuple[Row | None, Row | None]) -> None:
        """The row's words, and a mark with the properties of the paragraph it ends (``owners``)."""
        accepted, rejected = owners
        # Where this mark is gone in a view, Word keeps the properties of the mark its text joins,
        # but LibreOffice those of the first paragraph joined: describe the row's own text there.
        accepted = accepted or (row if row.status != "deleted" else None)
        rejected = rejected or (row if row.status != "inserted" else None)
        role, level = (accepted.new.role, accepted.new_level) if accepted else (None, None)
        old_role, old_level = (rejected.old.role, rejected.old_level) if rejected else (None, None)
        paragraph = add_styled_paragraph(self.document, role or old_role)
        self.numbering.number(paragraph._p, level if accepted else old_level)
        if accepted and rejected and (role, level) != (old_role, old_level):
            self._style_change(paragraph, old_role, old_level)
        move = self.moves.get((row.old or row.new).key) if row.status != "kept" else None
        if row.status == "kept":
            self._kept_words(paragraph, row.old, row.new)
        elif row.status == "inserted":
            for segment in segments(row.new, self.new):
                self._add(paragraph, segment, "inserted", moved=move is not None)
        else:
            for segment in segments(row.old, self.old):
                self._add(paragraph, segment, "deleted", moved=move is not None)
        if move:
            self._move_range(paragraph, row.status, move)
        if row.new and row.new.anchor:
            self.bookmarks.wrap(paragraph._p, row.new.anchor)
        if mark != "kept":  # a mark shifted from another row (end of document) is a plain one
            self._mark(paragraph, mark, moved=move is not None and mark == row.status)

    def _kept_words(self, paragraph, old: Paragraph, new: Paragraph) -> None:
        """The word diff of the two texts, each piece carrying its own version's formatting."""
        before, after = segments(old, self.old), segments(new, self.new)
        i = j = 0
        for op, text in word_diff(paragraph_text(old, self.old), paragraph_text(new, self.new)):
            if op == "delete":
                for segment in cut(before, i, i + len(text)):
                    self._add(paragraph, segment, "deleted")
                i += len(text)
            elif op == "insert":
                for segment in cut(after, j, j + len(text)):
                    self._add(paragraph, segment, "inserted")
                j += len(text)
            else:
                for was, now in paired(cut(before, i, i + len(text)), cut(after, j, j + len(text))):
                    self._add(paragraph, now, "kept", was=was)
                i, j = i + len(text), j + len(text)

    def _add(self, paragraph, segment: Segment, status: Status, was: Segment | None = None,
             moved: bool = False) -> None:
        """One run, inside a link when it is a reference and inside w:ins/w:del (w:moveTo/
        w:moveFrom when it moved) when changed."""
        r = add_run(paragraph, segment)
        if was is not None and was.look != segment.look:
            self._look_change(paragraph, r, was)
        if status == "deleted" and not moved:  # moved-away text stays w:t (17.13.5.22)
            for text in r.iter(qn("w:t")):
                text.tag = qn("w:delText")
        anchor = self.bookmarks.name(segment.link) if segment.link else None
        if anchor:
            link(r, anchor)
        if status != "kept":
            tag = (_MOVE_TAGS if moved else _TAGS)[status]
            wrap(r, lambda: self.revisions.element(tag), lambda e: e.tag == qn(tag))

    def _move_range(self, paragraph, status: Status, move: Move) -> None:
        """Raw XML: where a named move range starts (w:moveFromRangeStart, or w:moveToRangeStart)
        and ends, around the paragraphs that moved together; the name is shared with the other end."""
        kind = _MOVE_TAGS[status]
        if move.first:
            self._range_ids[kind] = str(next(self.revisions.numbers))
            start = self.revisions.element(f"{kind}RangeStart")
            start.set(qn("w:id"), self._range_ids[kind])
            start.set(qn("w:name"), move.name)
            properties = paragraph._p.find(qn("w:pPr"))
            if properties is not None:
                properties.addnext(start)
            else:
                paragraph._p.insert(0, start)
        if move.last:
            paragraph._p.append(OxmlElement(f"{kind}RangeEnd", {qn("w:id"): self._range_ids[kind]}))

    def _look_change(self, paragraph, r, was: Segment) -> None:
        """Raw XML: w:rPrChange holding the run properties the words had in OLD."""
        scratch = add_run(paragraph, was)
        before = copy.deepcopy(scratch.find(qn("w:rPr")))
        scratch.getparent().remove(scratch)
        change = self.revisions.element("w:rPrChange")
        change.append(before)
        r.find(qn("w:rPr")).append(change)

    def _style_change(self, paragraph, old_role: Role, old_level: Level | None) -> None:
        """Raw XML: w:pPrChange holding the paragraph properties (style, numbering) OLD's paragraph had."""
        scratch = add_styled_paragraph(self.document, old_role)
        self.numbering.number(scratch._p, old_level)
        before = scratch._p.get_or_add_pPr()
        scratch._p.getparent().remove(scratch._p)
        change = self.revisions.element("w:pPrChange")
        change.append(before)
        paragraph._p.get_or_add_pPr().append(change)

    def _mark(self, paragraph, status: Status, moved: bool = False) -> None:
        """Raw XML: the paragraph mark inserted or deleted (w:pPr/w:rPr/w:ins|w:del), or moved
        (w:moveTo|w:moveFrom)."""
        properties = OxmlElement("w:rPr")
        properties.append(self.revisions.element((_MOVE_TAGS if moved else _TAGS)[status]))
        paragraph._p.get_or_add_pPr().insert_element_before(properties, "w:sectPr", "w:pPrChange")


def cut(items: list[Segment], start: int, end: int) -> list[Segment]:
    """The segments' characters ``start:end``, each piece keeping its formatting."""
    out, position = [], 0
    for segment in items:
        first, last = position, position + len(segment.text)
        position = last
        low, high = max(first, start), min(last, end)
        if low < high:
            out.append(replace(segment, text=segment.text[low - first : high - first]))
    return out


def paired(before: list[Segment], after: list[Segment]) -> Iterator[tuple[Segment, Segment]]:
    """Two segmentations of the same text, split where either changes formatting."""
    old, new = list(before), list(after)
    while new:
        size = min(len(old[0].text), len(new[0].text))
        yield replace(old[0], text=old[0].text[:size]), replace(new[0], text=new[0].text[:size])
        for side in (old, new):
            rest = side[0].text[size:]
            if rest:
                side[0] = replace(side[0], text=rest)
            else:
                side.pop(0)


def redline_docx(config: SiteConfig, old: Version, new: Version) -> bytes:
    """NEW with its differences from OLD as tracked changes, reproducibly."""
    before, after = list(unnumbered(paragraphs(old), old)), list(unnumbered(paragraphs(new), new))
    rows = align(before, after)
    document = new_document(config.pdf.font_family)
    track_revisions(document)
    numbers = itertools.count(1)
    new_date = version_date(new)
    author = config.word.author or config.provider.name
    writer = RedlineWriter(document, old, new, Revisions(author, new_date, numbers),
                           Bookmarks(anchors(p for p, _ in after), numbers), move_names(rows))
    marks = mark_statuses(rows)
    for row, mark, owners in zip(rows, marks, mark_owners(rows, marks)):
        writer.write(row, mark, owners)
    title = new.agreement.title
    add_footer(document, f"{title} · 修订对照 {old.date} → {new.date}")
    return docx_bytes(document, Properties(
        title=f"{title}（{old.date} → {new.date} 修订对照）", author=author, date=new_date,
        subject=config.product, company=config.provider.name,
        description=f"版本 {new.date} 相对 {old.date} 的修改，以修订（跟踪更改）标出；"
                    "全部拒绝即为旧版本，全部接受即为新版本。"))
