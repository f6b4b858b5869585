"""Customer files: what sales fill in to export a contract.

A customer file names the customer (甲方), the services they take and the
values of 附录一's placeholders. Validation happens in two steps, each
collecting every problem: the file against its schema, then the consent values
against the placeholders of the agreement version the contract uses.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
)

from generator.characters import refuse_invisible, shown
from generator.content.loader import load_yaml
from generator.content.model import Version
from generator.content.project import Project
from generator.content.resolve import PATTERN_RULES, SourceFile, validate
from generator.content.schema import CalendarDate
from generator.contracts.glyphs import missing_glyphs
from generator.errors import AgreementsError, ErrorCollector, display_path
from generator.i18n import N_, _

CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# 附录一 is the consent the customer collects for 信息查询核验: only that service needs it.
CONSENT_SERVICE = "verification"

SERVICE_TITLES = {
    "verification": "信息查询核验类接口",
    "sms": "短信类接口",
    "recharge": "充值缴费类接口",
    "other": "其他接口",
}


def credit_code_check_digit(first17: str) -> str:
    """The 18th character of a 统一社会信用代码 (GB 32100-2015, modulo 31)."""
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def _valid_credit_code(code: str) -> str:
    code = code.upper()
    if len(code) != 18 or any(c not in CREDIT_CODE_CHARS for c in code):
        raise ValueError(_("a 统一社会信用代码 has 18 characters from 0-9 and A-Y without I, O, S, V, Z; "
                           "copy it from the business licence"))
    expected = credit_code_check_digit(code[:17])
    if code[17] != expected:
        raise ValueError(_("check digit is wrong (last character {last}, expected {expected} per "
                           "GB 32100-2015); the code has a typo, copy it again from the business "
                           "licence").format(last=code[17], expected=expected))
    return code


def _printable(text: str) -> str:
    """Values are printed verbatim, so characters that cannot be shown are refused."""
    refuse_invisible(text)
    missing = missing_glyphs(text)
    if missing:
        listed = ", ".join(f"U+{ord(c):04X} “{c}”" for c in missing)
        raise ValueError(_("no installed font can print {listed}; replace it (for a rare character "
                           "in a name, use the common form), or install a font that has it").format(
                               listed=listed))
    return text


def _distinct(items: list) -> list:
    """A service or a personal field listed twice would be printed twice in the contract."""
    seen = set()
    for item in items:
        if item in seen:
            raise ValueError(_("“{item}” is listed twice; list each once").format(item=shown(item)))
        seen.add(item)
    return items


def _value(max_length: int, pattern: str | None = None) -> Any:
    """A one-line value: stripped, bounded, and printable (every string field is one of these)."""
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length,
                                            pattern=pattern), AfterValidator(_printable)]


# The bounds keep a hostile file fast to refuse and every contract one that fits its pages.
MAX_LIST_ITEMS = 50  # items of a list placeholder (personal fields)
MAX_CONSENT_KEYS = 20

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
PHONE_PATTERN = r"^\+?[0-9][0-9 -]{5,20}$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
NUMBER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$"
# What each pattern means, in words, for validate(): the content's own rules and the customer file's.
CUSTOMER_PATTERN_RULES: Mapping[str, str] = MappingProxyType({
    **PATTERN_RULES,
    SLUG_PATTERN: N_("must be 1–64 lower-case letters, digits and `-` (it names the PDF file), e.g. lanzhou-data"),
    PHONE_PATTERN: N_("must be a phone number: digits, optionally a leading +, spaces and `-`; quote it in YAML"),
    EMAIL_PATTERN: N_("must be an e-mail address such as li@example.com"),
    NUMBER_PATTERN: N_("must be 1–40 letters, digits and `-`, e.g. ZSY-2026-0001"),
})

Line = _value(300)
Slug = _value(64, SLUG_PATTERN)
CreditCode = Annotated[_value(18), AfterValidator(_valid_credit_code)]
Phone = _value(22, PHONE_PATTERN)
Email = _value(254, EMAIL_PATTERN)
ContractNumber = _value(40, NUMBER_PATTERN)
ConsentText = _value(500)
ConsentList = Annotated[list[_value(100)], Field(max_length=MAX_LIST_ITEMS, json_schema_extra={"uniqueItems": True}),
                        AfterValidator(_distinct)]
Service = Literal["verification", "sms", "recharge", "other"]


def _consent_kind(value: object) -> str:
    return "list" if isinstance(value, list) else "text"


# Tagged, so that a bad list is reported as a list (not also as “not a valid string”).
ConsentValue = Annotated[Annotated[ConsentText, Tag("text")] | Annotated[ConsentList, Tag("list")],
                         Discriminator(_consent_kind)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contact(_Strict):
    """甲方's contact person for the contract."""

    name: Line = Field(description=N_("Contact person's name."))
    phone: Phone = Field(description=N_("Phone number, digits with optional +, spaces and dashes; quote it in YAML."))
    email: Email = Field(description=N_("E-mail address."))


