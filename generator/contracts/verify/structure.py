"""One strict view of a PDF's bytes: every revision parsed here, refused when readers could differ.

PDF readers resolve a damaged or ambiguous file differently: one object listed
twice in a cross-reference section (pyHanko keeps the last entry, poppler,
MuPDF and qpdf the first), a second definition of an object in the same
revision, an object stream holding an object its table also defines, a
hybrid file whose ``/XRefStm`` says something else than its table, a
``startxref`` or ``/Prev`` that points anywhere but a revision's
cross-reference section (readers then repair, each in its own way), bytes
after ``%%EOF``. A contract is evidence, so before any signature is checked
this module walks the revisions from the last ``startxref`` itself and
requires that

- the revisions tile the file: each one's body holds exactly the objects its
  cross-reference section lists (whitespace and comments between them), then
  that section, then ``startxref`` naming the section, then ``%%EOF``;
- every section lists each object once, points at that very object
  (``N G obj``), and frees nothing an earlier revision uses;
- object streams hold only objects their revision's section places in them;
- qpdf opens the file without repairing it.

pyHanko's own parsers read each section and object (its strict reader
stops at the first inconsistency it knows; this one names the object and
the revision).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pikepdf
from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils import xref as pdf_xref
from pyhanko.pdf_utils.decode_limits import DEFAULT_DECODE_CONTEXT

from generator.contracts.verify.report import Check, Status
from generator.i18n import _
from generator.library_messages import library_reason

_TAIL = re.compile(rb"[\0\t\n\f\r ]*startxref[\0\t\n\f\r ]+(\d+)[\0\t\n\f\r ]+%%EOF(\r\n|\r|\n)?")
_LAST_STARTXREF = re.compile(rb"startxref[\0\t\n\f\r ]+(\d+)[\0\t\n\f\r ]+%%EOF")
_HEADER = re.compile(rb"(\d+)[\0\t\n\f\r ]+(\d+)[\0\t\n\f\r ]+obj(?![A-Za-z])")
_END_OBJECT = re.compile(rb"[\0\t\n\f\r ]*endobj")
# qpdf's one warning that every reader resolves alike (pypdf's incremental writer causes it)
_HARMLESS = "xref entry for the xref stream itself is missing"
_BLANK = b"\0\t\n\f\r "
_STANDARD, _IN_STREAM, _FREE = (pdf_xref.XRefType.STANDARD, pdf_xref.XRefType.IN_OBJ_STREAM,
                                pdf_xref.XRefType.FREE)


class Ambiguous(Exception):
    """Why readers may read this file differently; the message names the object and revision."""


@dataclass
class Revision:
    """One revision: its bytes are ``data[start:end]``, its cross-reference starts at ``xref``."""

    number: int  # 1-based, as reports name revisions
    start: int
    xref: int
    end: int
    entries: list[pdf_xref.XRefEntry]  # as listed, duplicates kept
    trailer: generic.DictionaryObject
    xref_stream: int | None = None  # the offset of its cross-reference stream object
    objects: dict[int, pdf_xref.XRefEntry] = field(default_factory=dict)


def check(data: bytes) -> tuple[list[Revision] | None, Check]:
    """The revisions, and the "structure" check; no revisions when the file is refused."""
    try:
        revisions = read_revisions(data)
    except Ambiguous as exc:
        return None, Check("structure", Status.FAIL, _("{reason}: PDF readers may show different "
                           "content, so nothing in it can be vouched for").format(reason=library_reason(exc)))
    except Exception as exc:  # noqa: BLE001 - hostile bytes can make any parser raise anything
        return None, Check("structure", Status.FAIL, _("the file's structure cannot be read "
                           "strictly ({error}): damaged or altered").format(error=library_reason(exc)))
    count = len(revisions)
    return revisions, Check("structure", Status.PASS, _("{count} revision(s), each read strictly: "
                            "one definition of every object, nothing outside a revision, no repair "
                            "needed").format(count=count), facts={"revisions": count,
                                             "ends": [revision.end for revision in revisions]})


def read_revisions(data: bytes) -> list[Revision]:
    """Every revision, oldest first; raises :class:`Ambiguous` for what readers resolve apart."""
    if not data.startswith(b"%PDF-"):
        raise Ambiguous(_("the file does not start with %PDF-"))
    objects = _Objects(data)
    revisions = _chain(data, objects)
    _place(data, revisions)
    for revision in revisions:
        _index(revision)
        objects.learn(revision)
    for revision in revisions:
        _check_hybrid(revision, objects)  # first: a hybrid body holds what only /XRefStm lists
        _check_body(data, revision, objects)
    _check_frees(revisions)
    _check_repair(data)
    return revisions


def _chain(data: bytes, objects: _Objects) -> list[Revision]:
    """Follow ``startxref`` and each ``/Prev``; the sections, oldest first."""
    found = list(_LAST_STARTXREF.finditer(data, max(0, len(data) - 4096)))
    if not found:
        raise Ambiguous(_("no startxref … %%EOF at the end of the file"))
    offset, pointer = int(found[-1].group(1)), _("the last startxref")
    sections: list[Revision] = []
    seen: set[int] = set()
    while offset is not None:
        if offset in seen:
            raise Ambiguous(_("{pointer} points back to the cross-reference section at offset "
                            "{offset}: a /Prev loop").format(pointer=pointer, offset=offset))
        seen.add(offset)
        section = _read_section(data, offset, pointer, objects)
        sections.append(section)
        prev = section.trailer.get("/Prev")
        if prev is not None and not isinstance(prev, int):
            raise Ambiguous(_("the /Prev of the cross-reference section at offset {offset} is "
                            "not a number").format(offset=offset))
        offset, pointer = prev, _("the /Prev of the cross-reference section at offset {offset}").format(offset=offset)
        if len(sections) > 10_000:
            raise Ambiguous(_("more than 10000 revisions"))
    sections.reverse()
    for number, section in enumerate(sections, start=1):
        section.number = number
    return sections


def _read_section(data: bytes, offset: int, pointer: str, objects: _Objects) -> Revision:
    stream = io.BytesIO(data)
    xref_stream = None
    if data.startswith(b"xref", offset):
        stream.seek(offset + 4)
        entries = list(pdf_xref.parse_xref_table(stream, strict=True))
        trailer = generic.DictionaryObject.read_from_stream(stream, generic.TrailerReference(objects))
        end = stream.tell()
    elif _HEADER.match(data, offset):
        trailer, end = objects.read_at(offset, None)
        if not isinstance(trailer, generic.StreamObject) or trailer.get("/Type") != "/XRef":
            raise Ambiguous(_("{pointer} points at offset {offset}, at an object that is not a "
                            "cross-reference stream").format(pointer=pointer, offset=offset))
        entries, xref_stream = list(pdf_xref.parse_xref_stream(trailer, strict=True)), offset
    else:
        raise Ambiguous(_("{pointer} points at offset {offset}, where no cross-reference section "
                        "starts ({found!r}): not a revision boundary").format(
                            pointer=pointer, offset=offset, found=bytes(data[offset:offset + 12])))
    tail = _TAIL.match(data, end)
    if not tail:
        raise Ambiguous(_("the cross-reference section at offset {offset} is not followed by "
                        "startxref and %%EOF").format(offset=offset))
    if int(tail.group(1)) != offset:
        raise Ambiguous(_("the startxref after the cross-reference section at offset {offset} "
                        "says {says}: not that revision's boundary").format(offset=offset, says=int(tail.group(1))))
    return Revision(0, 0, offset, tail.end(), entries, trailer, xref_stream)


def _place(data: bytes, revisions: list[Revision]) -> None:
    """Each revision starts where the one before it ends, and the last one ends the file."""
    start = 0
    for revision in revisions:
        if revision.xref < start:
            raise Ambiguous(_("revision {number}'s cross-reference section (offset "
                            "{offset}) lies inside revision {previous}: the "
                            "/Prev of revision {next} is not a revision boundary").format(
                                number=revision.number, offset=revision.xref, previous=revision.number - 1,
                                next=revision.number + 1))
        revision.start, start = start, revision.end
    if start != len(data):
        raise Ambiguous(_("{count} byte(s) follow the last revision's %%EOF (at "
                        "offset {offset}) and are not a revision").format(count=len(data) - start, offset=start))


def _index(revision: Revision) -> None:
    """One entry per object number in a section; a second one is refused."""
    for entry in revision.entries:
        earlier = revision.objects.get(entry.idnum)
        if earlier is not None and entry.idnum:
            raise Ambiguous(_("revision {number} lists object {object} twice in its "
                            "cross-reference section ({first}, then {second}): "
                            "poppler, MuPDF and qpdf take the first, other readers the last").format(
                                number=revision.number, object=entry.idnum, first=_where(earlier),
                                second=_where(entry)))
        revision.objects[entry.idnum] = entry


def _where(entry: pdf_xref.XRefEntry) -> str:
    if entry.xref_type is _STANDARD:
        return _("at offset {offset}").format(offset=entry.location)
    if entry.xref_type is _IN_STREAM:
        return _("in object stream {number}").format(number=entry.location.obj_stream_id)
    return _("free")


def _check_body(data: bytes, revision: Revision, objects: _Objects) -> None:
    """The revision's bytes before its cross-reference: exactly the objects it lists."""
    listed = []
    for number, entry in revision.objects.items():
        if entry.xref_type is not _STANDARD or not number:
            continue
        if entry.location == revision.xref == revision.xref_stream:
            continue  # the cross-reference stream, which lists itself
        if not 0 <= entry.location < revision.xref:
            raise Ambiguous(_("revision {revision} places object {number} at offset "
                            "{offset}, outside the revision's objects").format(
                                revision=revision.number, number=number, offset=entry.location))
        if entry.location < revision.start:  # an unchanged object listed again: it must be there
            objects.read_at(entry.location, (number, entry.generation), revision.number)
        else:
            listed.append((entry.location, number, entry.generation))
    hybrid = revision.trailer.get("/XRefStm") if revision.xref_stream is None else None
    if isinstance(hybrid, int) and hybrid not in {offset for offset, _n, _g in listed}:
        listed.append((hybrid, -1, 0))  # a hybrid file's /XRefStm, unless its table lists it
    position = revision.start  # the header (%PDF-1.x and a binary line) is comments
    for offset, number, generation in sorted(listed):
        _skip_blank(data, position, offset, revision)
        want = None if number < 0 else (number, generation)
        obj, position = objects.read_at(offset, want, revision.number)
        if isinstance(obj, generic.StreamObject) and obj.get("/Type") == "/ObjStm":
            _check_object_stream(obj, number, revision)
    _skip_blank(data, position, revision.xref, revision)


