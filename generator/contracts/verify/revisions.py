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

_MAX_OBJECTS = 8


def open_reader(data: bytes) -> tuple[PdfFileReader | None, Check | None]:
    """pyHanko's strict reader over the file, or the check saying why it cannot read it."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=True)
        reader.xrefs.total_revisions  # noqa: B018 - reading the revisions may fail too
        return reader, None
    except Exception as exc:  # noqa: BLE001 - a damaged file can raise anything
        return None, Check("revisions", Status.FAIL, f"pyHanko cannot read the file's revisions "
                           f"({type(exc).__name__}: {exc}): damaged or altered")


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
        label = f"revision {revision + 1}"
        try:
            result = policy.apply(old, new, doc_mdp=doc_mdp)
        except SuspiciousModification as exc:
            failed.append(f"{label}: {_reason(exc, new)}")
            continue
        except Exception as exc:  # noqa: BLE001 - a damaged revision can raise anything
            failed.append(f"{label} cannot be analysed ({type(exc).__name__}: {exc})")
            continue
        field = signed_in.get(revision)
        extra = result.changed_form_fields - CONTRACT_FIELDS
        if field in timestamps and extra <= {field}:  # a document timestamp's own field
            passed.append(f"{label} adds a document timestamp ({field})")
        elif extra:
            failed.append(f"{label} changes fields the contract does not have: {', '.join(sorted(extra))}")
        elif field:
            passed.append(f"{label} signs {field}")
        elif not signed_in or result.modification_level > ModificationLevel.LTA_UPDATES:
            failed.append(f"{label} signs nothing but writes {_objects(new, _written(new))}")
        else:
            passed.append(f"{label} adds validation data only")
    facts = {"revisions": total, "signed_in": {str(r + 1): f for r, f in sorted(signed_in.items())}}
    if failed:
        return Check("revisions", Status.FAIL, "the file changes more after the generator's "
                     "revision than signing the contract's fields allows", failed + passed, facts)
    return Check("revisions", Status.PASS, f"{total - 1} later revision(s), each only signing one "
                 "of the contract's fields: " + "; ".join(passed), facts=facts)


def _reason(exc: SuspiciousModification, new: HistoricalResolver) -> str:
    message = str(exc.args[0]) if exc.args else type(exc).__name__
    unexplained = [int(n) for n in re.findall(r"Reference\(idnum=(\d+)", message)]
    if message.startswith("There are unexplained xrefs"):
        return f"writes what signing a field cannot explain: {_objects(new, unexplained)}"
    return f"{message.splitlines()[0]} (it writes {_objects(new, _written(new))})"


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
    named = [f"object {n} ({roles.get(n) or _kind(new, n)})" for n in numbers[:_MAX_OBJECTS]]
    more = len(numbers) - _MAX_OBJECTS
    return ", ".join(named) + (f" and {more} more" if more > 0 else "") if named else "nothing"


def _kind(new: HistoricalResolver, number: int) -> str:
    """What an object nothing names is, by its type."""
    try:
        obj = new(generic.Reference(number, 0))
    except Exception:  # noqa: BLE001 - a damaged object is still worth naming by number
        return "unreadable"
    if isinstance(obj, generic.StreamObject):
        return "a stream"
    if isinstance(obj, generic.DictionaryObject):
        return f"a {obj['/Type']} dictionary" if "/Type" in obj else "a dictionary"
    return f"a {type(obj).__name__.replace('Object', '').lower()}"


def object_roles(resolver: HistoricalResolver, roles: dict[int, str]) -> None:
    """Fill in object number → what it is to a reader: a page, its content, a widget, the Info…"""
    def name(value, role: str) -> None:
        if isinstance(value, generic.IndirectObject):
            roles.setdefault(value.reference.idnum, role)

    trailer, root = resolver.trailer_view, resolver.root
    name(trailer.raw_get("/Info") if "/Info" in trailer else None, "the document information (Info)")
    name(trailer.raw_get("/Root"), "the document catalog")
    for key, role in (("/AcroForm", "the form"), ("/Metadata", "the XMP metadata"),
                      ("/Pages", "the page tree"), ("/DSS", "the validation data (DSS)")):
        name(root.raw_get(key) if key in root else None, role)
    for number, page_ref in enumerate(_pages(root), start=1):
        _page_roles(page_ref, f"page {number}", name)


def _page_roles(page_ref: generic.IndirectObject, page: str, name) -> None:
    name(page_ref, page)
    page_dict = page_ref.get_object()
    contents = page_dict.raw_get("/Contents") if "/Contents" in page_dict else None
    for item in contents if isinstance(contents, generic.ArrayObject) else [contents]:
        name(item, f"the content stream of {page}")
    xobjects = _get(_get(page_dict, "/Resources"), "/XObject")
    for key in xobjects:
        name(xobjects.raw_get(key), f"a drawing ({key}) on {page}")
    for annot_ref in _get(page_dict, "/Annots", generic.ArrayObject()):
        annot = annot_ref.get_object()
        what = (f"the widget of field “{annot['/T']}”" if "/T" in annot
                else f"an annotation ({annot.get('/Subtype', '?')})")
        name(annot_ref, f"{what} on {page}")
        appearance = _get(annot, "/AP")
        if "/N" in appearance:
            name(appearance.raw_get("/N"), f"the appearance of {what} on {page}")
        if "/V" in annot:
            name(annot.raw_get("/V"), f"the signature in {what}")


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
