"""`agreements consent`: the customer's filled 附录一, to paste into their own app."""

from __future__ import annotations

from markupsafe import escape

from generator.contracts.customers import CONSENT_SERVICE, SERVICE_TITLES, Customer
from generator.errors import AgreementsError
from generator.i18n import _
from generator.inline import InlineContext, escape_markdown, to_html, to_markdown, to_text


def consent_text(customer: Customer, fmt: str) -> str:
    if not customer.consent_applies:
        raise AgreementsError(_("附录一 does not apply to this customer: it applies only to the "
                                "{service} service; add it to the services to fill 附录一").format(
                                    service=SERVICE_TITLES[CONSENT_SERVICE]), file=customer.file, key="services")
    appendix = customer.version.consent
    ctx = InlineContext(customer.version, customer.values)
    paragraphs = [p for clause in appendix.clauses for p in clause.paragraphs]
    if fmt == "html":
        body = "\n".join(f"<p>{to_html(p, ctx)}</p>" for p in paragraphs)
        return f'<section class="consent" lang="zh-CN">\n<h3>{escape(appendix.title)}</h3>\n{body}\n</section>\n'
    if fmt == "md":
        body = "\n\n".join(to_markdown(p, ctx) for p in paragraphs)
        return f"### {escape_markdown(appendix.title)}\n\n{body}\n"
    body = "\n\n".join(to_text(p, ctx) for p in paragraphs)
    return f"{appendix.title}\n\n{body}\n"