def _skip_blank(data: bytes, position: int, limit: int, revision: Revision) -> None:
    """Only whitespace and comments between ``position`` and ``limit``."""
    if position > limit:
        raise Ambiguous(_("revision {revision} has two objects overlapping at offset {offset}").format(
            revision=revision.number, offset=limit))
    while position < limit:
        byte = data[position]
        if byte in _BLANK:
            position += 1
        elif byte == 0x25:  # a comment, up to the end of its line
            if data.startswith(b"%%EOF", position):
                raise Ambiguous(_("revision {revision} holds a %%EOF at offset {offset} "
                                "that ends no revision: data appended outside any revision").format(
                                    revision=revision.number, offset=position))
            ends = [i for i in (data.find(b"\n", position), data.find(b"\r", position)) if i >= 0]
            position = min(ends + [limit])
        else:
            raise Ambiguous(_stray(data, position, revision))


def _stray(data: bytes, position: int, revision: Revision) -> str:
    header = _HEADER.match(data, position)
    if header is None:
        return _("revision {revision} holds bytes at offset {offset} that belong to no "
                 "object its cross-reference lists ({found!r})").format(
                     revision=revision.number, offset=position, found=bytes(data[position:position + 16]))
    number = int(header.group(1))
    if number in revision.objects:
        return _("revision {revision} defines object {number} twice (at offset "
                 "{offset}, and {other}): readers that repair the "
                 "file take the other definition").format(revision=revision.number, number=number,
                                                          offset=position, other=_where(revision.objects[number]))
    return _("revision {revision} holds object {number} at offset {offset}, which its "
             "cross-reference does not list: readers that repair the file see it").format(
                 revision=revision.number, number=number, offset=position)


