"""A clause that moved is one move in the Word redline (issue 17 item 5), not a deletion plus an
insertion: ``w:moveFrom`` in a ``w:moveFromRangeStart``/``End`` at the old place and ``w:moveTo``
in a ``w:moveToRangeStart``/``End`` at the new one, the two ranges sharing one ``w:name``
(ECMA-376 Part 1, 17.13.5.22-27), a clause and its sub-clauses in one range, every ``w:id``
unique.

Referees: this suite's own XML reader (docx_reader: a move accepted is the text at its new
place, rejected at its old one) and LibreOffice's accept-all / reject-all on the fixture
(tests/fixtures/redline-moved). LibreOffice 7.4 mishandles a block of several paragraphs whose
last is a sub-clause followed by a higher-level clause (an empty paragraph is left behind; the
same block as deletion plus insertion gets a wrong list level instead): that case is checked
with the XML reader only (see generator/contracts/word/redline.py, move_names).
"""

from __future__ import annotations

import shutil
from collections import Counter

import docx_reader as dr
from libreoffice import reviewed_lines
from redline_fixture import MOVED, MOVED_FIXTURE, MOVED_NEW, MOVED_OLD
from word_helpers import agreements_text, cli


def _ranges(root) -> dict[tuple[str, str], list[str]]:
    """(kind, w:name) → the moved paragraphs' texts inside that range, in document order."""
    found: dict[tuple[str, str], list[str]] = {}
    open_range: dict[str, tuple[str, str]] = {}  # kind → its open range, between start and end
    for paragraph in root.find(dr.W + "body").findall(dr.W + "p"):
        texts: dict[tuple[str, str], str] = {}
        for element in paragraph.iter():
            kind = element.tag[len(dr.W):]
            if kind in ("moveFromRangeStart", "moveToRangeStart"):
                key = (kind[:-len("RangeStart")], element.get(dr.W + "name"))
                assert key not in found, f"{key} starts twice"
                open_range[key[0]] = key
                found[key] = []
            elif kind in ("moveFromRangeEnd", "moveToRangeEnd"):
                open_range.pop(kind[:-len("RangeEnd")])
            elif kind in ("moveFrom", "moveTo") and len(element):  # a run wrapper, not a mark's
                assert kind in open_range, f"a {kind} outside any move range"
                key = open_range[kind]
                texts[key] = texts.get(key, "") + "".join(t.text or "" for t in element.iter(dr.W + "t"))
        for key, text in texts.items():
            found[key].append(text)
    assert not open_range, f"move ranges never closed: {open_range}"
    return found


def test_the_moved_clause_is_one_named_move(word_files):
    root = dr.part(word_files.fixture["moved"], "word/document.xml")
    ranges = _ranges(root)
    assert sorted(ranges) == [("moveFrom", "move1"), ("moveTo", "move1")]
    assert ranges[("moveFrom", "move1")] == ranges[("moveTo", "move1")] == [MOVED[1]]
    # nothing else changed: no insertion or deletion, and the moved-away words stay w:t
    assert not list(root.iter(dr.W + "ins")) and not list(root.iter(dr.W + "del"))
    assert not list(root.iter(dr.W + "delText"))


def test_every_change_range_and_bookmark_id_is_unique(word_files):
    root = dr.part(word_files.fixture["moved"], "word/document.xml")
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


def _move_block(lines: list[str], clause: str, before: str) -> None:
    """Move ``clause`` (with its sub-clauses) in an agreement.yml's lines to just before ``before``."""
    def block(ident: str) -> tuple[int, int]:
        start = next(n for n, line in enumerate(lines) if line.strip() == f"- id: {ident}")
        indent = len(lines[start]) - len(lines[start].lstrip())
        end = start + 1
        while end < len(lines) and not (lines[end].strip().startswith("- id:")
                                        and len(lines[end]) - len(lines[end].lstrip()) <= indent):
            end += 1
        return start, end

    start, end = block(clause)
    moved = lines[start:end]
    del lines[start:end]
    at, _ = block(before)
    lines[at:at] = moved


def test_a_clause_with_its_sub_clauses_moves_as_one_range(tmp_path):
    """obligations.verification and its two sub-clauses, three places down: one move range of
    three paragraphs at each end, read back by the XML reader."""
    root = tmp_path / "project"
    shutil.copytree(MOVED_FIXTURE, root)
    agreement = root / "content" / "versions" / MOVED_NEW / "agreement.yml"
    lines = agreement.read_text(encoding="utf-8").split("\n")
    _move_block(lines, "obligations.verification", "obligations.misoperation")
    agreement.write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "moved.docx"
    cli("--root", str(root), "redline", MOVED_OLD, MOVED_NEW, "--out", str(out))
    ranges = _ranges(dr.part(out, "word/document.xml"))
    assert sorted(name for _kind, name in ranges) == ["move1", "move1", "move2", "move2"]
    block = ranges[("moveTo", "move2")]
    assert ranges[("moveFrom", "move2")] == block and len(block) == 3
    assert block[0] == "针对信息查询核验类 API 接口,您理解并同意："
    assert dr.texts(out, "reject") == agreements_text(root, MOVED_OLD)
    assert dr.texts(out, "accept") == agreements_text(root, MOVED_NEW)