class CustomerFile(_Strict):
    """A customer file under customers/: one contract's 甲方 and its 附录一 values."""

    model_config = ConfigDict(title="Customer (customers/*.yml)")

    id: Slug = Field(description=N_("Names the output file: lower-case letters, digits and `-`, 1–64 characters."))
    company: Line = Field(description=N_("甲方's registered company name."))
    credit_code: CreditCode = Field(description=N_("统一社会信用代码 (18 characters; the check digit is verified)."))
    address: Line = Field(description=N_("Registered address."))
    representative: Line = Field(description=N_("法定代表人或授权代表."))
    contact: Contact
    services: Annotated[list[Service], AfterValidator(_distinct)] = Field(
        min_length=1, max_length=4, json_schema_extra={"uniqueItems": True},
        description=N_("Services taken, each once: verification, sms, recharge, other."))
    consent: dict[Annotated[str, StringConstraints(max_length=64)], ConsentValue] = Field(
        default_factory=dict, max_length=MAX_CONSENT_KEYS,
        description="附录一's placeholders by name (purpose, personal_fields, source_name); a list for "
        f"list-type ones (at most {MAX_LIST_ITEMS} distinct items of up to 100 characters). Required "
        "with the verification service only: without it the contract prints 不适用 for 附录一.")
    contract_number: ContractNumber | None = Field(
        default=None, description=N_("合同编号; derived from id and version when absent."))
    signing_date: CalendarDate | None = Field(
        default=None, description=N_("Signing date printed on the cover, if known (YYYY-MM-DD)."))
    version: CalendarDate | None = Field(
        default=None, description=N_("Agreement version; default: the newest published."))


@dataclass(frozen=True)
class Customer:
    """A validated customer bound to an agreement version: everything a contract needs."""

    file: Path
    data: CustomerFile
    version: Version
    values: dict[str, str | tuple[str, ...]]  # 附录一 placeholder values
    contract_number: str
    origin: str = ""  # the input: /…/customers/acme.yml, /…/customers.xlsx:客户!5
    notes: tuple[tuple[str, str], ...] = ()  # a sheet's extra columns (备注 …): kept, never printed

    @property
    def consent_applies(self) -> bool:
        """Whether 附录一 is filled in, or printed as 不适用 (no 信息查询核验 service)."""
        return CONSENT_SERVICE in self.data.services

    @property
    def id(self) -> str:
        return self.data.id

    @property
    def values_sha256(self) -> str:
        return values_digest(self.data, self.version.date, self.contract_number)

    @property
    def output_name(self) -> str:
        return f"{self.data.id}_{self.version.date}.pdf"


def canonical_json(payload: dict) -> str:
    """One spelling of a record, so that its SHA-256 depends only on its content."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def values_digest(data: CustomerFile, version: str, contract_number: str) -> str:
    """SHA-256 of the canonical JSON of everything the customer contributes."""
    payload = data.model_dump(mode="json")
    payload.update(version=version, contract_number=contract_number)
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def derived_contract_number(customer_id: str, version: str, prefix: str = "ZSY") -> str:
    digest = hashlib.sha256(f"{customer_id}\0{version}".encode()).hexdigest()[:8].upper()
    return f"{prefix}-{version.replace('-', '')}-{digest}"


@dataclass(frozen=True)
class Record:
    """One customer as an input gave it, before validation.

    ``source`` holds the plain data and turns a path in it into an error at the
    right place (a YAML file's line, a sheet's row and column); ``within`` is
    where in its file the record is (``客户!5`` for a sheet row, empty for a YAML
    file); ``problems`` are what the reader already refused (a number where text
    belongs), reported instead of the schema's complaint about the same field.
    """

    source: SourceFile  # or anything with .path, .data and .error(loc, message)
    within: str = ""
    problems: tuple[AgreementsError, ...] = ()
    notes: tuple[tuple[str, str], ...] = ()  # a sheet's columns no contract reads (备注 …), by header

    @property
    def place(self) -> str:
        """The record in messages: ``customers/acme.yml``, ``customers.xlsx:客户!5``."""
        return ":".join(filter(None, (display_path(self.source.path), self.within)))

    @property
    def origin(self) -> str:
        """The record wherever the command runs from: the absolute path, then ``within``."""
        return ":".join(filter(None, (str(Path(self.source.path).resolve()), self.within)))


def load_customer(path: Path, project: Project, *, allow_draft: bool = False) -> Customer:
    """Read and validate one customer YAML file against the project's versions."""
    return customer_from_record(yaml_record(path, project.root), project, allow_draft=allow_draft)


