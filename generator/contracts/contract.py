"""Contract PDFs: a customer (or none, for the generic PDF) → HTML → signable PDF.

The HTML comes from ``templates/pdf/contract.html.j2``, which renders clauses
through the same partial as the site. The PDF then gets its provenance in the
Info dictionary and a real signature field over each party's signature box.
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from generator import __version__
from generator.content.citation import chinese_date
from generator.content.config import SiteConfig, load_config
from generator.content.model import Version
from generator.contracts.customers import SERVICE_TITLES, Customer, canonical_json
from generator.contracts.engine import assemble, faces, pdf
from generator.contracts.engine.pdfa import TAGGED_VARIANT, VARIANT, provenance_attachment
from generator.contracts.engine.signature_fields import signature_boxes
from generator.contracts.signature_page import SIGNATURE_LABELS, signature_note
from generator.errors import AgreementsError
from generator.i18n import _, ngettext
from generator.library_messages import developer_detail
from generator.fingerprint import code_digest, files_digest, system_digest
from generator.inline import InlineContext, to_html
from generator.templates import render_template

TEMPLATE = "pdf/contract.html.j2"
STYLESHEET = Path("templates") / "pdf" / "contract.css"

#: Set to "strict" to make a contract the fast path cannot make an error (the tests do).
FAST_PATH_VARIABLE = "AGREEMENTS_FAST_PATH"
_LOG = logging.getLogger("generator.contracts")

# Field names as e-signing tools show them, and the HTML boxes they cover.
PARTY_FIELDS = {"sig-party-a": "PartyA", "sig-party-b": "PartyB"}
PROVIDER_FIELD = PARTY_FIELDS["sig-party-b"]

# Info-dictionary keys of the provenance.
META_VERSION = "AgreementVersion"
META_SOURCE = "SourceSHA256"
META_VALUES = "ValuesSHA256"
META_NUMBER = "ContractNumber"
META_GENERATOR = "GeneratorVersion"
META_CUSTOMER = "CustomerValues"  # the canonical values, so `verify` can rebuild the text
META_LAYOUT = "LayoutSHA256"  # templates and site_config.yml: what else shapes the text
META_CODE = "GeneratorSHA256"  # the generator's code and its Python rendering libraries
META_SYSTEM = "SystemSHA256"  # HarfBuzz, Pango, fontconfig and the installed fonts
META_CONSENT = "Appendix1"  # 附录一 filled in ("filled") or printed as 不适用 ("not-applicable")

# The files besides a version's sources that decide a contract's text and layout.
LAYOUT_INPUTS = ("templates/pdf", "templates/partials", "site_config.yml")


@dataclass(frozen=True)
class Party:
    role: str
    name: str
    box_id: str


def contract_html(root: Path, config: SiteConfig, version: Version,
                  customer: Customer | None = None) -> str:
    """The contract's HTML; without a customer, the generic text with 【请填写…】 labels.

    It holds no styles: :func:`contract_layout` gives the stylesheet.
    """
    ctx = InlineContext(version, customer.values if customer else None)
    footer = (f"合同编号：{customer.contract_number}" if customer
              else f"{version.agreement.title} · {chinese_date(version.date)}版")
    parties = []
    if customer:
        parties = [Party("甲方", customer.data.company, "sig-party-a"),
                   Party("乙方", config.provider.name, "sig-party-b")]
    return render_template(
        root, TEMPLATE,
        footer=footer, version=version,
        agreement=version.agreement, customer=customer, provider=config.provider,
        services=[SERVICE_TITLES[s] for s in customer.data.services] if customer else [],
        parties=parties, inline=functools.partial(to_html, ctx=ctx), cn_date=chinese_date,
        signature_labels=SIGNATURE_LABELS, signature_note=signature_note(version.agreement.title),
    )


def contract_css(root: Path, config: SiteConfig) -> str:
    """The contract stylesheet: ``templates/pdf/contract.css`` in ``site_config.yml``'s font."""
    # The working faces (see engine/faces.py), then the system family for what they lack;
    # the page's margin boxes (running header, footers) inherit the page's font.
    return (root / STYLESHEET).read_text(encoding="utf-8") + "\n" + \
        faces.font_face_css(config.pdf.font_family)


def contract_layout(root: Path, config: SiteConfig) -> assemble.Layout:
    """How contracts are laid out: the stylesheet, parsed once per process (the file is read
    each time, so that a long-running preview sees edits), and the base URL."""
    base_url = (root / "templates" / "pdf").as_uri() + "/"
    return assemble.Layout(base_url, (pdf.stylesheet(contract_css(root, config), base_url),))


def layout_digest(root: Path, config: SiteConfig | None = None) -> str:
    """SHA-256 over the contract templates, site_config.yml and 乙方's seal image (a few small
    files, read each time so that a long-running preview sees edits). ``config``: the
    configuration the contract is made with, whose seal it names (else site_config.yml is read)."""
    seal = (config or load_config(root)).provider.seal
    return files_digest(root, (*LAYOUT_INPUTS, *((seal,) if seal else ())))


def provenance(version: Version, customer: Customer | None, root: Path,
               config: SiteConfig | None = None) -> dict[str, str]:
    """What the contract was made from, in its Info dictionary: everything `verify` needs to
    rebuild it byte for byte, or to say that this checkout or machine cannot."""
    meta = {META_VERSION: version.date, META_SOURCE: version.source_sha256,
            META_GENERATOR: __version__, META_LAYOUT: layout_digest(root, config),
            META_CODE: code_digest(), META_SYSTEM: system_digest()}
    if customer:
        meta[META_VALUES] = customer.values_sha256
        meta[META_NUMBER] = customer.contract_number
        meta[META_CUSTOMER] = canonical_values(customer)
        meta[META_CONSENT] = "filled" if customer.consent_applies else "not-applicable"
    return meta


