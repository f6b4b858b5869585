"""A PDF's revisions: the generator's first one, and what each later one may change.

pyHanko reads the revisions (each incremental update is one) and runs the
difference analysis (:mod:`generator.contracts.verify.policy`) between every
revision and the one before it, so that the revision a signature itself was
added in is checked too, not only the ones after it. This module only names
the objects a rejected revision writes, so that a reader can find them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel, SuspiciousModification
from pyhanko.sign.fields import MDPPerm

from generator.contracts.verify.policy import CONTRACT_FIELDS, contract_policy
from generator.contracts.verify.report import Check, Status
from generator.i18n import _
from generator.library_messages import library_reason

_MAX_OBJECTS = 8


def open_reader(data: bytes) -> tuple[PdfFileReader | None, Check | None]:
    """pyHanko's strict reader over the file, or the check saying why it cannot read it."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=True)
        reader.xrefs.total_revisions  # noqa: B018 - reading the revisions may fail too
        return reader, None
    except Exception as exc:  # noqa: BLE001 - a damaged file can raise anything
        return None, Check("revisions", Status.FAIL, _("pyHanko cannot read the file's revisions "
                           "({error}): damaged or altered").format(error=library_reason(exc)))


def review(reader: PdfFileReader, signed_in: dict[int, str],
           certification: tuple[int, MDPPerm] | None,
           timestamps: frozenset[str] | set[str] = frozenset()) -> Check:
    """Check every revision after the first against the one before it.

    ``signed_in`` maps a revision (0-based) to the field whose signature it
    adds (``timestamps``: the fields of document timestamps among them); ``certification`` is the revision of the certification signature and
    its DocMDP permission, which pyHanko enforces on the revisions after it.
    """
    policy = contract_policy()
    total = reader.xrefs.total_revisions
    passed, failed = [], []
    for revision in range(1, total):
        old = reader.get_historical_resolver(revision - 1)
        new = reader.get_historical_resolver(revision)
        doc_mdp = certification[1] if certification and revision > certification[0] else None
        label = _("revision {number}").format(number=revision + 1)
        try:
            result = policy.apply(old, new, doc_mdp=doc_mdp)
        except SuspiciousModification as exc:
            failed.append(f"{label}: {_reason(exc, new)}")
            continue
        except Exception as exc:  # noqa: BLE001 - a damaged revision can raise anything
            failed.append(_("{label} cannot be analysed ({error})").format(label=label, error=library_reason(exc)))
            continue
        field = signed_in.get(revision)
        extra = result.changed_form_fields - CONTRACT_FIELDS
        if field in timestamps and extra <= {field}:  # a document timestamp's own field
            passed.append(_("{label} adds a document timestamp ({field})").format(label=label, field=field))
        elif extra:
            failed.append(_("{label} changes fields the contract does not have: {fields}").format(
                label=label, fields=", ".join(sorted(extra))))
        elif field:
            passed.append(_("{label} signs {field}").format(label=label, field=field))
        elif not signed_in or result.modification_level > ModificationLevel.LTA_UPDATES:
            failed.append(_("{label} signs nothing but writes {objects}").format(label=label, objects=_objects(new, _written(new))))
        else:
            passed.append(_("{label} adds validation data only").format(label=label))
    facts = {"revisions": total, "signed_in": {str(r + 1): f for r, f in sorted(signed_in.items())}}
    if failed:
        return Check("revisions", Status.FAIL, _("the file changes more after the generator's "
                     "revision than signing the contract's fields allows"), failed + passed, facts)
    return Check("revisions", Status.PASS, _("{count} later revision(s), each only signing one "
                 "of the contract's fields: {revisions}").format(count=total - 1, revisions="; ".join(passed)),
                 facts=facts)


def _reason(exc: SuspiciousModification, new: HistoricalResolver) -> str:
    message = str(exc.args[0]) if exc.args else type(exc).__name__
    unexplained = [int(n) for n in re.findall(r"Reference\(idnum=(\d+)", message)]
    if message.startswith("There are unexplained xrefs"):
        return _("writes what signing a field cannot explain: {objects}").format(objects=_objects(new, unexplained))
    return _("{reason} (it writes {objects})").format(reason=library_reason(exc),
                                                     objects=_objects(new, _written(new)))


def _written(new: HistoricalResolver) -> list[int]:
    """Objects written in this revision, except the cross-reference streams themselves."""
    numbers = []
    for ref in new.explicit_refs_in_revision():
        obj = new(ref)
        if not (isinstance(obj, generic.StreamObject) and obj.get("/Type") == "/XRef"):
            numbers.append(ref.idnum)
    return sorted(numbers)


