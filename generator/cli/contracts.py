"""Commands of sales: contract, customer-sheet, pdf, docx, redline, consent, verify."""

from __future__ import annotations

import getpass
import sys
import traceback
from contextlib import nullcontext
from pathlib import Path

import click

from generator.cli.app import Context, cli, pass_context
from generator.cli.conventions import new_or_old, out_file, out_folder, report_format, with_example
from generator.errors import AgreementsError, display_path
from generator.i18n import lazy_gettext as _  # help texts are worded again after --lang


def _types(_ctx, _param, value: str | None) -> frozenset[str] | None:
    from generator.contracts.export import FORMATS

    if value is None:
        return None
    chosen = frozenset(part.strip() for part in value.split(","))
    if not chosen or not chosen <= set(FORMATS):
        raise click.BadParameter(_("`{value}`; use pdf, docx or pdf,docx").format(value=value))
    return chosen


def _deprecated_format(replacement: str) -> str:
    return _("Use {replacement} instead: --format is for reports, and this spelling goes in the "
             "next release.").format(replacement=replacement)


def _date(_ctx, _param, value: str | None) -> str | None:
    import datetime as dt

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(_("`{value}` is not a date such as 2027-12-31").format(value=value)) from None


@cli.command("contract", help=with_example(
    _("Write a signable contract PDF (and/or a Word copy) for each customer: FILES are customer "
      "files (.yml) and customer sheets (.xlsx, .csv; one customer per row), and each contract PDF "
      "is recorded in the register."),
    "agreements contract customers.xlsx -o out/contracts",
    "agreements contract customers/*.yml --type pdf,docx"))
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@out_folder(Path("out/contracts"), _("the contracts, named <id>_<version>.pdf (and .docx)"))
@click.option("--sign-p12", "p12", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=_("Sign 乙方's field with this PKCS#12 key; its password is read from "
                     "$AGREEMENTS_P12_PASSWORD."))
@click.option("--tsa", metavar="URL", default=None,
              help=_("Add an RFC 3161 timestamp from this time-stamping authority to 乙方's "
                     "signature (PAdES B-T); needs --sign-p12."))
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None,
              help=_("Worker processes [default: one per core]."))
@click.option("--allow-draft", is_flag=True,
              help=_("Allow a draft version (unsigned previews only; never with --sign-p12)."))
@click.option("--type", "types", callback=_types, default="pdf", show_default=True,
              metavar="pdf|docx|pdf,docx", help=_("What to write: the signable PDF, a Word copy "
              "<id>_<version>.docx for the customer's lawyer, or both."))
@click.option("--format", "format", callback=_types, default=None, metavar="pdf|docx|pdf,docx",
              deprecated=_deprecated_format("--type"), help=_("Old spelling of --type."))
@click.option("--by", metavar="NAME", default="", help=_("Who issues the contracts, kept with each "
              "in the register [default: the login name]."))
@click.option("--expires-on", metavar="YYYY-MM-DD", default=None, callback=_date,
              help=_("到期日 of these contracts, kept in the register: after it they show 已过期."))
@pass_context
def contract_command(ctx: Context, files: tuple[Path, ...], out: Path, p12: Path | None,
                     tsa: str | None, jobs: int | None, allow_draft: bool,
                     types: frozenset[str], format: frozenset[str] | None,  # noqa: A002 - the old option
                     by: str, expires_on: str | None) -> None:
    from generator.contracts import export
    from generator.contracts.engine.pdf import require_cjk_font
    from generator.contracts.register import Register, register_path

    formats = new_or_old("types", "format")
    _check_contract_options(formats, p12, tsa, allow_draft)
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
            click.progressbar(length=len(customers), label=_("contracts"), file=sys.stderr,
                              hidden=not show_bar) as bar:
        result = export.export_contracts(project, customers, out, signing=signing, workers=jobs,
                                         progress=lambda _path: bar.update(1), register=register,
                                         formats=formats, by=by or getpass.getuser(),
                                         expires_on=expires_on)
    _report_contracts(result, formats, out, signing, issued, len(customers) - issued,
                      register.path if issued else None)


