"""What a contract claims to be made from, and whether this checkout can rebuild it.

The Info dictionary names the agreement version (and the SHA-256 of its
sources), the customer's values (and their SHA-256), and fingerprints of the
templates, the generator's code and the fonts that made the PDF. A claim this
checkout contradicts is a failure; a claim it cannot check (another version's
sources, another generator, other fonts) is "undecided", never "altered".
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pydantic import ValidationError

from generator import __version__
from generator.content.model import Version
from generator.content.project import Project
from generator.content.resolve import SourceFile
from generator.contracts import contract
from generator.contracts.customers import (
    Customer,
    CustomerFile,
    consent_values,
    derived_contract_number,
    values_digest,
)
from generator.contracts.verify.report import Check, Status
from generator.errors import AgreementsError
from generator.fingerprint import code_digest, system_digest
from generator.i18n import N_, _
from generator.library_messages import library_reason

REQUIRED = (contract.META_VERSION, contract.META_SOURCE, contract.META_VALUES, contract.META_CUSTOMER)


@dataclass(frozen=True)
class Claim:
    meta: dict[str, str]
    version: Version
    customer: Customer

    @property
    def summary(self) -> dict[str, str]:
        return {"version": self.version.date, "contract_number": self.customer.contract_number,
                "customer": self.customer.data.company,
                "generator": generator_label(self.meta)}


def generator_label(meta: dict[str, str]) -> str:
    code = meta.get(contract.META_CODE)
    version = meta.get(contract.META_GENERATOR, "?")
    return f"agreements {version}" + (_(" (code {code})").format(code=code[:12]) if code
                                      else _(" (no code fingerprint)"))


def read_info(data: bytes) -> dict[str, str]:
    """The Info dictionary of the document as readers show it (its newest revision)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:  # the structure's library: one reading
        return {str(key).lstrip("/"): str(value) for key, value in pdf.docinfo.items()}


def read_claim(data: bytes, project: Project, path: Path) -> tuple[Claim | None, Check]:
    """The contract's claim and the "provenance" check; no claim when it cannot be read."""
    try:
        meta = read_info(data)
    except Exception as exc:  # noqa: BLE001 - a damaged file can raise many kinds
        return None, Check("provenance", Status.FAIL, _("cannot read the PDF's Info dictionary "
                           "({error}); the file is damaged or not a PDF").format(
                               error=library_reason(exc)))
    missing = [key for key in REQUIRED if key not in meta]
    if missing:
        return None, Check("provenance", Status.FAIL, _("no provenance in this PDF (missing "
                           "{keys}); only contracts written by `agreements "
                           "contract` can be verified").format(keys=", ".join(missing)))
    try:
        data_file = CustomerFile.model_validate(json.loads(meta[contract.META_CUSTOMER]))
    except (ValueError, ValidationError):  # json.JSONDecodeError is a ValueError
        return None, Check("provenance", Status.FAIL, _("the {key} entry of the "
                           "Info dictionary is not a valid customer record: altered or damaged").format(
                               key=contract.META_CUSTOMER))
    try:
        version = project.version(meta[contract.META_VERSION])
    except AgreementsError as exc:
        return None, Check("provenance", Status.UNDECIDED, _("the contract names {what}; "
                           "verify it with a checkout that has this version").format(what=exc.message))
    number = meta.get(contract.META_NUMBER) or derived_contract_number(data_file.id, version.date)
    values, unfit = consent_values(data_file, version, SourceFile(path, {}))
    if unfit:
        return None, Check("provenance", Status.FAIL, _("the customer values in the PDF do not fit "
                           "version {version}").format(version=version.date), [f"{e.key}: {e.message}" for e in unfit])
    claim = Claim(meta, version, Customer(path, data_file, version, values, number))
    return claim, _check_digests(claim)


