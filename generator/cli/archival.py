"""Commands for archivists: pdfa-check."""

from __future__ import annotations

import json
from pathlib import Path

import click

from generator.cli.app import cli
from generator.cli.conventions import report_format, with_example
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
