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
    _("Validate every version, the lock of published versions, the release records "
      "(content/releases.yml), the search synonyms and the configuration."),
    "agreements check", "agreements --root /path/to/checkout check --format json"))
@report_format("text", "json")
@pass_context
def check(ctx: Context, fmt: str) -> None:
    if fmt == "json":
        _check_json(ctx)
        return
    project = _checked_project(ctx)
    clauses = sum(len(v.clauses) for v in project.versions)
    click.echo(_("ok: {versions} version(s), {clauses} clauses checked").format(
        versions=len(project.versions), clauses=clauses))


def _checked_project(ctx: Context):
    """The project, its release records (content/releases.yml) and search synonyms checked too."""
    from generator.content.releases import check_releases
    from generator.content.synonyms import load_synonyms

    project = ctx.project()
    check_releases(project)
    if project.latest_published:
        load_synonyms(ctx.root, project.latest_published)
    return project


def _check_json(ctx: Context) -> None:
    """``{"ok": …, "versions": […], "clauses": N, "problems": [{file, line, col, key, message}]}``;
    exit 1 when there are problems, as in text."""
    import json

    from generator.errors import AgreementsError, display_path

    try:
        project = _checked_project(ctx)
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


@cli.command(help=with_example(
    _("Mark draft DATE published, lock its files' SHA-256 and record its release "
      "(content/releases.yml: today's date, the effective date, the 变更摘要)."),
    "agreements publish 2027-03-01",
    "agreements publish 2027-03-01 --effective 2027-04-06 --kind minor --summary "
    "\"明确短信发送频率的防护要求。@obligations.sms.bombing\""))
@click.argument("date")
@click.option("--effective", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help=_("生效日期 (00:00 北京时间); at least notice_days (site_config.yml, default 30) after today; "
                   "default: the earliest allowed."))
@click.option("--kind", type=click.Choice(["major", "minor"]), default="major", show_default=True,
              help=_("major: the terms change; minor: wording only."))
@click.option("--summary", multiple=True, metavar="TEXT[@CLAUSE,...]",
              help=_("One 变更摘要 line in plain Chinese, with the clause ids it concerns; repeatable. "
                   "Default: one line per change against the previous version."))
@pass_context
def publish(ctx: Context, date: str, effective, kind: str, summary: tuple[str, ...]) -> None:
    from generator.content.lifecycle import publish as publish_version
    from generator.content.releases import beijing_today, plan_release, record_release
    from generator.contracts.register_report import notify_hint

    release = plan_release(ctx.project(), date, today=beijing_today(), kind=kind, summary=summary,
                           effective=effective.date() if effective else None)
    folder = publish_version(ctx.root, date)
    record_release(ctx.root, release)
    click.echo(_("published {folder}; its files are now locked in content/published.lock.json; "
                 "in force from {effective} (content/releases.yml)").format(folder=display_path(folder),
                                                                           effective=release.effective))
    click.echo(notify_hint(ctx.project(), date))