def canonical_values(customer: Customer) -> str:
    return canonical_json(customer.data.model_dump(mode="json"))


@dataclass(frozen=True)
class RenderedContract:
    pdf: bytes
    full_render_reason: str | None   # why the fast path gave up and it was rendered in full


def strict_fast_path() -> bool:
    """Whether a contract the fast path cannot make is an error (the tests set this)."""
    return os.environ.get(FAST_PATH_VARIABLE, "") == "strict"


def render_contract(root: Path, config: SiteConfig, version: Version,
                    customer: Customer) -> RenderedContract:
    """A customer's unsigned contract, byte-identical for the same inputs.

    It takes the fast path (:mod:`generator.contracts.engine.assemble`): the
    pages shared by every customer of the version are laid out and written once
    per process, only the customer's own pages per contract. The text, page
    breaks, footers, outline, links and fields are those of a full render
    (:func:`render_pdf_full`); the tests compare the two. When the fast path
    cannot make the contract, it is rendered in full and the result says why —
    or, with ``AGREEMENTS_FAST_PATH=strict``, that is an error.
    """
    pdf.require_cjk_font(config.pdf.font_family)
    meta = provenance(version, customer, root, config)
    try:
        result = assemble.render_fast(
            contract_html(root, config, version, customer), contract_layout(root, config),
            metadata=meta, fields=_fields, variant=VARIANT,
            attachments=[provenance_attachment(meta, version.date)])
    except assemble.FastPathUnavailable as exc:
        if strict_fast_path():
            raise AgreementsError(
                _("the fast contract path cannot make this contract: {reason}; fix the contract template "
                  "(or unset {variable} to render such contracts in full)").format(
                    reason=developer_detail(exc.reason), variable=FAST_PATH_VARIABLE),
                file=customer.file) from exc
        return RenderedContract(render_pdf_full(root, config, version, customer), exc.reason)
    return RenderedContract(result.pdf, None)


def render_pdf(root: Path, config: SiteConfig, version: Version,
               customer: Customer | None = None) -> bytes:
    """The unsigned PDF: byte-identical for the same inputs (see :func:`render_contract`).

    Without a customer, the generic PDF of the version, rendered in full.
    """
    if customer is None:
        return render_pdf_full(root, config, version)
    rendered = render_contract(root, config, version, customer)
    if rendered.full_render_reason:
        warn_full_renders(1, rendered.full_render_reason)
    return rendered.pdf


def warn_full_renders(count: int, reason: str) -> None:
    _LOG.warning(ngettext("{count} contract rendered in full, more slowly, because the fast path gave up: {reason}",
                          "{count} contract(s) rendered in full, more slowly, because the fast path gave up: "
                          "{reason}", count).format(count=count, reason=developer_detail(reason)))


def render_pdf_full(root: Path, config: SiteConfig, version: Version,
                    customer: Customer | None = None) -> bytes:
    """The whole contract laid out and written in one WeasyPrint pass (the reference)."""
    pdf.require_cjk_font(config.pdf.font_family)
    html = contract_html(root, config, version, customer)
    document = contract_layout(root, config).render(html)
    fields = _fields(document) if customer else ()
    meta = provenance(version, customer, root, config)
    return pdf.write_pdf(document, meta, fields=fields,
                         variant=VARIANT if customer else TAGGED_VARIANT,
                         attachments=[provenance_attachment(meta, version.date)])


def _fields(document):
    """The signature boxes of the parties, where the post-pass puts their fields."""
    return signature_boxes(document, PARTY_FIELDS)


def prepare(root: Path, config: SiteConfig, version: Version, customer: Customer) -> None:
    """Lay out and write ``version``'s shared pages now, e.g. before forking workers,
    so that every worker inherits them instead of making its own."""
    try:
        assemble.prepare_shared(contract_html(root, config, version, customer),
                                contract_layout(root, config))
    except assemble.FastPathUnavailable:
        pass   # each contract then says so (or fails, in strict mode)


def load_signer(p12: Path, password: bytes):
    """Open the key once, up front: a wrong password or a key unfit to sign (expired, not yet
    valid, wrong key usage, not matching its certificate) stops a batch before any file is written."""
    from generator.contracts import signing  # pyHanko costs ~0.6 s to import; only signing needs it

    return signing.load_signer(p12, password)


def load_timestamper(url: str):
    """The RFC 3161 time-stamping authority at ``url``, tried once before anything is written."""
    from generator.contracts import signing

    return signing.timestamper(url)


def sign_provider(data: bytes, signer, timestamps=None, *, root: Path | None = None,
                  config: SiteConfig | None = None) -> bytes:
    """乙方 certifies its field in advance (DocMDP 2: 甲方 can still sign ``PartyA``), its
    appearance naming 乙方 from ``site_config.yml``, with its seal when one is configured."""
    from generator.contracts import signing, stamp

    appearance = None
    if config is not None:
        seal = (root / config.provider.seal) if (root and config.provider.seal) else None
        appearance = stamp.Appearance(config.provider.name, config.pdf.font_family, seal)
    return signing.sign_field(data, PROVIDER_FIELD, signer, certify=True, timestamps=timestamps,
                              appearance=appearance)
