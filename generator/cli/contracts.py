"""Commands of sales: contract, customer-sheet, register, pdf, docx, redline, consent, verify."""

from __future__ import annotations

import sys
import traceback
from contextlib import nullcontext
from pathlib import Path

import click

from generator.cli.app import Context, cli, pass_context
from generator.errors import AgreementsError, display_path
from generator.i18n import _


def _formats(_ctx, _param, value: str) -> frozenset[str]:
    from generator.contracts.export import FORMATS

    chosen = frozenset(part.strip() for part in value.split(","))
    if not chosen or not chosen <= set(FORMATS):
        raise click.BadParameter(f"`{value}`; use pdf, docx or pdf,docx")
    return chosen


@cli.command("contract")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("out/contracts"),
              show_default=True, help="Folder for the PDFs, named <id>_<version>.pdf.")
@click.option("--sign-p12", "p12", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Sign 乙方's field with this PKCS#12 key; its password is read from "
              "$AGREEMENTS_P12_PASSWORD.")
@click.option("--tsa", metavar="URL", default=None,
              help="Add an RFC 3161 timestamp from this time-stamping authority to 乙方's "
              "signature (PAdES B-T); needs --sign-p12.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None,
              help="Worker processes [default: one per core].")
@click.option("--allow-draft", is_flag=True,
              help="Allow a draft version (unsigned previews only; never with --sign-p12).")
@click.option("--format", "formats", callback=_formats, default="pdf", show_default=True,
              metavar="pdf|docx|pdf,docx", help="What to write: the signable PDF, a Word copy "
              "<id>_<version>.docx for the customer's lawyer, or both.")
@pass_context
def contract_command(ctx: Context, files: tuple[Path, ...], out: Path, p12: Path | None,
                     tsa: str | None, jobs: int | None, allow_draft: bool,
                     formats: frozenset[str]) -> None:
    """Write a signable contract PDF (and/or a Word copy) for each customer: FILES are customer
    files (.yml) and customer sheets (.xlsx, .csv; one customer per row), and each contract PDF
    is recorded in the register."""
    from generator.contracts import export
    from generator.contracts.engine.pdf import require_cjk_font
    from generator.contracts.register import Register, register_path

    if p12 and "pdf" not in formats:
        raise click.BadParameter("only PDFs are signed; add pdf to --format or drop --sign-p12",
                                 param_hint="--sign-p12")
    if p12 and allow_draft:
        raise AgreementsError("--allow-draft makes unsigned previews and cannot be combined "
                              "with --sign-p12: a draft is never signed; publish the version "
                              "first, or leave out --sign-p12", key="--allow-draft")
    if tsa and not p12:
        raise AgreementsError("--tsa timestamps 乙方's signature; add --sign-p12 FILE, or "
                              "leave out --tsa", key="--tsa")
    project = ctx.project()
    if "pdf" in formats:
        require_cjk_font(project.config.pdf.font_family)  # before values are checked against its glyphs
    customers = export.load_customers(files, project, allow_draft=allow_draft)
    signing = export.signing_from_environment(p12, tsa) if p12 else None
    out = out if out.is_absolute() else Path.cwd() / out
    # draft previews are not recorded, nor a Word copy alone: the register lists contract PDFs
    issued = sum(not c.version.is_draft for c in customers) if "pdf" in formats else 0
    show_bar = sys.stderr.isatty() and len(customers) > 1
    with (Register(register_path(project.root, project.config)) if issued else nullcontext()) as register, \
            click.progressbar(length=len(customers), label="contracts", file=sys.stderr,
                              hidden=not show_bar) as bar:
        result = export.export_contracts(project, customers, out, signing=signing, workers=jobs,
                                         progress=lambda _path: bar.update(1), register=register,
                                         formats=formats)
    rate = len(result.written) / result.seconds if result.seconds else 0
    kinds = "" if formats == {"pdf"} else f" ({' + '.join(f.upper() for f in export.FORMATS if f in formats)})"
    notes = [f"{rate:.1f}/s", f"{result.workers} worker(s)"]
    if signing:
        notes.append("乙方 signed")
    if result.full_renders:
        notes.append(f"{result.full_renders} rendered in full, without the fast path")
    click.echo(f"wrote {len(result.written)} contract(s){kinds} to {display_path(out)} in "
               f"{result.seconds:.1f} s ({', '.join(notes)})")
    previews = len(customers) - issued
    if issued:
        click.echo(f"recorded {issued} in the register {display_path(register.path)}"
                   + (f"; {previews} draft preview(s) not recorded" if previews else ""))
    elif "pdf" not in formats:
        click.echo("Word copies only: nothing recorded in the register (it lists contract PDFs)")
    else:
        click.echo("draft previews only: nothing recorded in the register")


@cli.command("customer-sheet")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@pass_context
def customer_sheet(ctx: Context, out: Path) -> None:
    """Write OUT.xlsx, a customer sheet to fill in: the headers, an example row, drop-down lists,
    and a sheet 说明 explaining every column."""
    from generator.contracts.sheet_template import customer_sheet_bytes
    from generator.files import write_atomically

    write_atomically(out, customer_sheet_bytes(ctx.project()))
    click.echo(f"wrote {display_path(out)}; fill in one customer per row, then "
               f"`agreements contract {display_path(out)}`")


