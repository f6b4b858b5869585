"""Inline runs in Word: the shared model's runs (bold, references, placeholders) as ``w:r``.

A paragraph's words come from :mod:`generator.content.text` (``run_text``), so a
reference or a filled placeholder reads exactly as in `agreements text`, the
site and the PDF. python-docx makes every run and sets bold, underline and
highlight; raw WordprocessingML is written only where it has no API: the East
Asian font of each run (see :func:`document.set_fonts`), internal hyperlinks
to bookmarks, bookmarks, and fields.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Literal

from docx.enum.text import WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from generator.content.model import Version
from generator.content.text import Paragraph, Values, run_text
from generator.contracts.word.document import face_of, set_fonts

Fill = Literal["", "placeholder", "value"]


@dataclass(frozen=True)
class Segment:
    """A stretch of text with one formatting: what becomes one ``w:r``."""

    text: str
    bold: bool = False
    link: str | None = None  # the clause id a reference points to
    fill: Fill = ""  # a placeholder's 【请填写…】 label (highlighted) or a customer's value (underlined)

    @property
    def look(self) -> tuple[bool, Fill]:
        """What the reader sees besides the words; a change of it is a formatting change."""
        return (self.bold, self.fill)


def segments(paragraph: Paragraph, version: Version, values: Values | None = None) -> list[Segment]:
    """The paragraph's prefix (its number) and runs, as Word runs will show them."""
    out = [Segment(paragraph.prefix)] if paragraph.prefix else []
    for run in paragraph.runs:
        fill: Fill = ("value" if values is not None else "placeholder") if run.kind == "fill" else ""
        out.append(Segment(run_text(run, version, values), run.bold,
                           run.value if run.kind == "ref" else None, fill))
    return out


def add_run(paragraph, segment: Segment):
    """A python-docx run for ``segment``, appended to ``paragraph``; returns its ``w:r``."""
    run = paragraph.add_run(segment.text)
    if segment.bold:
        run.bold = True
    if segment.fill == "value":
        run.underline = True
    elif segment.fill == "placeholder":
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    set_fonts(run._r.get_or_add_rPr(), face_of(paragraph))
    return run._r


def add_text_run(paragraph, text: str, *, bold: bool = False):
    return add_run(paragraph, Segment(text, bold))


# --------------------------------------------------------------------------- raw XML


def add_field(paragraph, instruction: str, shown: str = "1") -> None:
    """Raw XML: a complex field (begin, instruction, separate, result, end); Word and
    LibreOffice recompute the result, ``shown`` is only what a reader without them sees."""
    parts = (("fldChar", "begin"), ("instrText", f" {instruction} "), ("fldChar", "separate"),
             ("t", shown), ("fldChar", "end"))
    for tag, value in parts:
        r = add_text_run(paragraph, "")  # properties only: python-docx adds no w:t for ""
        if tag == "fldChar":
            r.append(OxmlElement("w:fldChar", {qn("w:fldCharType"): value}))
        else:
            element = OxmlElement(f"w:{tag}", {qn("xml:space"): "preserve"})
            element.text = value
            r.append(element)


def wrap(r, make: Callable[[], object], fits: Callable[[object], bool]) -> None:
    """Raw XML: move run ``r`` into a wrapper (a link, an insertion, a deletion): into the one
    just before it when ``fits`` says so, so that neighbouring runs share it, else a new one."""
    previous = r.getprevious()
    if previous is not None and fits(previous):
        previous.append(r)
        return
    wrapper = make()
    r.addprevious(wrapper)
    wrapper.append(r)


def link(r, anchor: str) -> None:
    """Raw XML: run ``r`` inside a ``w:hyperlink`` to a bookmark of this document
    (python-docx only reads links)."""
    wrap(r, lambda: OxmlElement("w:hyperlink", {qn("w:anchor"): anchor, qn("w:history"): "1"}),
         lambda e: e.tag == qn("w:hyperlink") and e.get(qn("w:anchor")) == anchor)


class Bookmarks:
    """Clause and section ids as Word bookmark names, and the ids of ``w:bookmarkStart``.

    Word allows 40 letters, digits and underscores, starting with a letter; an id
    that does not fit (dots and hyphens become underscores) gets a short hash.
    """

    MAX_NAME = 40

    def __init__(self, ids: Iterable[str], numbers: Iterator[int] | None = None) -> None:
        self.names: dict[str, str] = {}
        used: set[str] = set()
        for ident in ids:
            name = re.sub(r"[^A-Za-z0-9]", "_", ident)
            if len(name) > self.MAX_NAME or name in used or not name[:1].isalpha():
                digest = hashlib.sha256(ident.encode()).hexdigest()[:8]
                name = f"c{name[:self.MAX_NAME - 10]}_{digest}"
            self.names[ident] = name
            used.add(name)
        self._numbers = numbers or itertools.count(1)  # w:id, shared with a redline's revisions

    def name(self, ident: str) -> str | None:
        return self.names.get(ident)

    def wrap(self, paragraph_element, ident: str) -> None:
        """Raw XML: a bookmark around the paragraph's content (after its properties)."""
        number = str(next(self._numbers))
        start = OxmlElement("w:bookmarkStart", {qn("w:id"): number, qn("w:name"): self.names[ident]})
        properties = paragraph_element.find(qn("w:pPr"))
        if properties is not None:
            properties.addnext(start)
        else:
            paragraph_element.insert(0, start)
        paragraph_element.append(OxmlElement("w:bookmarkEnd", {qn("w:id"): number}))


def add_segments(paragraph, items: Iterable[Segment], bookmarks: Bookmarks) -> None:
    """The segments as runs; a reference becomes an internal link to its clause's bookmark."""
    for segment in items:
        r = add_run(paragraph, segment)
        anchor = bookmarks.name(segment.link) if segment.link else None
        if anchor:
            link(r, anchor)