def _check_contract_options(formats: frozenset[str], p12: Path | None, tsa: str | None,
                            allow_draft: bool) -> None:
    if p12 and "pdf" not in formats:
        raise click.BadParameter(_("only PDFs are signed; add pdf to --type or drop --sign-p12"),
                                 param_hint="--sign-p12")
    if p12 and allow_draft:
        raise AgreementsError(_("--allow-draft makes unsigned previews and cannot be combined "
                                "with --sign-p12: a draft is never signed; publish the version "
                                "first, or leave out --sign-p12"), key="--allow-draft")
    if tsa and not p12:
        raise AgreementsError(_("--tsa timestamps 乙方's signature; add --sign-p12 FILE, or "
                                "leave out --tsa"), key="--tsa")


def _report_contracts(result, formats, out: Path, signing, issued: int, previews: int,
                      register_file: Path | None) -> None:
    from generator.contracts import export

    rate = len(result.written) / result.seconds if result.seconds else 0
    kinds = "" if formats == {"pdf"} else f" ({' + '.join(f.upper() for f in export.FORMATS if f in formats)})"
    notes = [_("{rate:.1f}/s").format(rate=rate),
             _("{count} worker(s)").format(count=result.workers)]
    if signing:
        notes.append(_("乙方 signed"))
    if result.full_renders:
        notes.append(_("{count} rendered in full, without the fast path").format(count=result.full_renders))
    click.echo(_("wrote {count} contract(s){kinds} to {out} in {seconds:.1f} s ({notes})").format(
        count=len(result.written), kinds=kinds, out=display_path(out), seconds=result.seconds,
        notes=_(", ").join(notes)))
    if issued:
        click.echo(_("recorded {count} in the register {path}").format(count=issued,
                                                                        path=display_path(register_file))
                   + (_("; {count} draft preview(s) not recorded").format(count=previews) if previews else ""))
    elif "pdf" not in formats:
        click.echo(_("Word copies only: nothing recorded in the register (it lists contract PDFs)"))
    else:
        click.echo(_("draft previews only: nothing recorded in the register"))


@cli.command("customer-sheet", help=with_example(
    _("Write a customer sheet (.xlsx) to fill in: the headers, an example row, drop-down lists, "
      "and a sheet 说明 explaining every column."),
    "agreements customer-sheet -o customers.xlsx"))
@click.argument("legacy_out", metavar="[OUT.xlsx]", required=False,
                type=click.Path(dir_okay=False, path_type=Path),
                deprecated=_("Use -o/--out FILE instead: the positional OUT.xlsx goes in the next release."))
@out_file(None, _("the customer sheet (.xlsx)"))
@pass_context
def customer_sheet(ctx: Context, legacy_out: Path | None, out: Path | None) -> None:
    from generator.contracts.sheet_template import customer_sheet_bytes
    from generator.files import write_atomically

    out = out or legacy_out
    if out is None:
        raise click.UsageError(_("give the file to write: -o/--out FILE, e.g. -o customers.xlsx"))
    write_atomically(out, customer_sheet_bytes(ctx.project()))
    click.echo(_("wrote {path}; fill in one customer per row, then "
                 "`agreements contract {path}`").format(path=display_path(out)))


@cli.command(help=with_example(_("Write the generic PDF of VERSION, placeholders shown as 【请填写…】."),
                               "agreements pdf 2021-12-20 -o out/pdf"))
@click.argument("version")
@out_folder(Path("out/pdf"), _("<version>.pdf"))
@pass_context
def pdf(ctx: Context, version: str, out: Path) -> None:
    from generator.contracts.contract import render_pdf

    _write_version(ctx, version, out / f"{version}.pdf",
                   lambda project, chosen: render_pdf(project.root, project.config, chosen))


@cli.command(help=with_example(_("Write VERSION as a Word document, placeholders shown as 【请填写…】."),
                               "agreements docx 2021-12-20 -o out/docx"))
@click.argument("version")
@out_folder(Path("out/docx"), _("<version>.docx"))
@pass_context
def docx(ctx: Context, version: str, out: Path) -> None:
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
    click.echo(_("wrote {path}").format(path=display_path(target)))


@cli.command(help=with_example(
    _("Write NEW as a Word document with its differences from OLD as tracked changes."),
    "agreements redline 2021-12-20 2026-11-28 -o out/redline.docx"))
