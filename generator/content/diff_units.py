"""The units a diff compares: every clause (and the title, notice, section titles, 更新日期)
as plain text with its bold, its citation and where it sits in the structure.

Two versions are compared by id, so only what a reader would call a change may
differ between two units of the same id: a reference to a clause that was merely
renumbered reads the same in both (OLD's reference is written with NEW's
number), and a clause's own number is not part of its text — renumbering is
reported once, apart (:func:`generator.content.diff.compare`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

from generator.content.citation import citations
from generator.content.model import Clause, Runs, Version

# The parts that are not clauses; "@" cannot start an id, so they never meet a clause's.
TITLE, NOTICE, UPDATED = "@title", "@notice", "@updated"
SECTIONS = "@sections"  # the container of the sections, for telling a moved section


@dataclass(frozen=True)
class Entry:
    """A clause (or the notice, a title, the 更新日期 line) as plain text with its place."""

    id: str
    place: str  # how a reader cites it: 「用户的权利与义务」第4.2.5条, 附录二第3条, 特别提醒
    text: str
    position: tuple  # where it is in the structure: (container id, number); a move changes it
    bold: str = ""  # one "1" (bold) or "0" per character of ``text``
    container: str = ""  # the section, parent clause or appendix it belongs to
    number: str = ""  # its clause number ("4.2.5"), "" when unnumbered


Numbers = Mapping[str, str]  # clause id → the number a reference to it shows


def _runs(runs: Runs, version: Version, numbers: Numbers) -> tuple[str, str]:
    """The runs' text and bold mask; a reference shows ``numbers``' number for its clause."""
    text, mask = [], []
    for run in runs:
        if run.kind == "ref":
            shown = numbers.get(run.value) or version.clauses[run.value].number
        elif run.kind == "fill":
            shown = version.placeholder(run.value).unfilled
        else:
            shown = run.value
        text.append(shown)
        mask.append(("1" if run.bold else "0") * len(shown))
    return "".join(text), "".join(mask)


def _joined(parts: list[tuple[str, str]]) -> tuple[str, str]:
    return "\n".join(t for t, _ in parts), "0".join(m for _, m in parts)


def entries(version: Version, numbers: Numbers | None = None) -> dict[str, Entry]:
    """Every comparable unit of a version in reading order, keyed by id.

    ``numbers`` (another version's clause numbers) decides how references read,
    so that comparing OLD written with NEW's numbers shows no renumbering as text.
    """
    numbers = numbers or {}
    agreement, cited = version.agreement, citations(version)
    runs = lambda r: _runs(r, version, numbers)  # noqa: E731
    found = {TITLE: Entry(TITLE, "标题", agreement.title, (TITLE,), "0" * len(agreement.title))}
    notice = _joined([runs(p) for p in agreement.notice])
    found[NOTICE] = Entry(NOTICE, "特别提醒", notice[0], (NOTICE,), notice[1])
    for index, section in enumerate(agreement.sections):
        found[section.id] = Entry(section.id, f"「{section.title}」", section.title, ("section", index),
                                  "0" * len(section.title), SECTIONS)
        _clauses(found, section.clauses, section.id, cited, runs)
    updated = runs(agreement.updated)
    found[UPDATED] = Entry(UPDATED, "更新日期", updated[0], (UPDATED,), updated[1])
    for appendix in version.appendices:
        _clauses(found, appendix.clauses, appendix.id, cited, runs)
    return found


def _clauses(found: dict[str, Entry], clauses: tuple[Clause, ...], container: str, cited,
             runs: Callable[[Runs], tuple[str, str]]) -> None:
    for clause in clauses:
        parts = ([runs(clause.title)] if clause.title else []) + [runs(p) for p in clause.paragraphs]
        text, bold = _joined(parts)
        found[clause.id] = Entry(clause.id, cited[clause.id].text, text, (container, clause.number),
                                 bold, container, clause.number)
        _clauses(found, clause.children, clause.id, cited, runs)


def clause_numbers(version: Version) -> dict[str, str]:
    return {clause_id: clause.number for clause_id, clause in version.clauses.items()}