@cli.command("register")
@click.option("--version", "version", metavar="DATE", help="Only contracts of this agreement version.")
@click.option("--customer", metavar="ID", help="Only this customer's contracts (客户编号).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="csv opens in Excel (UTF-8 with BOM).")
@pass_context
def register_command(ctx: Context, version: str | None, customer: str | None, fmt: str) -> None:
    """List the contracts written so far, from the register (site_config.yml's `register:`)."""
    from generator.content.config import load_config
    from generator.contracts import register

    path = register.register_path(ctx.root, load_config(ctx.root))
    entries = register.read_entries(path, version=version, customer_id=customer)
    if fmt == "csv":
        click.echo(register.entries_csv(entries).encode("utf-8"), nl=False)  # bytes: the BOM as written
        return
    click.echo(register.entries_json(entries) if fmt == "json" else register.entries_table(entries), nl=False)


@cli.command()
@click.argument("version")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("out/pdf"),
              show_default=True, help="Folder for <version>.pdf.")
@pass_context
def pdf(ctx: Context, version: str, out: Path) -> None:
    """Write the generic PDF of VERSION, placeholders shown as 【请填写…】."""
    from generator.contracts.contract import render_pdf

    _write_version(ctx, version, out / f"{version}.pdf",
                   lambda project, chosen: render_pdf(project.root, project.config, chosen))


@cli.command()
@click.argument("version")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("out/docx"),
              show_default=True, help="Folder for <version>.docx.")
@pass_context
def docx(ctx: Context, version: str, out: Path) -> None:
    """Write VERSION as a Word document, placeholders shown as 【请填写…】."""
    from generator.contracts.word.body import version_docx

    _write_version(ctx, version, out / f"{version}.docx",
                   lambda project, chosen: version_docx(project.config, chosen))


def _write_version(ctx: Context, version: str, target: Path, render) -> None:
    """One file made from a whole version, written atomically into a folder checked first."""
    from generator.files import prepare_output_folder, write_atomically

    project = ctx.project()
    chosen = project.version(version)
    prepare_output_folder(target.parent)
    write_atomically(target, render(project, chosen))
    click.echo(f"wrote {display_path(target)}")


@cli.command()
@click.argument("old")
@click.argument("new")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The .docx to write [default: out/redline_OLD_NEW.docx].")
@pass_context
def redline(ctx: Context, old: str, new: str, out: Path | None) -> None:
    """Write NEW as a Word document with its differences from OLD as tracked changes."""
    from generator.content.diff import compare
    from generator.contracts.word.redline import redline_docx, redline_name
    from generator.files import write_atomically

    project = ctx.project()
    before, after = project.version(old), project.version(new)
    target = out or Path("out") / redline_name(before.date, after.date)
    write_atomically(target, redline_docx(project.config, before, after))
    count = len(compare(before, after))  # the units `agreements diff` lists
    click.echo(f"wrote {display_path(target)}: {new} with {count} change(s) from {old} as tracked "
               "changes (Word/WPS: 审阅 › 接受 / 拒绝)")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["html", "md", "txt"]), default="txt", show_default=True)
@click.option("--customer", "customer_id", metavar="ID",
              help="Which customer (客户编号) when FILE is a sheet with several rows.")
@click.option("--allow-draft", is_flag=True, help="Allow a draft version.")
@pass_context
def consent(ctx: Context, file: Path, fmt: str, customer_id: str | None, allow_draft: bool) -> None:
    """Print the customer's filled 附录一, ready to paste into their own app."""
    from generator.contracts.consent import consent_text
    from generator.contracts.export import load_customers, one_customer

    customers = load_customers([file], ctx.project(), allow_draft=allow_draft)
    click.echo(consent_text(one_customer(customers, customer_id, file), fmt), nl=False)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))  # unreadable: exit 3
@click.option("--trust", "trust", multiple=True, metavar="CA.pem",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Trust signatures that chain up to this CA certificate (PEM or DER); repeatable.")
@click.option("--require-trust", is_flag=True,
              help="Treat an untrusted signature or timestamp as a failure, not a warning.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="The report as text, or as JSON (see README).")
@click.option("--json", "as_json", is_flag=True, hidden=True,
              help="Deprecated: use --format json.")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report to this file instead of standard output.")
@pass_context
def verify(ctx: Context, file: Path, trust: tuple[Path, ...], require_trust: bool, fmt: str,
           as_json: bool, out: Path | None) -> None:
    """Check a contract PDF against the sources it names, and every signature.

    \b
    Exit codes:
      0  genuine
      1  altered or invalid
      2  usage error
      3  cannot decide (e.g. a version this checkout does not have, no project,
         an unreadable file or a bad --trust file)
      4  content matches, layout not checked (made by another generator or with
         other fonts, and no trusted signature of 乙方 vouches for the layout)

    \b
    Example:
      agreements verify out/contracts/lanzhou-data_2021-12-20.pdf --trust company-ca.pem
      agreements verify contract.pdf --format json -o report.json
    """
    import json

    from generator.contracts.verify import verify_contract
    from generator.files import write_atomically

    if as_json:
        click.echo(_("--json is deprecated; use --format json"), err=True)
        fmt = "json"
    try:
        report = verify_contract(file, ctx.project(check_lock=False), trust_files=trust,
                                 require_trust=require_trust)
    except AgreementsError as exc:  # nothing was checked, so nothing is decided
        if ctx.debug:
            traceback.print_exc()
        click.echo(str(exc), err=True)
        raise click.exceptions.Exit(3) from None
    text = (json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n" if fmt == "json"
            else report.to_text())
    if out is None:
        click.echo(text, nl=False)
    else:
        write_atomically(out, text.encode("utf-8"))
    if report.verdict.exit_code:
        click.echo(f"{display_path(file)}: {report.headline}", err=True)
        raise click.exceptions.Exit(report.verdict.exit_code)
