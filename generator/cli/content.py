"""Commands of the legal team: check, text, diff, schema, new-version, publish."""

from __future__ import annotations

from pathlib import Path

import click

from generator.cli.app import Context, cli, pass_context
from generator.cli.conventions import ExitCode, out_folder, report_format, rows_as, with_example
from generator.errors import display_path
from generator.i18n import lazy_gettext as _  # help texts are worded again after --lang

DIFF_FIELDS = ["kind", "id", "old_place", "new_place", "old_text", "new_text"]


@cli.command(help=with_example(
    _("Validate every version, the lock of published versions and the configuration."),
    "agreements check", "agreements --root /path/to/checkout check --format json"))
@report_format("text", "json")
@pass_context
def check(ctx: Context, fmt: str) -> None:
    if fmt == "json":
        _check_json(ctx)
        return
    project = ctx.project()
    clauses = sum(len(v.clauses) for v in project.versions)
    click.echo(_("ok: {versions} version(s), {clauses} clauses checked").format(
        versions=len(project.versions), clauses=clauses))


def _check_json(ctx: Context) -> None:
    """``{"ok": …, "versions": […], "clauses": N, "problems": [{file, line, col, key, message}]}``;
    exit 1 when there are problems, as in text."""
    import json

    from generator.errors import AgreementsError, display_path

    try:
        project = ctx.project()
    except AgreementsError as exc:
        problems = [{"file": display_path(e.file) or None, "line": e.line, "col": e.col, "key": e.key,
                     "message": e.message} for e in (getattr(exc, "errors", None) or [exc])]
        click.echo(json.dumps({"ok": False, "versions": [], "clauses": 0, "problems": problems},
                              ensure_ascii=False, indent=2))
        raise click.exceptions.Exit(ExitCode.FAILED) from None
    click.echo(json.dumps({"ok": True, "versions": [v.date for v in project.versions],
                           "clauses": sum(len(v.clauses) for v in project.versions), "problems": []},
                          ensure_ascii=False, indent=2))


@cli.command(help=with_example(_("Print VERSION as plain text in reading order."),
                               "agreements text 2021-12-20 --ids"))
@click.argument("version")
@click.option("--ids", is_flag=True, help=_("Show each clause's id before it."))
@pass_context
def text(ctx: Context, version: str, ids: bool) -> None:
    from generator.content.text import version_text

    click.echo(version_text(ctx.project().version(version), show_ids=ids), nl=False)


@cli.command(help=with_example(
    _("Write the JSON Schemas that editors use to check the YAML files as you type."),
    "agreements schema", "agreements schema -o /tmp/schemas"))
@out_folder(None, _("the JSON Schemas [default: ROOT/schemas]"))
@pass_context
def schema(ctx: Context, out: Path | None) -> None:
    from generator.schemas import write_schemas

    written = write_schemas(out or ctx.root / "schemas")
    click.echo(_("wrote {count} schemas to {path}").format(count=len(written),
                                                           path=out or ctx.root / "schemas"))


@cli.command(help=with_example(
    _("Show what changed from OLD to NEW, clause by clause (matched by id), word by word: an "
      "inserted clause is one change, the clauses it renumbers one \"renumbered\" line, and bold "
      "added or removed is a change ({加粗：…} / [取消加粗：…])."),
    "agreements diff 2021-12-20 2026-11-28", "agreements diff 2021-12-20 2026-11-28 --format json"))
@click.argument("old")
@click.argument("new")
@report_format("text", "json", "csv")
@pass_context
def diff(ctx: Context, old: str, new: str, fmt: str) -> None:
    import json

    from generator.content.diff import change_line, change_record, compare

    project = ctx.project(check_lock=False)
    changes = compare(project.version(old), project.version(new))
    if fmt == "json":  # each change's pieces and its whole old and new text
        records = [change_record(change) | _diff_row(change) for change in changes]
        click.echo(json.dumps({"old": old, "new": new, "changes": records}, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        click.echo(rows_as(fmt, [_diff_row(c) for c in changes], DIFF_FIELDS), nl=False)
    else:
        for change in changes:
            click.echo(change_line(change))
        click.echo(_("{count} change(s) from {old} to {new}").format(count=len(changes), old=old, new=new))


def _diff_row(change) -> dict:
    """One change for programs: the whole old and new text of the clause (None where it has none)."""
    def side(keep: str) -> str | None:
        kept = [text for kind, text in change.pieces if kind in ("equal", "bold", "unbold", keep)]
        return "".join(kept) if kept else None

    return {"kind": change.kind, "id": change.id, "old_place": change.old_place,
            "new_place": change.new_place, "old_text": side("delete"), "new_text": side("insert")}


@cli.command("new-version", help=with_example(
    _("Start a draft dated DATE as a copy of the newest version."), "agreements new-version 2027-03-01"))
@click.argument("date")
@pass_context
def new_version_command(ctx: Context, date: str) -> None:
    from generator.content.lifecycle import new_version

    folder = new_version(ctx.root, date)
    click.echo(_("created draft {path}; edit it, then `agreements publish {date}`").format(
        path=display_path(folder), date=date))


@cli.command(help=with_example(_("Mark draft DATE published and lock its files' SHA-256."),
                               "agreements publish 2027-03-01"))
@click.argument("date")
@pass_context
def publish(ctx: Context, date: str) -> None:
    from generator.content.lifecycle import publish as publish_version
    from generator.contracts.register_report import notify_hint

    folder = publish_version(ctx.root, date)
    click.echo(_("published {path}; its files are now locked in content/published.lock.json").format(
        path=display_path(folder)))
    click.echo(notify_hint(ctx.project(), date))
