"""`agreements register`: list the contracts, follow their life, check the register against the folders."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from generator.cli.app import Context, cli, pass_context
from generator.cli.conventions import with_example
from generator.errors import display_path
from generator.i18n import lazy_gettext as _  # help texts are worded again after --lang

FORMATS = ("text", "json", "csv")  # the report formats of the command-line convention


def _path(ctx: Context) -> Path:
    from generator.content.config import load_config
    from generator.contracts.register import register_path

    return register_path(ctx.root, load_config(ctx.root))


def _listing_options(command):
    for option in reversed([
        click.option("--version", "version", metavar="DATE", help=_("Only contracts of this agreement version.")),
        click.option("--customer", metavar="TEXT", help=_("Only contracts whose company name, 合同编号 or "
                                                          "统一社会信用代码 contains TEXT (客户编号 exactly).")),
        click.option("--state", type=click.Choice(["generated", "sent", "signed", "archived", "void",
                                                   "expired"]), help=_("Only contracts in this state.")),
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="text",
                     show_default=True, help=_("text, json, or csv (UTF-8 with BOM).")),
        click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path),
                     help=_("Write to this file instead of the terminal; a file ending in .xlsx gets "
                            "an Excel workbook whose cells are typed text (what Excel users need).")),
    ]):
        command = option(command)
    return command


@cli.group("register", invoke_without_command=True, help=with_example(
    _("The register of contracts: list them (the default), mark a step of their life, check the folders."),
    "agreements register --customer 澜舟 --format csv -o contracts.csv",
    "agreements register mark ZSY-2026-0001 sent --by 王芳",
    "agreements register check"))
@_listing_options
@click.pass_context
def register_group(click_ctx: click.Context, **options) -> None:
    if click_ctx.invoked_subcommand is None:
        click_ctx.invoke(list_command, **options)


@register_group.command("list", help=with_example(
    _("List the contracts written so far, each with its state."),
    "agreements register list --customer 91310115 -o contracts.xlsx"))
@_listing_options
@pass_context
def list_command(ctx: Context, version: str | None, customer: str | None, state: str | None, fmt: str,
                 out: Path | None) -> None:
    from generator.contracts import register, register_report

    path = _path(ctx)
    entries = register.read_entries(path, version=version, **_customer_filter(path, customer))
    if state:
        entries = [e for e in entries if e.state == state]
    workbook = out is not None and out.suffix.lower() == ".xlsx"
    if workbook and fmt == "json":
        raise click.UsageError(_("-o FILE.xlsx writes a workbook; leave out --format json, or choose a "
                                 ".json file"))
    data = (register_report.entries_xlsx(entries) if workbook else
            {"csv": lambda: register_report.entries_csv(entries).encode("utf-8"),
             "json": lambda: register_report.entries_json(entries)
             }.get(fmt, lambda: register_report.entries_table(entries))())
    _emit(data, out)
    if fmt == "text":
        for line in register_report.disagreements(entries, register.written_files(path)):
            click.echo(_("warning: {problem}").format(problem=line), err=True)


def _customer_filter(path: Path, text: str | None) -> dict:
    """A 客户编号 typed exactly finds that customer; anything else is searched for in names,
    合同编号 and 统一社会信用代码."""
    from generator.contracts.register import read_entries

    if text and read_entries(path, customer_id=text):
        return {"customer_id": text}
    return {"search": text} if text else {}


def _emit(data: bytes | str, out: Path | None) -> None:
    """To the terminal (bytes as they are: the CSV's BOM), or to a file written atomically."""
    from generator.files import write_atomically

    if out is None:
        click.echo(data, nl=False)
        return
    write_atomically(out, data.encode("utf-8") if isinstance(data, str) else data)
    click.echo(_("wrote {path}").format(path=display_path(out)), err=True)


@register_group.command("mark", help=with_example(
    _("Record a step of contract NUMBER's life: sent (已发出), signed (甲方已签), archived (已归档) or "
      "void (已作废). Steps are appended, never changed; a voided contract exported again gets a new number."),
    "agreements register mark ZSY-2026-0001 sent --by 王芳"))
@click.argument("number")
@click.argument("step", type=click.Choice(["sent", "signed", "archived", "void"]))
@click.option("--by", metavar="NAME", help=_("Who took the step [default: the login name]."))
@click.option("--note", default="", help=_("A remark kept with the event (e.g. why it was voided)."))
@pass_context
def mark_command(ctx: Context, number: str, step: str, by: str | None, note: str) -> None:
    from generator.characters import shown
    from generator.contracts.register import Register
    from generator.contracts.register_events import STATE_NAMES, beijing

    with Register(_path(ctx)) as register:
        entry = register.mark(number, step, by=by or getpass.getuser(), note=note)
        event = register.history(number)[-1]
    click.echo(_("{number}: {state} ({time} 北京时间, {by})").format(
        number=entry.contract_number, state=STATE_NAMES[entry.state], time=beijing(event.at),
        by=shown(event.by)))


@register_group.command("check", help=with_example(
    _("Check that the register and the folders it names agree: every contract PDF there is known, "
      "every row's file exists. Exit code 1 when they disagree."),
    "agreements register check"))
@pass_context
def check_command(ctx: Context) -> None:
    from generator.contracts import register, register_report

    path = _path(ctx)
    entries = register.read_entries(path)
    problems = register_report.disagreements(entries, register.written_files(path))
    for line in problems:
        click.echo(line)
    if problems:
        raise click.exceptions.Exit(1)
    click.echo(_("{path}: the register and its {count} contract(s) agree with their folders").format(
        path=display_path(path), count=len(entries)))