@click.argument("old")
@click.argument("new")
@out_file(None, _("the .docx [default: out/redline_OLD_NEW.docx]"))
@pass_context
def redline(ctx: Context, old: str, new: str, out: Path | None) -> None:
    from generator.content.diff import compare
    from generator.contracts.word.redline import redline_docx, redline_name
    from generator.files import write_atomically

    project = ctx.project()
    before, after = project.version(old), project.version(new)
    target = out or Path("out") / redline_name(before.date, after.date)
    write_atomically(target, redline_docx(project.config, before, after))
    count = len(compare(before, after))  # the units `agreements diff` lists
    click.echo(_("wrote {path}: {new} with {count} change(s) from {old} as tracked "
                 "changes (Word/WPS: 审阅 › 接受 / 拒绝)").format(path=display_path(target), new=new,
                                                          count=count, old=old))


CONSENT_TYPES = click.Choice(["txt", "md", "html"])


@cli.command(help=with_example(
    _("Print the customer's filled 附录一, ready to paste into their own app."),
    "agreements consent customers/examples/hangzhou-fintech.yml --type md",
    "agreements consent customers.xlsx --customer hangzhou-fintech -o consent.html --type html"))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--type", "kind", type=CONSENT_TYPES, default="txt", show_default=True,
              help=_("What to write: plain text, Markdown or an HTML fragment."))
@click.option("--format", "format", type=CONSENT_TYPES, default=None,
              deprecated=_deprecated_format("--type"), help=_("Old spelling of --type."))
@out_file(None, _("the 附录一 [default: print it]"))
@click.option("--customer", "customer_id", metavar="ID",
              help=_("Which customer (客户编号) when FILE is a sheet with several rows."))
@click.option("--allow-draft", is_flag=True, help=_("Allow a draft version."))
@pass_context
def consent(ctx: Context, file: Path, kind: str, format: str | None, out: Path | None,  # noqa: A002
            customer_id: str | None, allow_draft: bool) -> None:
    from generator.contracts.consent import consent_text
    from generator.contracts.export import load_customers, one_customer
    from generator.files import write_atomically

    customers = load_customers([file], ctx.project(), allow_draft=allow_draft)
    written = consent_text(one_customer(customers, customer_id, file), new_or_old("kind", "format"))
    if out is None:
        click.echo(written, nl=False)
        return
    write_atomically(out, written.encode("utf-8"))
    click.echo(_("wrote {path}").format(path=display_path(out)))


@cli.command(help=with_example(
    _("Check a contract PDF against the sources it names, and every signature.\n\n\b\nExit codes:\n"
      "  0  genuine\n  1  altered or invalid\n  2  usage error\n"
      "  3  cannot decide (a version this checkout does not have, no project, an unreadable file\n"
      "     or a bad --trust file)\n"
      "  4  content matches, layout not checked (made by another generator or with other fonts,\n"
      "     and no trusted signature of 乙方 vouches for the layout)"),
    "agreements verify out/contracts/lanzhou-data_2021-12-20.pdf --trust company-ca.pem",
    "agreements verify contract.pdf --format json -o report.json"))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))  # unreadable: exit 3
@click.option("--trust", "trust", multiple=True, metavar="CA.pem",
              type=click.Path(dir_okay=False, path_type=Path),
              help=_("Trust signatures that chain up to this CA certificate (PEM or DER); repeatable."))
@click.option("--require-trust", is_flag=True,
              help=_("Treat an untrusted signature or timestamp as a failure, not a warning."))
@click.option("--online", is_flag=True,
              help=_("Fetch revocation data (CRL, OCSP) from the certificates' own addresses, "
                     "instead of only using what the file carries (`agreements archive`)."))
@report_format("text", "json")
@click.option("--json", "as_json", is_flag=True, deprecated=_("Use --format json instead: this spelling goes "
              "in the next release."), help=_("Old spelling of --format json."))
@out_file(None, _("the report, instead of standard output"))
@pass_context
def verify(ctx: Context, file: Path, trust: tuple[Path, ...], require_trust: bool, online: bool,
           fmt: str, as_json: bool, out: Path | None) -> None:
    import json

    from generator.contracts.verify import verify_contract
    from generator.files import write_atomically

    if as_json:  # click has warned that the spelling is deprecated
        fmt = "json"
    try:
        report = verify_contract(file, ctx.project(check_lock=False), trust_files=trust,
                                 require_trust=require_trust, online=online)
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
