"""The Word redline of the seven-edit fixture shows exactly the real changes.

Seven edits of words (w:del/w:ins inside their paragraphs), one inserted clause
(a paragraph inserted whole), one clause made bold (w:rPrChange) — and nothing
for the clauses the insertion renumbers: their numbers are Word's automatic
numbering, so no tracked change touches them.

LibreOffice 7.4 as referee for the bold change: it has known bugs rejecting
formatting changes, so it was checked first. On these files it accepts and
rejects w:rPrChange correctly in both directions (bold added, and — in the
backward redline — bold removed); the tests below check that through its own
accept-all / reject-all, and check the same with this suite's XML reader.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

import docx_reader as dr
from libreoffice import html_bold_spans, reviewed_lines
from redline_fixture import EDITS, FIXTURE, INSERTED, MADE_BOLD, NEW, OLD
from word_helpers import agreements_text


def _changed(path) -> dict[str, list[tuple[str, str]]]:
    """Paragraph text after accepting → its changed runs (kind, text), for each paragraph with any."""
    found = {}
    for paragraph in dr.paragraphs(path):
        runs = [(r.change, r.text) for r in paragraph.runs if r.change]
        if runs or paragraph.mark:
            found["".join(r.text for r in paragraph.runs if r.change != "del")] = runs
    return found


def test_only_the_real_changes_are_tracked(word_files):
    path = word_files.fixture["forward"]
    changed = _changed(path)
    assert len(changed) == len(EDITS) + 1  # the seven edited paragraphs and the inserted one
    assert changed[INSERTED[1]] == [("ins", INSERTED[1])]
    edited = [runs for text, runs in changed.items() if text != INSERTED[1]]
    firsts = sorted((next((t for k, t in runs if k == "del"), ""), next((t for k, t in runs if k == "ins"), ""))
                    for runs in edited)
    assert firsts == sorted(EDITS.values())
    formats = [e for e in dr.changes(path) if e.tag == dr.W + "rPrChange"]
    assert len(formats) == 1 and not [e for e in dr.changes(path) if e.tag == dr.W + "pPrChange"]
    bold_runs = [r for p in dr.paragraphs(path) for r in p.runs if r.bold and r.text == MADE_BOLD[1]]
    assert len(bold_runs) == 1


def test_the_renumbered_clauses_carry_no_tracked_change(word_files):
    """「服务范围」's clauses 1, 2 became 2, 3: their numbers are automatic, in both views."""
    path = word_files.fixture["forward"]
    labels = {view: [p.label for p in dr.paragraphs(path, view) if p.label] for view in ("reject", "accept")}
    assert labels["accept"][:3] == ["1. ", "2. ", "3. "] and labels["reject"][:2] == ["1. ", "2. "]
    changed_words = [t for text, runs in _changed(path).items() if not text.startswith("本协议更新日期")
                     for _, t in runs]  # the 更新日期 line's date is one of the seven edits
    assert changed_words and not any(t.strip(". ").isdigit() for t in changed_words)


@pytest.mark.parametrize("direction", ["forward", "backward"])
def test_reject_all_gives_old_and_accept_all_gives_new_with_their_bold(word_files, direction):
    path = word_files.fixture[direction]
    old, new = (OLD, NEW) if direction == "forward" else (NEW, OLD)
    assert dr.texts(path, "reject") == agreements_text(FIXTURE, old)
    assert dr.texts(path, "accept") == agreements_text(FIXTURE, new)
    bold = {view: {s for p in dr.paragraphs(path, view) for s in p.bold_spans()} for view in ("reject", "accept")}
    made, lost = ("accept", "reject") if direction == "forward" else ("reject", "accept")
    assert MADE_BOLD[1] in bold[made] and MADE_BOLD[1] not in bold[lost]


@pytest.mark.parametrize("direction", ["forward", "backward"])
def test_libreoffice_accepts_and_rejects_text_numbers_and_bold(word_files, reviewed, direction):
    path = word_files.fixture[direction]
    old, new = (OLD, NEW) if direction == "forward" else (NEW, OLD)
    assert reviewed_lines(reviewed[(path, "reject")][0]) == agreements_text(FIXTURE, old)
    assert reviewed_lines(reviewed[(path, "accept")][0]) == agreements_text(FIXTURE, new)
    made, lost = ("accept", "reject") if direction == "forward" else ("reject", "accept")
    assert MADE_BOLD[1] in html_bold_spans(reviewed[(path, made)][1])
    assert MADE_BOLD[1] not in html_bold_spans(reviewed[(path, lost)][1])


def test_deleted_words_are_deletion_text_inside_the_deletions(word_files):
    """ECMA-376 17.3.3.7: text inside w:del is w:delText. Were it w:t, Word would call the
    file corrupt; were it dropped, rejecting could not restore the words."""
    root = dr.part(word_files.fixture["forward"], "word/document.xml")
    deletions = list(root.iter(dr.W + "del"))
    in_runs = [d for d in deletions if d.find(dr.W + "r") is not None]
    assert in_runs
    texts = ["".join(t.text or "" for t in d.iter(dr.W + "delText")) for d in in_runs]
    assert not [d for d in in_runs if d.find(f".//{dr.W}t") is not None]
    assert sorted(texts) == sorted([old for old, _ in EDITS.values() if old] + ["【12】", "【20】"])
    assert not [t for t in root.iter(dr.W + "delText") if not _inside_deletion(root, t)]


def _inside_deletion(root: ET.Element, element: ET.Element) -> bool:
    parents = {child: parent for parent in root.iter() for child in parent}
    while element in parents:
        element = parents[element]
        if element.tag == dr.W + "del":
            return True
    return False


def test_references_in_the_redline_are_links_to_their_clauses(word_files):
    """A {ref:…} reads as a link to the clause's bookmark in the redline as in the version
    (kills the mutants that drop the link of a run)."""
    root = dr.part(word_files.redline, "word/document.xml")
    anchors = [link.get(dr.W + "anchor") for link in root.iter(dr.W + "hyperlink")]
    bookmarks = {mark.get(dr.W + "name") for mark in root.iter(dr.W + "bookmarkStart")}
    assert anchors and all(anchor in bookmarks for anchor in anchors), (anchors, sorted(bookmarks)[:5])
    texts = ["".join(t.text or "" for t in link.iter() if t.tag in (dr.W + "t", dr.W + "delText"))
             for link in root.iter(dr.W + "hyperlink")]
    assert all(text.strip() for text in texts)  # each link holds the reference's words
