"""`agreements receipt-pdf`: one acceptance as an evidence certificate (PDF/A-3b) for a court
filing: which account, which version with its hashes, when (Beijing time, UTC kept), what was
presented, and the proofs; the receipt itself rides along as an embedded file (PDF/A-3 allows
that), so the certificate carries what `agreements verify-receipt` checks."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from generator.acceptance.catalog import beijing
from generator.acceptance.verify import Check
from generator.content.citation import chinese_date
from generator.errors import AgreementsError
from generator.i18n import _
from generator.templates import render_template

TEMPLATE = "acceptance/certificate.html.j2"


def certificate_html(root: Path, receipt: dict, checks: list[Check], provider: str) -> str:
    presentation = receipt["presentation"]
    shown = presentation["data"] if presentation else None
    return render_template(
        root, TEMPLATE, receipt=receipt, provider=provider, checks=checks, shown=shown,
        accepted_at=beijing(receipt["accepted_at"]), version_date=chinese_date(receipt["version"]["date"]),
        shown_at=beijing(presentation["leaf"]["recorded_at"]) if presentation else None,
        head_time=beijing(receipt["tree_head"]["timestamp"]))


def write_certificate(root: Path, receipt: dict, checks: list[Check], provider: str, out: Path) -> None:
    """Render with WeasyPrint as PDF/A-3b, the receipt embedded as receipt.json; fail on any warning."""
    import weasyprint

    html = certificate_html(root, receipt, checks, provider)
    attachment = weasyprint.Attachment(
        string=json.dumps(receipt, ensure_ascii=False, indent=2), name="receipt.json",
        description="同意回执（RFC 8785 JSON，Ed25519 签名）", relationship="Source")
    problems: list[str] = []
    handler = _Collect(problems)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        pdf = weasyprint.HTML(string=html, base_url=str(root)).write_pdf(
            pdf_variant="pdf/a-3b", attachments=[attachment], custom_metadata=True)
    finally:
        logger.removeHandler(handler)
    if problems:
        raise AgreementsError(_("the evidence certificate could not be rendered cleanly: {problems}").format(
            problems="; ".join(problems)))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(pdf)
    tmp.replace(out)


class _Collect(logging.Handler):
    def __init__(self, problems: list[str]) -> None:
        super().__init__(level=logging.WARNING)
        self.problems = problems

    def emit(self, record: logging.LogRecord) -> None:
        self.problems.append(record.getMessage())
