"""What changed between two versions, clause by clause (by id), word by word.

Clauses are matched by their stable id, so inserting one clause is one
insertion: the clauses it renumbers are listed once, in one "renumbered" line,
never as changes of their text; a clause is "moved" only when it changed its
parent or its order among its siblings. Bold is part of the text's meaning
(it is how the agreement draws attention to terms that limit the user's
rights), so a word that became bold or plain is a change too. Chinese has no
spaces between words, so rewording is shown at the level of jieba's words
rather than of whole lines or characters. Places are cited as
:mod:`generator.content.citation` says (「用户的权利与义务」第4.3条).
"""

from __future__ import annotations

import difflib
import functools
import logging
from dataclasses import dataclass
from typing import Iterator, Literal

from generator.content.diff_units import NOTICE, TITLE, UPDATED, Entry, clause_numbers, entries
from generator.content.model import Version

ChangeKind = Literal["added", "removed", "moved", "reworded", "bold", "renumbered"]
# "bold"/"unbold": words that became bold or lost their bold (only in a "bold" change's pieces)
Piece = tuple[Literal["equal", "insert", "delete", "bold", "unbold"], str]
__all__ = ["Change", "Entry", "Piece", "compare", "entries", "redline_text", "word_diff",
           "NOTICE", "TITLE", "UPDATED"]
RENUMBERED = "@numbering"  # the id of the one line that reports renumbering


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    id: str
    old_place: str | None
    new_place: str | None
    pieces: tuple[Piece, ...] = ()  # the word-level redline (reworded), or the bold marks (bold)
    renumbered: tuple[tuple[str, str], ...] = ()  # for "renumbered": each clause's old → new citation
    summary: str = ""  # for "renumbered": the one line a reader sees

    @property
    def place(self) -> str:
        return self.new_place or self.old_place or ""

    @property
    def bold_label(self) -> str:
        """加粗, 取消加粗 or both: how a bold change is named to a reader."""
        ops = {op for op, _ in self.pieces}
        return "、".join(label for op, label in (("bold", "加粗"), ("unbold", "取消加粗")) if op in ops)


def compare(old: Version, new: Version) -> list[Change]:
    """Changes from ``old`` to ``new`` in the new version's reading order, then removals, then
    one line for all renumbering.

    Clauses are matched by id. A clause is "moved" when it changed parent or its
    order among the clauses both versions share; a clause whose number changed
    only because others were inserted or removed before it is renumbered, which
    is reported once for the whole version, never as a change of its text.
    """
    before, after = entries(old, clause_numbers(new)), entries(new)
    moved = _moved(before, after)
    changes, renumbered = [], []
    for key, entry in after.items():
        previous = before.get(key)
        if previous is None:
            changes.append(Change("added", key, None, entry.place, (("insert", entry.text),)))
            continue
        changes += _changes_of(previous, entry, key in moved)
        if key not in moved and previous.number != entry.number:
            renumbered.append((previous, entry))
    changes += [Change("removed", key, entry.place, None, (("delete", entry.text),))
                for key, entry in before.items() if key not in after]
    if renumbered:
        changes.append(_renumbering(renumbered))
    return changes


def _changes_of(previous: Entry, entry: Entry, moved: bool) -> list[Change]:
    found = []
    if previous.text != entry.text:
        found.append(Change("reworded", entry.id, previous.place, entry.place,
                            tuple(word_diff(previous.text, entry.text))))
    bold = bold_pieces(previous, entry)
    if bold:
        found.append(Change("bold", entry.id, previous.place, entry.place, bold))
    if moved:
        found.append(Change("moved", entry.id, previous.place, entry.place))
    return found


def _moved(before: dict[str, Entry], after: dict[str, Entry]) -> set[str]:
    """Ids that changed container, or whose order among the shared ids of their container changed."""
    shared = [key for key in after if key in before]
    moved = {key for key in shared if before[key].container != after[key].container}
    stay = [key for key in shared if key not in moved]
    for container in {after[key].container for key in stay}:
        a = [key for key in before if key in after and key not in moved and before[key].container == container]
        b = [key for key in stay if after[key].container == container]
        matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
        kept = {key for block in matcher.get_matching_blocks() for key in b[block.b : block.b + block.size]}
        moved |= set(b) - kept
    return moved


