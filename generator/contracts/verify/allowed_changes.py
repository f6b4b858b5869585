"""The one list of what a revision after the generator's may change, and the rule enforcing it.

乙方 certifies the contract with DocMDP permission 2 (form filling and
signing). After the generator's revision a later one may change only:

- 甲方's (or 乙方's) signature field value, its widget's appearance and the
  fonts and resources that appearance alone uses (pyHanko's
  ``SigFieldModificationRule``, in :mod:`.policy`);
- the keys below: in the catalog only the entries signing writes, in the
  form only its field list and ``/SigFlags``, in the document information
  only ``/ModDate`` and ``/Producer``; the XMP metadata stream holding only
  bookkeeping (:mod:`.policy`); ``/DSS`` validation data and document
  timestamps.

Everything else — the form's ``/NeedAppearances``, ``/DA``, ``/DR``, ``/Q``,
the catalog's ``/MarkInfo``, ``/Lang``, ``/ViewerPreferences``,
``/OpenAction``, ``/AA`` (JavaScript), ``/Names`` … — fails, naming the key
and the object. Freeing an object (an xref 'f' entry) is refused before this,
by :mod:`.structure`.

To allow more (a PDF/A-3 signer that must update, say, the XMP metadata and
``/AF``), add the key here, and a rule checking its new value in :mod:`.policy`.
"""

from __future__ import annotations

from collections.abc import Iterable

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver
from pyhanko.sign.diff_analysis import ReferenceUpdate, SuspiciousModification, WhitelistRule

from generator.i18n import _

# Catalog entries a later revision may write; each one's content is checked by its own rule:
# /AcroForm by the form rule, /Perms by CertificationRule, /Metadata by XmpBookkeepingRule,
# /DSS by pyHanko's DSSCompareRule; /Extensions and /Version only declare features used.
CATALOG_MAY_CHANGE = frozenset({"/AcroForm", "/Perms", "/Metadata", "/DSS", "/Extensions",
                                "/Version"})
# The form (/AcroForm): the field list (signature fields are checked one by one) and /SigFlags.
ACROFORM_MAY_CHANGE = frozenset({"/Fields", "/SigFlags"})
# The document information (Info): what a signing tool records about itself.
INFO_MAY_CHANGE = frozenset({"/ModDate", "/Producer"})

# The XMP metadata stream may be rewritten (a PDF/A signer must) holding only these
# bookkeeping properties, and copies of the Info entries named here (XmpBookkeepingRule).
_NS = {"xmp": "http://ns.adobe.com/xap/1.0/", "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
       "dc": "http://purl.org/dc/elements/1.1/", "pdf": "http://ns.adobe.com/pdf/1.3/"}
# XMP properties that only record which tool touched the file, and when.
XMP_BOOKKEEPING = frozenset({
    (_NS["xmp"], "ModifyDate"), (_NS["xmp"], "MetadataDate"), (_NS["xmp"], "CreateDate"),
    (_NS["xmp"], "CreatorTool"), (_NS["pdf"], "Producer"), (_NS["pdf"], "PDFVersion"),
    (_NS["dc"], "format"), *((_NS["xmpMM"], name) for name in (
        "DocumentID", "InstanceID", "VersionID", "OriginalDocumentID", "RenditionClass",
        "History", "DerivedFrom")),
})
# XMP properties that describe the document: allowed only as copies of the Info entry.
XMP_MIRRORS_INFO = {(_NS["dc"], "title"): "/Title", (_NS["dc"], "creator"): "/Author",
                    (_NS["dc"], "description"): "/Subject", (_NS["pdf"], "Keywords"): "/Keywords",
                    (_NS["pdf"], "keywords"): "/Keywords"}


class AllowListRule(WhitelistRule):
    """The catalog and the form change only in :data:`CATALOG_MAY_CHANGE` and
    :data:`ACROFORM_MAY_CHANGE`; the message names the key and the object."""

    def apply(self, old: HistoricalResolver, new: HistoricalResolver) -> Iterable[ReferenceUpdate]:
        root_ref = new.trailer_view.raw_get("/Root")
        catalog = _("the document catalog (object {number})").format(number=_number(root_ref))
        _compare(old.root, new.root, CATALOG_MAY_CHANGE, catalog)
        old_form, new_form = _form(old), _form(new)
        if old_form is not None or new_form is not None:
            form_ref = new.root.raw_get("/AcroForm") if "/AcroForm" in new.root else None
            where = (_("the form (/AcroForm, object {number})").format(number=_number(form_ref))
                     if isinstance(form_ref, generic.IndirectObject) else _("the form (/AcroForm)"))
            _compare(old_form or generic.DictionaryObject(), new_form or generic.DictionaryObject(),
                     ACROFORM_MAY_CHANGE, where)
        yield from ()


def _number(ref) -> str:
    return str(ref.idnum) if isinstance(ref, (generic.IndirectObject, generic.Reference)) else "?"


def _form(resolver: HistoricalResolver) -> generic.DictionaryObject | None:
    """The form, direct in the catalog or (as the PDF/A engine writes it) an indirect object:
    ``get`` would return the reference itself, so it is dereferenced."""
    if "/AcroForm" not in resolver.root:
        return None
    form = resolver.root["/AcroForm"]
    return form if isinstance(form, generic.DictionaryObject) else None


def _compare(old: generic.DictionaryObject, new: generic.DictionaryObject, allowed: frozenset[str],
             where: str) -> None:
    changed = sorted(key for key in (set(old) | set(new)) - allowed
                     if not _same(old.get(key), new.get(key)))
    if changed:
        raise SuspiciousModification(_("{where} changes {keys}, which no revision "
                                       "after the contract's may change").format(where=where, keys=", ".join(changed)))


def _same(old, new) -> bool:
    """Equal values, nested indirect objects compared by reference (pyHanko flags a changed
    object behind a reference as an unexplained update)."""
    if isinstance(old, generic.DictionaryObject) and isinstance(new, generic.DictionaryObject):
        return set(old) == set(new) and all(old.raw_get(k) == new.raw_get(k) for k in old)
    return type(old) is type(new) and old == new