def _check_digests(claim: Claim) -> Check:
    meta, version = claim.meta, claim.version
    facts = {"version": version.date, "status": version.status,
             "source_sha256": meta[contract.META_SOURCE], "values_sha256": meta[contract.META_VALUES]}
    if values_digest(claim.customer.data, version.date, claim.customer.contract_number) \
            != meta[contract.META_VALUES]:
        return Check("provenance", Status.FAIL, _("the customer values in the PDF do not match "
                     "their SHA-256 ({key}): altered").format(key=contract.META_VALUES), facts=facts)
    if version.source_sha256 != meta[contract.META_SOURCE]:
        return Check("provenance", Status.UNDECIDED, _("the contract was made from other sources "
                     "of version {version} than this checkout's (SHA-256 "
                     "{theirs}… here {ours}…), "
                     "e.g. an earlier draft; verify it with the checkout that made it").format(
                         version=version.date, theirs=meta[contract.META_SOURCE][:12],
                         ours=version.source_sha256[:12]), facts=facts)
    return Check("provenance", Status.PASS, _("version {version} ({status}) and the "
                 "customer's values, both matching their SHA-256").format(
                     version=version.date, status=version.status), facts=facts)


def check_version_status(claim: Claim, signed: bool) -> Check | None:
    """A draft makes previews; a signed draft is never a valid contract."""
    if not claim.version.is_draft:
        return None
    if signed:
        return Check("draft", Status.FAIL, _("version {version} is a draft, and drafts are "
                     "never signed: this is not a valid contract").format(version=claim.version.date))
    return Check("draft", Status.WARN, _("version {version} is a draft: this PDF is a "
                 "preview, not a contract to sign").format(version=claim.version.date))


def check_generator(claim: Claim, root: Path) -> Check:
    """Can this checkout and machine rebuild the PDF byte for byte? (If not, a warning: verify
    then checks the content instead, and says so.)"""
    meta = claim.meta
    here = {contract.META_LAYOUT: contract.layout_digest(root), contract.META_CODE: code_digest(),
            contract.META_SYSTEM: system_digest()}
    facts = {"made_by": generator_label(meta), "this_generator": f"agreements {__version__} "
             f"(code {here[contract.META_CODE][:12]})"}
    differences = [_(reason) if key in meta else _("it names no {key} (made before contracts recorded "
                                                   "it)").format(key=key)
                   for key, reason in DIFFERENCES if meta.get(key) != here[key]]
    if not differences:
        return Check("generator", Status.PASS, _("made by this generator, with these templates and "
                     "fonts"), facts=facts)
    facts["why"] = "; ".join(differences)
    return Check("generator", Status.WARN, _("made by {generator}; this checkout "
                 "cannot rebuild it byte for byte: {why}; its content is checked "
                 "instead").format(generator=generator_label(meta), why=facts["why"]), facts=facts)


DIFFERENCES = (
    (contract.META_LAYOUT, N_("the contract templates or site_config.yml differ (LayoutSHA256 mismatch)")),
    (contract.META_CODE, N_("the generator's code or its rendering libraries differ (GeneratorSHA256 mismatch)")),
    (contract.META_SYSTEM, N_("the fonts or text libraries (HarfBuzz, Pango, fontconfig) differ "
                              "(SystemSHA256 mismatch)")),
)


_REBUILT: dict[tuple[str, ...], bytes] = {}
_REBUILT_KEEP = 8  # one contract per `verify`; a few in tests and batch checks


def rebuild(project: Project, claim: Claim) -> bytes:
    """The contract as this checkout makes it from the claimed version and values."""
    key = (str(project.root), claim.version.date, claim.version.source_sha256,
           contract.layout_digest(project.root), claim.meta[contract.META_CUSTOMER],
           claim.customer.contract_number)
    if key not in _REBUILT:
        while len(_REBUILT) >= _REBUILT_KEEP:
            _REBUILT.pop(next(iter(_REBUILT)))
        _REBUILT[key] = contract.render_pdf(project.root, project.config, claim.version, claim.customer)
    return _REBUILT[key]