def _renumbering(pairs: list[tuple[Entry, Entry]]) -> Change:
    """编号变动：「服务范围」第1条起顺延 — one part per list of clauses whose numbers changed
    (the sub-clauses of a renumbered clause go without saying); every clause's old and new
    citation is in ``renumbered``."""
    parts, seen = [], {}
    for old, new in pairs:
        seen.setdefault(old.container, []).append((old, new))
    renumbered = {old.id for old, _ in pairs}
    for container, group in seen.items():
        if container in renumbered:
            continue  # 2.1 → 3.1 follows from 2 → 3: said by its parent's part
        first_old, first_new = group[0]
        direction = "顺延" if _order(first_new.number) > _order(first_old.number) else "前移"
        parts.append(f"{first_old.place}起{direction}")
    return Change("renumbered", RENUMBERED, None, "编号变动",
                  renumbered=tuple((old.place, new.place) for old, new in pairs),
                  summary="编号变动：" + "；".join(parts))


def _order(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split(".") if part.isdigit())


def bold_pieces(old: Entry, new: Entry) -> tuple[Piece, ...]:
    """NEW's words with those that became bold ("bold") or plain ("unbold") marked, when any did.

    Only words in both versions count: new words are an insertion, whatever their weight.
    """
    pieces: list[Piece] = []
    i = j = 0
    edits = [("equal", new.text)] if old.text == new.text else word_diff(old.text, new.text)
    for op, text in edits:
        if op == "delete":
            i += len(text)
            continue
        for k, char in enumerate(text):
            was, now = (old.bold[i + k] if op == "equal" else None), new.bold[j + k]
            kind = "equal" if was in (None, now) else ("bold" if now == "1" else "unbold")
            if pieces and pieces[-1][0] == kind:
                pieces[-1] = (kind, pieces[-1][1] + char)
            else:
                pieces.append((kind, char))
        i, j = i + (len(text) if op == "equal" else 0), j + len(text)
    return tuple(pieces) if any(op != "equal" for op, _ in pieces) else ()


@functools.cache
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)  # it announces its dictionary loading on stderr
    return jieba


def words(text: str) -> list[str]:
    return list(_jieba().cut(text, HMM=False))


def word_diff(old: str, new: str) -> Iterator[Piece]:
    """The edit from old to new as runs of equal, inserted and deleted words."""
    a, b = words(old), words(new)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            yield ("equal", "".join(a[i1:i2]))
            continue
        if op in ("delete", "replace"):
            yield ("delete", "".join(a[i1:i2]))
        if op in ("insert", "replace"):
            yield ("insert", "".join(b[j1:j2]))


MARKS = {"insert": "{{+{}+}}", "delete": "[-{}-]", "bold": "{{加粗：{}}}", "unbold": "[取消加粗：{}]"}


def redline_text(pieces: tuple[Piece, ...], context: int = 12) -> str:
    """``…并接受本服务[-款-]{+条款+}约束…``: changes marked, long equal runs trimmed.

    Words that became bold read ``{加粗：…}``, words that lost it ``[取消加粗：…]``.
    """
    out = []
    for index, (op, text) in enumerate(pieces):
        if op in MARKS:
            out.append(MARKS[op].format(text))
        else:
            out.append(_trim(text, context, first=index == 0, last=index == len(pieces) - 1))
    return "".join(out)


def _trim(text: str, context: int, *, first: bool, last: bool) -> str:
    if len(text) <= 2 * context + 1:
        return text
    head = "" if first else text[:context]
    tail = "" if last else text[-context:]
    return f"{head}…{tail}"


def change_line(change: Change) -> str:
    """One change as `agreements diff` prints it: kind, id, place, then the marked words."""
    if change.kind == "renumbered":
        return f"{change.kind:<10} {change.summary}"
    if change.kind == "moved":
        return f"{change.kind:<10} {change.id}: {change.old_place} → {change.new_place}"
    return f"{change.kind:<10} {change.id} ({change.place}): " + redline_text(change.pieces).replace("\n", " ¶ ")


def change_record(change: Change) -> dict:
    """One change as `agreements diff --format json` gives it."""
    record = {"kind": change.kind, "id": change.id, "old_place": change.old_place,
              "new_place": change.new_place, "pieces": [list(piece) for piece in change.pieces]}
    if change.kind == "renumbered":
        record |= {"summary": change.summary, "renumbered": [list(pair) for pair in change.renumbered]}
    return record