def _check_object_stream(stream: generic.StreamObject, number: int, revision: Revision) -> None:
    """Every object inside must be placed there by this revision's cross-reference."""
    count, first = int(stream.get("/N", 0)), int(stream.get("/First", 0))
    numbers = [int(n) for n in stream.data[:first].split()[0:2 * count:2]]
    for index, inner in enumerate(numbers):
        entry = revision.objects.get(inner)
        if (entry is None or entry.xref_type is not _IN_STREAM
                or entry.location != pdf_xref.ObjStreamRef(number, index)):
            raise Ambiguous((_("object stream {number} of revision {revision} redefines "
                              "object {inner}, while the cross-reference does not list it") if entry is None
                            else _("object stream {number} of revision {revision} redefines object {inner}, "
                                   "while the cross-reference puts it {where}")).format(
                number=number, revision=revision.number, inner=inner,
                where=_where(entry) if entry is not None else ""))


def _check_hybrid(revision: Revision, objects: _Objects) -> None:
    """A hybrid file's ``/XRefStm`` must say exactly what its table says."""
    offset = revision.trailer.get("/XRefStm") if revision.xref_stream is None else None
    if offset is None:
        return
    stream, _end = objects.read_at(int(offset), None, revision.number)
    for entry in pdf_xref.parse_xref_stream(stream, strict=True):
        if entry.xref_type is _FREE or not entry.idnum:
            continue
        table = revision.objects.get(entry.idnum)
        if table is None or table.xref_type is not entry.xref_type or table.location != entry.location:
            raise Ambiguous((_("revision {revision}'s /XRefStm puts object {number} {where}, its table "
                              "does not list it: readers that ignore /XRefStm see another object")
                            if table is None else
                            _("revision {revision}'s /XRefStm puts object {number} {where}, its table "
                              "{table}: readers that ignore /XRefStm see another object")).format(
                revision=revision.number, number=entry.idnum, where=_where(entry),
                table=_where(table) if table is not None else ""))


