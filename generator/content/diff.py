"""What changed between two versions, clause by clause (by id), word by word.

Clauses are matched by their stable id, so a renumbered clause is "moved", not
"removed and added". Chinese has no spaces between words, so rewording is
shown at the level of jieba's words rather than of whole lines or characters.
"""

from __future__ import annotations

import difflib
import functools
import logging
from dataclasses import dataclass
from typing import Iterator, Literal

from generator.content.model import Clause, Version
from generator.content.text import citations, runs_text

ChangeKind = Literal["added", "removed", "moved", "reworded"]
Piece = tuple[Literal["equal", "insert", "delete"], str]


@dataclass(frozen=True)
class Entry:
    """A clause (or the notice, a title, the 更新日期 line) as plain text with its place."""

    id: str
    place: str  # where a reader finds it: "4.2.5 用户的权利与义务", "附录二 · 第 3 项"
    text: str
    position: tuple  # where it is in the structure: (section id, number); a move changes it


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    id: str
    old_place: str | None
    new_place: str | None
    pieces: tuple[Piece, ...] = ()  # the word-level redline, for reworded clauses

    @property
    def place(self) -> str:
        return self.new_place or self.old_place or ""


# The parts that are not clauses; "@" cannot start an id, so they never meet a clause's.
TITLE, NOTICE, UPDATED = "@title", "@notice", "@updated"


def entries(version: Version) -> dict[str, Entry]:
    """Every comparable unit of a version in reading order, keyed by id."""
    agreement = version.agreement
    cited = citations(version)
    found = {TITLE: Entry(TITLE, "标题", agreement.title, (TITLE,)),
             NOTICE: Entry(NOTICE, "特别提醒", "\n".join(runs_text(p, version) for p in agreement.notice),
                           (NOTICE,))}
    for index, section in enumerate(agreement.sections):
        found[section.id] = Entry(section.id, section.title, section.title, ("section", index))
        for clause in section.clauses:
            for each in clause.walk():
                found[each.id] = Entry(each.id, cited[each.id],
                                       _clause_text(each, version), (section.id, each.number))
    found[UPDATED] = Entry(UPDATED, "更新日期", runs_text(agreement.updated, version), (UPDATED,))
    for appendix in version.appendices:
        for index, clause in enumerate(appendix.clauses, start=1):
            found[clause.id] = Entry(clause.id, cited[clause.id], _clause_text(clause, version),
                                     (appendix.id, index))
    return found


def _clause_text(clause: Clause, version: Version) -> str:
    parts = [runs_text(clause.title, version)] if clause.title else []
    parts += [runs_text(p, version) for p in clause.paragraphs]
    return "\n".join(parts)


def compare(old: Version, new: Version) -> list[Change]:
    """Changes from ``old`` to ``new`` in the new version's reading order, removals last."""
    before, after = entries(old), entries(new)
    changes = []
    for key, entry in after.items():
        previous = before.get(key)
        if previous is None:
            changes.append(Change("added", key, None, entry.place, (("insert", entry.text),)))
            continue
        if previous.text != entry.text:
            changes.append(Change("reworded", key, previous.place, entry.place,
                                  tuple(word_diff(previous.text, entry.text))))
        if previous.position != entry.position:
            changes.append(Change("moved", key, previous.place, entry.place))
    for key, entry in before.items():
        if key not in after:
            changes.append(Change("removed", key, entry.place, None, (("delete", entry.text),)))
    return changes


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


def redline_text(pieces: tuple[Piece, ...], context: int = 12) -> str:
    """``…并接受本服务[-款-]{+条款+}约束…``: changes marked, long equal runs trimmed."""
    out = []
    for index, (op, text) in enumerate(pieces):
        if op == "insert":
            out.append(f"{{+{text}+}}")
        elif op == "delete":
            out.append(f"[-{text}-]")
        else:
            out.append(_trim(text, context, first=index == 0, last=index == len(pieces) - 1))
    return "".join(out)


def _trim(text: str, context: int, *, first: bool, last: bool) -> str:
    if len(text) <= 2 * context + 1:
        return text
    head = "" if first else text[:context]
    tail = "" if last else text[-context:]
    return f"{head}…{tail}"
