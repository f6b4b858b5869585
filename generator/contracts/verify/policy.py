"""pyHanko's difference analysis, restricted to what signing a contract changes.

pyHanko's :data:`~pyhanko.sign.diff_analysis.DEFAULT_DIFF_POLICY` lets a later
revision create new signature fields (whose widgets can paint over a page)
and rewrite the Info dictionary and XMP metadata at will. A contract allows
less. After the generator's revision, a revision may only:

- sign one of the contract's own, existing signature fields (``PartyA``,
  ``PartyB``) with a fresh appearance (:class:`SigFieldModificationRule`,
  no in-place stream rewrites, no new fields);
- certify with DocMDP (``/Perms`` naming the signature made in that revision);
- add what signing tools write for long-term validation (``/DSS``,
  cross-reference and object streams, ``/Extensions``, ``/Version``);
- touch the metadata only as signing tools do: ``/ModDate`` and ``/Producer``
  in Info, and XMP holding nothing but dates, tool names and document ids,
  or the same title, author, subject and keywords as Info.

pyHanko's own signer updates Info's /Producer and, for EC keys (ISO 32002),
writes XMP; Acrobat does the same. Refusing those would call every contract
signed in a common tool altered, so they are allowed exactly that far.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.metadata import model as xmp_model
from pyhanko.pdf_utils.metadata import xmp_xml
from pyhanko.pdf_utils.reader import HistoricalResolver, RawPdfPath
from pyhanko.sign.diff_analysis import (
    CatalogModificationRule,
    DSSCompareRule,
    FormUpdatingRule,
    MetadataUpdateRule,
    ModificationLevel,
    ObjectStreamRule,
    ReferenceUpdate,
    SigFieldCreationRule,
    SigFieldModificationRule,
    StandardDiffPolicy,
    SuspiciousModification,
    WhitelistRule,
    XrefStreamRule,
)
from pyhanko.sign.diff_analysis.rules_api import Context

from generator.contracts.contract import PARTY_FIELDS
from generator.i18n import _
from generator.contracts.verify.allowed_changes import (
    ACROFORM_MAY_CHANGE,
    CATALOG_MAY_CHANGE,
    INFO_MAY_CHANGE,
    XMP_BOOKKEEPING,
    XMP_MIRRORS_INFO,
    AllowListRule,
)
from generator.library_messages import library_reason

# The only fields a revision after the generator's may fill: 甲方's and 乙方's signatures.
CONTRACT_FIELDS = frozenset(PARTY_FIELDS.values())

# Info entries a signing tool rewrites; every other entry (the title, the provenance) is fixed.
INFO_BOOKKEEPING = INFO_MAY_CHANGE

_PDFX = "http://ns.adobe.com/pdfx/1.3/"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"  # Acrobat's copy of custom Info entries


class InfoBookkeepingRule(WhitelistRule):
    """Info may change only in :data:`INFO_BOOKKEEPING`."""

    def apply(self, old: HistoricalResolver, new: HistoricalResolver) -> Iterable[ReferenceUpdate]:
        old_ref = old.trailer_view.get_value_as_reference("/Info", optional=True)
        new_ref = new.trailer_view.get_value_as_reference("/Info", optional=True)
        if new_ref is None:
            if old_ref is not None:
                raise SuspiciousModification(_("the document information (Info) was removed"))
            return
        if old_ref is None:
            raise SuspiciousModification(_("a document information dictionary (Info) was added"))
        old_info, new_info = old(old_ref), new(new_ref)  # each as of its own revision
        if not isinstance(new_info, generic.DictionaryObject):
            raise SuspiciousModification(_("the document information (Info) is not a dictionary"))
        changed = sorted(key for key in (set(old_info) | set(new_info)) - INFO_BOOKKEEPING
                         if _raw(old_info, key) != _raw(new_info, key))
        if changed:
            raise SuspiciousModification(
                _("the document information (Info) changes {keys}").format(keys=", ".join(changed)))
        yield ReferenceUpdate(new_ref, context_checked=Context.from_absolute(old, RawPdfPath("/Info")))


def _raw(dictionary: generic.DictionaryObject, key: str):
    return dictionary.raw_get(key) if key in dictionary else None


class XmpBookkeepingRule(MetadataUpdateRule):
    """XMP may be written (as signing tools do) holding only bookkeeping and copies of Info."""

    def apply(self, old: HistoricalResolver, new: HistoricalResolver) -> Iterable[ReferenceUpdate]:
        updates = list(super().apply(old, new))  # well-formed XML, no entities, no clobbering
        if not updates:
            return
        stream = new(new.root.get_value_as_reference("/Metadata"))
        try:
            roots = xmp_xml.parse_xmp(io.BytesIO(stream.data))
        except (ValueError, misc.PdfError) as exc:
            raise SuspiciousModification(_("the XMP metadata cannot be read ({error})").format(error=library_reason(exc))) from exc
        info_ref = old.trailer_view.get_value_as_reference("/Info", optional=True)
        info = old(info_ref) if info_ref is not None else generic.DictionaryObject()
        before = _xmp_properties(old)
        for root in roots:
            for name, value in root:
                # Carried over unchanged (e.g. the PDF/A identification pdfaid:part): allowed.
                if ((name.ns, name.local_name), frozenset(_texts(value))) not in before:
                    _check_xmp_property(name, value, info)
        yield from updates


def _xmp_properties(revision: HistoricalResolver) -> set:
    """(property, its texts) of the XMP metadata as of ``revision`` (empty without one)."""
    ref = revision.root.get_value_as_reference("/Metadata", optional=True)
    if ref is None:
        return set()
    try:
        roots = xmp_xml.parse_xmp(io.BytesIO(revision(ref).data))
    except (ValueError, misc.PdfError, AttributeError):
        return set()
    return {((name.ns, name.local_name), frozenset(_texts(value)))
            for root in roots for name, value in root}


def _check_xmp_property(name, value, info: generic.DictionaryObject) -> None:
    key = (name.ns, name.local_name)
    if key in XMP_BOOKKEEPING or name.ns == _RDF:  # rdf:about names the document itself
        return
    info_key = XMP_MIRRORS_INFO.get(key) or (f"/{name.local_name}" if name.ns == _PDFX else None)
    if info_key is not None and _texts(value) <= {str(info.get(info_key, ""))}:
        return
    raise SuspiciousModification(
        _("the XMP metadata sets {name} ({namespace}) to something the document "
          "information does not say").format(name=name.local_name, namespace=name.ns))


def _texts(value) -> set[str]:
    """Every text in an XMP value (a plain value, or the entries of an array)."""
    inner = value.value
    if isinstance(inner, xmp_model.XmpArray):
        return set().union(*(_texts(entry) for entry in inner.entries)) if inner.entries else set()
    return {inner if isinstance(inner, str) else repr(inner)}


class CertificationRule(WhitelistRule):
    """``/Perms`` may only hold ``/DocMDP``, set once and never changed afterwards."""

    def apply(self, old: HistoricalResolver, new: HistoricalResolver) -> Iterable[ReferenceUpdate]:
        old_perms, new_perms = old.root.get("/Perms"), new.root.get("/Perms")
        if new_perms is None:
            if old_perms is not None:
                raise SuspiciousModification(_("the certification (/Perms) was removed"))
            return
        if not isinstance(new_perms, generic.DictionaryObject) or set(new_perms) != {"/DocMDP"}:
            raise SuspiciousModification(_("/Perms holds more than a /DocMDP certification"))
        if old_perms is not None and old_perms.raw_get("/DocMDP") != new_perms.raw_get("/DocMDP"):
            raise SuspiciousModification(_("the certification (/Perms /DocMDP) was replaced"))
        if isinstance(new.root.raw_get("/Perms"), generic.IndirectObject):
            raise SuspiciousModification(_("/Perms is an indirect object; certification writes it in place"))
        yield from ()


def contract_policy() -> StandardDiffPolicy:
    lta = ModificationLevel.LTA_UPDATES
    return StandardDiffPolicy(
        global_rules=[
            AllowListRule().as_qualified(lta),  # first: its message names the key and object
            CatalogModificationRule(ignored_keys=CATALOG_MAY_CHANGE),
            CertificationRule().as_qualified(lta),
            InfoBookkeepingRule().as_qualified(lta),
            XmpBookkeepingRule().as_qualified(lta),
            DSSCompareRule().as_qualified(lta),
            XrefStreamRule().as_qualified(lta),
            ObjectStreamRule().as_qualified(lta),
        ],
        form_rule=FormUpdatingRule(
            field_rules=[SigFieldModificationRule(allow_in_place_appearance_stream_changes=False),
                         # a document timestamp's field: invisible after the certification
                         SigFieldCreationRule(allow_new_visible_after_certify=False)],
            # signing sets /SigFlags (signatures exist, append only)
            ignored_acroform_keys=ACROFORM_MAY_CHANGE),
    )