def _check_frees(revisions: list[Revision]) -> None:
    """A later revision may not free (an xref 'f' entry) an object an earlier one uses."""
    used: dict[int, int] = {}
    for revision in revisions:
        for number, entry in revision.objects.items():
            if not number:
                continue
            if entry.xref_type is _FREE and number in used:
                raise Ambiguous(_("revision {revision} frees object {number} (an 'f' "
                                "entry), which revision {user} uses").format(
                                    revision=revision.number, number=number, user=used[number]))
            if entry.xref_type is not _FREE:
                used[number] = revision.number


def _check_repair(data: bytes) -> None:
    """qpdf must open the file as it is, without warnings (a warning means it repaired)."""
    try:
        with pikepdf.open(io.BytesIO(data), attempt_recovery=False) as pdf:
            problems = [problem for problem in [*pdf.get_warnings(), *pdf.check_pdf_syntax()]
                        if _HARMLESS not in problem]
    except pikepdf.PdfError as exc:
        raise Ambiguous(_("qpdf cannot open the file without repairing it ({error})").format(error=library_reason(exc))) from None
    if problems:
        raise Ambiguous(_("qpdf opens the file only by repairing it ({problem})").format(problem=problems[0]))


class _Objects:
    """Reads the object at an offset, strictly: ``N G obj``, the object, ``endobj``."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offsets: dict[int, int] = {}  # for an indirect /Length
        self.strict = True  # pyHanko's parser then refuses e.g. a key twice in one dictionary
        self.decode_context = DEFAULT_DECODE_CONTEXT  # pyHanko's limits when decoding a stream

    def learn(self, revision: Revision) -> None:
        for number, entry in revision.objects.items():
            if entry.xref_type is _STANDARD:
                self.offsets[number] = entry.location

    def read_at(self, offset: int, want: tuple[int, int] | None, revision: int | None = None):
        header = _HEADER.match(self.data, offset)
        found = (int(header.group(1)), int(header.group(2))) if header else None
        if found is None or (want is not None and found != want):
            what = (_("object {number} {generation}").format(number=found[0], generation=found[1]) if found
                    else repr(bytes(self.data[offset:offset + 12])))
            raise Ambiguous(_("revision {revision}'s cross-reference puts object {number}"
                              " at offset {offset}, where {what} is").format(
                revision=revision, number=want[0] if want else "?", offset=offset, what=what))
        stream = io.BytesIO(self.data)
        stream.seek(header.end())
        misc.read_non_whitespace(stream, seek_back=True)
        try:
            obj = generic.read_object(stream, generic.Reference(*found, pdf=self))
        except misc.PdfReadError as exc:
            raise Ambiguous(_("object {number} at offset {offset} cannot be read strictly "
                              "({error}): readers that repair it may read another object").format(
                number=found[0], offset=offset, error=library_reason(exc))) from None
        if isinstance(obj, generic.StreamObject) and len(obj.encoded_data) != obj.get("/Length"):
            raise Ambiguous(_("object {number} at offset {offset}: its stream is not as long as "
                              "its /Length says").format(number=found[0], offset=offset))
        end = _END_OBJECT.match(self.data, stream.tell())
        if end is None:
            raise Ambiguous(_("object {number} at offset {offset} does not end with endobj").format(
                number=found[0], offset=offset))
        return obj, end.end()

    def get_object(self, ref, **_options):
        """Resolve an indirect ``/Length``: pyHanko's parser asks its handler."""
        number = ref.idnum if hasattr(ref, "idnum") else ref.reference.idnum
        if number not in self.offsets:
            raise Ambiguous(_("a stream's /Length names object {number}, which is not defined").format(number=number))
        return self.read_at(self.offsets[number], None)[0]
