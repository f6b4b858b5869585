"""`agreements verify`: is this PDF, byte for byte, a contract the generator made?

Contracts are byte-reproducible, so verification demands the strongest proof
there is:

1. **provenance** — the Info dictionary names a version of the agreement and
   the customer's values, with their SHA-256 (:mod:`.provenance`);
2. **generator** — this checkout and machine have the templates, code and
   fonts that made it, so it can be rebuilt byte for byte, or not (a warning);
3. **rebuild** — the PDF's first revision is byte-identical to the contract
   rebuilt from that version and those values (:mod:`.compare` says how it
   differs when it does: the text of a page, the drawing, the metadata); when
   it cannot be rebuilt byte for byte, its content is compared instead
   (:mod:`.content`: each clause's text, numbering and bold, no hidden text),
   and then only 乙方's trusted signature vouches for the layout ("layout");
4. **revisions** — every later revision only signs one of the contract's
   fields (:mod:`.revisions`, with pyHanko's difference analysis restricted
   by :mod:`.policy`);
5. **signature …** — each signature is intact, valid, made while its
   certificate was valid, and trusted or not (:mod:`.signatures`); **revocation …**
   — no certificate revoked per the CRLs and OCSP responses the file carries
   (`agreements archive` stores them), or fetched with ``--online``
   (:mod:`.revocation`; a file carrying none gets a warning);
6. **register** — whether the register lists the contract with these bytes
   (:mod:`.registered`; a warning at most).

Before any of these, :mod:`.structure` reads every revision strictly and
refuses a file that PDF readers could resolve differently.

The result is a :class:`~.report.Report`: a list of named checks and a
verdict — genuine (exit 0), altered or invalid (1), cannot decide (3),
content matches but layout not checked (4); 2 is a usage error.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path


from generator.content.project import Project
from generator.contracts.contract import PROVIDER_FIELD
from generator.contracts.verify import (content, doc_timestamps, revisions, revocation, signatures, structure,
                                        times, trust)
from generator.contracts.verify.compare import explain, page_texts
from generator.contracts.verify.provenance import (
    Claim,
    check_generator,
    check_version_status,
    read_claim,
    rebuild,
)
from generator.contracts.verify.registered import check_register
from generator.contracts.verify.report import Check, Report, Status, Verdict
from generator.errors import AgreementsError
from generator.i18n import _, os_reason

__all__ = ["Check", "Report", "Status", "Verdict", "page_texts", "verify_contract"]


def verify_contract(path: Path, project: Project, *, trust_files: Sequence[Path] = (),
                    require_trust: bool = False, online: bool = False) -> Report:
    """Run every check on the PDF at ``path``; raises only for what keeps it from starting
    (an unreadable file, a bad --trust file). ``online``: fetch revocation data from the
    certificates' CRL and OCSP addresses rather than only using what the file carries."""
    roots = trust.load(trust_files)
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AgreementsError(_("cannot read the PDF: {reason}").format(reason=os_reason(exc)), file=path) from None
    report = Report(path)
    read, check = structure.check(data)
    report.add(check)
    if read is None:  # nothing else is looked at: readers disagree about what the file holds
        report.add(Check("contract", Status.SKIPPED, _("not checked: the file's structure is refused")))
        return report
    with _quiet_libraries():
        reader, unreadable = revisions.open_reader(data)
        signed, broken = signatures.embedded(reader) if reader else ([], [])
        _check_contract(report, data, read, bool(signed), project)
        if unreadable:
            report.add(unreadable)
        elif signed or reader.xrefs.total_revisions > 1:
            report.add(revisions.review(reader, {s.revision: s.field for s in signed},
                                        _certification(signed),
                                        {s.field for s in signed
                                         if doc_timestamps.is_document_timestamp(s)}))
        for one in signed:
            report.add(doc_timestamps.check_document_timestamp(one, roots, require_trust)
                       if doc_timestamps.is_document_timestamp(one)
                       else signatures.check_signature(one, data, roots, require_trust))
        report.checks.extend(broken)
        report.checks.extend(revocation.check(reader, signed, roots, online=online) if reader else [])
    times.check_order(report.checks)
    if any(c.name == "rebuild" and c.facts.get("method") == "content" for c in report.checks):
        report.add(content.check_layout(next((c for c in report.checks
                                             if c.name == f"signature {PROVIDER_FIELD}"), None)))
    return report


def _check_contract(report: Report, data: bytes, read: list[structure.Revision], signed: bool,
                    project: Project) -> None:
    """provenance, draft, generator and rebuild: is this the contract its provenance names?"""
    claim, check = read_claim(data, project, report.file)
    report.add(check)
    if claim is None:
        report.add(Check("rebuild", Status.SKIPPED, _("nothing to rebuild without readable provenance")))
        return
    report.contract = claim.summary
    draft = check_version_status(claim, signed)
    if draft:
        report.add(draft)
    generator = report.add(check_generator(claim, project.root))
    undecided = any(c.status is Status.UNDECIDED for c in report.checks)
    first = data[:read[0].end]
    if generator.status is Status.PASS or undecided:
        report.add(_check_rebuild(first, len(read), claim, project, undecided=undecided))
    else:  # another generator, templates or fonts: what it says, not its bytes
        report.add(content.check_content(first, rebuild(project, claim), generator.facts["why"],
                                         len(read), claim))
    report.add(check_register(project, report.file, claim.customer.contract_number))


def _check_rebuild(first: bytes, total: int, claim: Claim, project: Project, *,
                   undecided: bool) -> Check:
    """``first``: the file's first revision, as the strict reader delimits it."""
    rebuilt = rebuild(project, claim)
    if first == rebuilt:
        return Check("rebuild", Status.PASS, (_("the PDF is byte-identical to the contract rebuilt from its sources")
                                              if total == 1 else
                                              _("its first revision (of {total}) is byte-identical to the contract "
                                                "rebuilt from its sources").format(total=total)),
                     facts={"revisions": total})
    difference = explain(first, rebuilt)
    scope = _("the PDF") if total == 1 else _("the PDF's first revision")
    if undecided:
        # Made from other sources, templates, code or fonts: a difference proves nothing.
        return Check("rebuild", Status.UNDECIDED, (
            _("{scope} differs from this checkout's rebuild, as it must when made elsewhere; "
              "the text of every page matches") if difference.same_text
            else _("{scope} differs from this checkout's rebuild, as it must when made elsewhere; "
                   "the text differs too")).format(scope=scope), difference.reasons, {"revisions": total})
    return Check("rebuild", Status.FAIL, _("{scope} is not the contract its provenance names: "
                 "{difference}").format(scope=scope, difference=difference.reasons[0]),
                 difference.reasons[1:], {"revisions": total})


def _certification(signed: list[signatures.Signed]) -> tuple | None:
    """The revision of the certification signature and its DocMDP permission."""
    for one in signed:
        if one.certification is not None:
            return one.revision, one.certification
    return None


@contextlib.contextmanager
def _quiet_libraries() -> Iterator[None]:
    """pyHanko logs each rejected revision with a traceback, pypdf each oddity of a damaged
    file; the report already says what matters."""
    loggers = [logging.getLogger(name) for name in ("pyhanko", "pyhanko_certvalidator", "pypdf")]
    handler = logging.NullHandler()
    saved = [logger.propagate for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.propagate = False
    try:
        yield
    finally:
        for logger, propagate in zip(loggers, saved):
            logger.removeHandler(handler)
            logger.propagate = propagate