def _objects(new: HistoricalResolver, numbers: list[int]) -> str:
    roles: dict[int, str] = {}
    try:
        object_roles(new, roles)
    except Exception:  # noqa: BLE001 - a damaged revision: name what could be named
        pass
    numbers = sorted(set(numbers))
    named = [_("object {number} ({role})").format(number=n, role=roles.get(n) or _kind(new, n))
             for n in numbers[:_MAX_OBJECTS]]
    more = len(numbers) - _MAX_OBJECTS
    if not named:
        return _("nothing")
    return (_("{objects} and {more} more").format(objects=", ".join(named), more=more) if more > 0
            else ", ".join(named))


def _kind(new: HistoricalResolver, number: int) -> str:
    """What an object nothing names is, by its type."""
    try:
        obj = new(generic.Reference(number, 0))
    except Exception:  # noqa: BLE001 - a damaged object is still worth naming by number
        return _("unreadable")
    if isinstance(obj, generic.StreamObject):
        return _("a stream")
    if isinstance(obj, generic.DictionaryObject):
        return _("a {type} dictionary").format(type=obj["/Type"]) if "/Type" in obj else _("a dictionary")
    return _("a {type}").format(type=type(obj).__name__.replace("Object", "").lower())


def object_roles(resolver: HistoricalResolver, roles: dict[int, str]) -> None:
    """Fill in object number → what it is to a reader: a page, its content, a widget, the Info…"""
    def name(value, role: str) -> None:
        if isinstance(value, generic.IndirectObject):
            roles.setdefault(value.reference.idnum, role)

    trailer, root = resolver.trailer_view, resolver.root
    name(trailer.raw_get("/Info") if "/Info" in trailer else None, _("the document information (Info)"))
    name(trailer.raw_get("/Root"), _("the document catalog"))
    for key, role in (("/AcroForm", _("the form")), ("/Metadata", _("the XMP metadata")),
                      ("/Pages", _("the page tree")), ("/DSS", _("the validation data (DSS)"))):
        name(root.raw_get(key) if key in root else None, role)
    for number, page_ref in enumerate(_pages(root), start=1):
        _page_roles(page_ref, _("page {number}").format(number=number), name)


def _page_roles(page_ref: generic.IndirectObject, page: str, name) -> None:
    name(page_ref, page)
    page_dict = page_ref.get_object()
    contents = page_dict.raw_get("/Contents") if "/Contents" in page_dict else None
    for item in contents if isinstance(contents, generic.ArrayObject) else [contents]:
        name(item, _("the content stream of {page}").format(page=page))
    xobjects = _get(_get(page_dict, "/Resources"), "/XObject")
    for key in xobjects:
        name(xobjects.raw_get(key), _("a drawing ({key}) on {page}").format(key=key, page=page))
    for annot_ref in _get(page_dict, "/Annots", generic.ArrayObject()):
        annot = annot_ref.get_object()
        what = (_("the widget of field “{name}”").format(name=annot["/T"]) if "/T" in annot
                else _("an annotation ({subtype})").format(subtype=annot.get("/Subtype", "?")))
        name(annot_ref, _("{what} on {page}").format(what=what, page=page))
        appearance = _get(annot, "/AP")
        if "/N" in appearance:
            name(appearance.raw_get("/N"), _("the appearance of {what} on {page}").format(what=what, page=page))
        if "/V" in annot:
            name(annot.raw_get("/V"), _("the signature in {what}").format(what=what))


def _get(container, key: str, default=None):
    """``container[key]`` dereferenced, or ``default`` (an empty dictionary) when absent."""
    if isinstance(container, generic.DictionaryObject) and key in container:
        return container[key]
    return generic.DictionaryObject() if default is None else default


def _pages(root: generic.DictionaryObject) -> Iterator[generic.IndirectObject]:
    """The page objects in reading order (a bounded walk: a hostile tree may loop)."""
    stack, seen = [root.raw_get("/Pages") if "/Pages" in root else None], set()
    while stack and len(seen) < 100_000:
        node_ref = stack.pop()
        if not isinstance(node_ref, generic.IndirectObject) or node_ref.reference in seen:
            continue
        seen.add(node_ref.reference)
        node = node_ref.get_object()
        if node.get("/Type") != "/Pages":
            yield node_ref
        elif isinstance(node.get("/Kids"), generic.ArrayObject):
            stack.extend(reversed(list(node["/Kids"])))
