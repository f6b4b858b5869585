"""A clause that moved is one move in the Word redline (issue 17 item 5), not a deletion plus an
insertion: ``w:moveFrom`` in a ``w:moveFromRangeStart``/``End`` at the old place and ``w:moveTo``
in a ``w:moveToRangeStart``/``End`` at the new one, the two ranges sharing one ``w:name``
(ECMA-376 Part 1, 17.13.5.22-27), every ``w:id`` unique.

Referees: this suite's own XML reader (docx_reader: a move accepted is the text at its new
place, rejected at its old one) and LibreOffice's accept-all / reject-all.
"""

from __future__ import annotations

from collections import Counter

import docx_reader as dr
from libreoffice import reviewed_lines
from redline_fixture import MOVED, MOVED_FIXTURE, MOVED_NEW, MOVED_OLD
from word_helpers import agreements_text

RANGES = ("moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd")


def _document(word_files):
    return dr.part(word_files.fixture["moved"], "word/document.xml")


def test_the_moved_clause_is_one_named_move(word_files):
    root = _document(word_files)
    starts = {kind: root.findall(f".//{dr.W}{kind}RangeStart") for kind in ("moveFrom", "moveTo")}
    assert [len(found) for found in starts.values()] == [1, 1]
    [source], [target] = starts.values()
    assert source.get(dr.W + "name") == target.get(dr.W + "name")
    for kind, start in (("moveFrom", source), ("moveTo", target)):
        ends = root.findall(f".//{dr.W}{kind}RangeEnd")
        assert [end.get(dr.W + "id") for end in ends] == [start.get(dr.W + "id")]
        moved_text = "".join(t.text or "" for change in root.iter(dr.W + kind) for t in change.iter(dr.W + "t"))
        assert moved_text == MOVED[1], kind
    # nothing else changed: no insertion or deletion, and the moved-away words stay w:t
    assert not list(root.iter(dr.W + "ins")) and not list(root.iter(dr.W + "del"))
    assert not list(root.iter(dr.W + "delText"))


def test_every_change_range_and_bookmark_id_is_unique(word_files):
    root = _document(word_files)
    ids = [element.get(dr.W + "id") for element in root.iter()
           if element.tag in {dr.W + t for t in ("moveFrom", "moveTo", "ins", "del", "rPrChange", "pPrChange",
                                                  "moveFromRangeStart", "moveToRangeStart", "bookmarkStart")}]
    assert ids and Counter(ids).most_common(1)[0][1] == 1


def test_the_move_carries_its_paragraph_mark(word_files):
    marks = Counter(p.mark for p in dr.paragraphs(word_files.fixture["moved"]))
    assert marks["moveFrom"] == marks["moveTo"] == 1 and marks["ins"] == marks["del"] == 0


def test_our_reader_accepts_to_new_and_rejects_to_old(word_files):
    path = word_files.fixture["moved"]
    assert dr.texts(path, "reject") == agreements_text(MOVED_FIXTURE, MOVED_OLD)
    assert dr.texts(path, "accept") == agreements_text(MOVED_FIXTURE, MOVED_NEW)
    for view in ("reject", "accept"):
        bold = [s for p in dr.paragraphs(path, view) for s in p.bold_spans()]
        assert bold.count(MOVED[1]) == 1, view


def test_libreoffice_accepts_to_new_and_rejects_to_old(word_files, reviewed):
    path = word_files.fixture["moved"]
    assert reviewed_lines(reviewed[(path, "reject")][0]) == agreements_text(MOVED_FIXTURE, MOVED_OLD)
    assert reviewed_lines(reviewed[(path, "accept")][0]) == agreements_text(MOVED_FIXTURE, MOVED_NEW)