def yaml_record(path: Path, project_root: Path) -> Record:
    return Record(SourceFile(path, load_yaml(path, project_root=project_root)))


def customer_from_record(record: Record, project: Project, *, allow_draft: bool = False) -> Customer:
    """The one validator: every input (YAML file, sheet row) becomes a Customer here."""
    source, path = record.source, record.source.path
    errors = ErrorCollector()
    errors.extend(list(record.problems))
    schema_errors = ErrorCollector()
    data: CustomerFile | None = validate(source, CustomerFile, schema_errors, pattern_rules=CUSTOMER_PATTERN_RULES)
    refused = {problem.key for problem in record.problems}
    errors.extend([e for e in schema_errors.errors if e.key not in refused])
    errors.raise_if_any(f"{record.place} is invalid")
    version = _version_for(data, project, source, allow_draft)
    values, problems = consent_values(data, version, source)
    errors.extend(problems)
    errors.raise_if_any(f"{record.place} is invalid")
    number = data.contract_number or derived_contract_number(data.id, version.date)
    return Customer(path, data, version, values, number, record.origin, record.notes)


def _version_for(data: CustomerFile, project: Project, source: SourceFile, allow_draft: bool) -> Version:
    if data.version is None:
        latest = project.latest_published
        if latest is None:
            raise source.error(("id",), _("no published version exists yet; publish one first "
                                          "(`agreements publish DATE`) or set `version:`"))
        return latest
    try:
        version = project.version(data.version.isoformat())
    except AgreementsError as exc:
        raise source.error(("version",), exc.message) from None
    if version.is_draft and not allow_draft:
        raise source.error(("version",), _("version {date} is a draft and cannot be signed; "
                                           "use a published version, or pass --allow-draft for a "
                                           "preview").format(date=version.date))
    return version


def consent_values(data: CustomerFile, version: Version, source: SourceFile
                   ) -> tuple[dict[str, str | tuple[str, ...]], list[AgreementsError]]:
    """附录一's values checked against ``version``'s placeholders: (values, problems)."""
    errors = ErrorCollector()
    values: dict[str, str | tuple[str, ...]] = {}
    if CONSENT_SERVICE not in data.services:
        if data.consent:
            errors.add(source.error(("consent",), _(
                "附录一 applies only to the {service} service, which this customer does not take; clear "
                "its values, or add {service} to the services").format(service=SERVICE_TITLES[CONSENT_SERVICE])))
        return values, errors.errors
    declared = {p.name: p for p in version.consent.placeholders}
    for name in data.consent:
        if name not in declared:
            errors.add(source.error(("consent", name), _("unknown placeholder; version {date} "
                                    "declares: {declared}").format(date=version.date,
                                                                   declared=", ".join(declared))))
    for name, placeholder in declared.items():
        loc = ("consent", name)
        value = data.consent.get(name)
        if value is None:
            errors.add(source.error(loc, _(
                "missing value for {name} ({title}), required with the {service} service; fill it in: "
                "{description}").format(name=name, title=placeholder.title, description=placeholder.description,
                                        service=SERVICE_TITLES[CONSENT_SERVICE])))
        elif placeholder.type == "list" and isinstance(value, str):
            errors.add(source.error(loc, _("`{name}` ({title}) is a list; write it as "
                                    "[值一, 值二]").format(name=name, title=placeholder.title)))
        elif placeholder.type == "list" and not value:
            errors.add(source.error(loc, _("`{name}` ({title}) is empty; list at least one "
                                           "item").format(name=name, title=placeholder.title)))
        elif placeholder.type == "text" and not isinstance(value, str):
            errors.add(source.error(loc, _("`{name}` ({title}) is one text, not a list").format(
                name=name, title=placeholder.title)))
        else:
            values[name] = value if isinstance(value, str) else tuple(value)
    return values, errors.errors

