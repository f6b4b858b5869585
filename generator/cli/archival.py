"""Commands for archivists: pdfa-check."""

from __future__ import annotations

import json
from pathlib import Path

import click

from generator.cli.app import cli
from generator.errors import display_path
from generator.i18n import lazy_gettext as _  # help texts are worded again after --lang


@cli.command("pdfa-check")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="How to print the report.")
def pdfa_check(file: Path, fmt: str) -> None:
    """Check the PDF/A rules that generating and signing a contract can break.

    XMP identification, output intent, embedded fonts (signature appearances
    included), no JavaScript or encryption, Info equal to XMP, printed
    annotations with appearance streams, well-formed /AF associated files.
    Not a full validator (veraPDF is): a self-check of what our steps touch.
    Exit code 0: passes; 1: fails.

    \b
    Example:
      agreements pdfa-check out/contracts/lanzhou-data_2021-12-20.pdf
      agreements pdfa-check --format json site/2021-12-20/2021-12-20.pdf
    """
    from generator.contracts.pdfa_check import check_pdfa

    report = check_pdfa(file.read_bytes())
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
