"""Commands for archivists: pdfa-check, archive."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import click

from generator.cli.app import Context, cli, pass_context
from generator.cli.conventions import out_file, report_format, with_example
from generator.errors import AgreementsError, display_path
from generator.i18n import os_reason
from generator.i18n import lazy_gettext as _  # help texts are worded again after --lang


@cli.command("pdfa-check", help=with_example(
    _("Check the PDF/A rules that generating and signing a contract can break: XMP identification, "
      "output intent, embedded fonts (signature appearances included), no JavaScript or encryption, "
      "Info equal to XMP, printed annotations with appearance streams, well-formed /AF associated "
      "files. Not a full validator (veraPDF is): a self-check of what our steps touch. Exit code 0: "
      "passes; 1: fails."),
    "agreements pdfa-check out/contracts/lanzhou-data_2021-12-20.pdf",
    "agreements pdfa-check --format json site/2021-12-20/2021-12-20.pdf"))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@report_format("text", "json")
def pdfa_check(file: Path, fmt: str) -> None:
    from generator.contracts.pdfa_check import check_pdfa

    try:
        data = file.read_bytes()
    except OSError as exc:
        raise AgreementsError(_("cannot read the file ({problem}); check the path").format(
            problem=os_reason(exc)), file=file) from None
    report = check_pdfa(data)
    if fmt == "json":
        click.echo(json.dumps({"file": display_path(file), **report.to_json()},
                              ensure_ascii=False, indent=2))
    else:
        click.echo(f"{display_path(file)}: {report.to_text()}", nl=False)
    if not report.ok:
        if fmt == "text":
            click.echo(_("{file}: not PDF/A ({count} problem(s))").format(
                file=display_path(file), count=len(report.problems)), err=True)
        raise click.exceptions.Exit(1)


@cli.command("archive", help=with_example(
    _("Prepare a signed contract for long-term archiving (PAdES B-LT, then B-LTA): fetch a CRL "
      "or OCSP response for the certificate of every signature and timestamp, store them with the "
      "certificates in the file (its /DSS), then add a document timestamp from the time-stamping "
      "authority over it all, in one incremental update that keeps the file PDF/A. The signed "
      "bytes stay as they were; `agreements verify` then checks revocation from the stored data, "
      "offline, for decades. Archive again, before the time-stamping authority's certificate "
      "expires, to renew it. Writes a new file (default: FILE's name with .archived.pdf, beside "
      "it), never the input; nothing is written when a responder or the authority fails. When FILE "
      "is the contract the project's register issued (--root), the step 已归档 is recorded there, "
      "with the archived file's name, SHA-256 and timestamp. "
      "Exit code 0: archived; 1: bad input, a responder or the authority failed (nothing "
      "written), or a certificate is revoked (the file is written: it is the evidence)."),
    "agreements archive out/contracts/lanzhou-data_2021-12-20.pdf --tsa http://tsa.example.com/tsr",
    "agreements archive signed.pdf --tsa http://tsa.example.com/tsr --trust ca.pem -o archive/signed.pdf"))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--tsa", metavar="URL", required=True,
              help=_("RFC 3161 time-stamping authority for the document timestamp."))
@click.option("--trust", "trust", multiple=True, metavar="CA.pem",
              type=click.Path(dir_okay=False, path_type=Path),
              help=_("CA certificate (PEM or DER) the certificate paths end in; repeatable. Default: "
                     "the root certificates the signatures carry."))
@out_file(None, _("the archived PDF (default: FILE.archived.pdf beside FILE)"))
@click.option("--by", metavar="NAME", help=_("Who archives it, kept with the register's 已归档 step "
                                             "[default: the login name]."))
@pass_context
def archive(ctx: Context, file: Path, tsa: str, trust: tuple[Path, ...], out: Path | None,
            by: str | None) -> None:
    from generator.contracts.archive import archive_pdf
    from generator.contracts.archive_record import record_archived
    from generator.contracts.register_events import BEIJING
    from generator.contracts.verify import trust as trust_files
    from generator.files import write_atomically

    out = out or file.with_name(f"{file.stem}.archived.pdf")
    if out.resolve() == file.resolve():
        raise click.BadParameter(_("names the input file: archive writes a new file and never "
                                   "overwrites the contract"), param_hint="-o/--out")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise AgreementsError(_("cannot read the file ({problem}); check the path").format(
            problem=os_reason(exc)), file=file) from None
    try:
        archived = archive_pdf(data, tsa, trust_roots=trust_files.load(trust))
    except AgreementsError as exc:
        exc.file = exc.file or file
        raise
    write_atomically(out, archived.data)
    click.echo(_("wrote {path}: validation data for {signatures} ({ocsps} OCSP response(s), {crls} "
                 "CRL(s), {certs} certificate(s)) and document timestamp {field} of {time} 北京时间").format(
                     path=display_path(out), signatures=", ".join(archived.signatures),
                     ocsps=archived.ocsps, crls=archived.crls, certs=archived.certs,
                     field=archived.timestamp,
                     time=archived.timestamp_time.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")))
    record = record_archived(ctx.root, file, out, archived.data, archived.timestamp_time,
                             by or getpass.getuser())
    click.echo(record.message if record.recorded else f"{display_path(out)}: {record.message}",
               err=not record.recorded)
    for subject in archived.revoked:
        click.echo(_("{path}: the certificate of {subject} is REVOKED; the file keeps the "
                     "evidence, `agreements verify` fails it").format(path=display_path(out), subject=subject),
                   err=True)
    if archived.revoked:
        raise click.exceptions.Exit(1)
