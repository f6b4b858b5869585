"""Commands of the legal team: check, text, diff, schema, new-version, publish."""

from __future__ import annotations

from pathlib import Path

import click

from generator.cli.app import Context, cli, pass_context
from generator.errors import display_path
from generator.i18n import _


@cli.command()
@pass_context
def check(ctx: Context) -> None:
    """Validate every version, the lock of published versions, the release records
    (content/releases.yml), the search synonyms and the configuration."""
    from generator.content.releases import check_releases
    from generator.content.synonyms import load_synonyms

    project = ctx.project()
    check_releases(project)
    if project.latest_published:
        load_synonyms(ctx.root, project.latest_published)
    clauses = sum(len(v.clauses) for v in project.versions)
    click.echo(f"ok: {len(project.versions)} version(s), {clauses} clauses checked")


@cli.command()
@click.argument("version")
@click.option("--ids", is_flag=True, help="Show each clause's id before it.")
@pass_context
def text(ctx: Context, version: str, ids: bool) -> None:
    """Print VERSION as plain text in reading order."""
    from generator.content.text import version_text

    click.echo(version_text(ctx.project().version(version), show_ids=ids), nl=False)


@cli.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the JSON Schemas [default: ROOT/schemas].")
@pass_context
def schema(ctx: Context, out: Path | None) -> None:
    """Write the JSON Schemas that editors use to check the YAML files as you type."""
    from generator.schemas import write_schemas

    written = write_schemas(out or ctx.root / "schemas")
    click.echo(f"wrote {len(written)} schemas to {(out or ctx.root / 'schemas')}")


@cli.command()
@click.argument("old")
@click.argument("new")
@pass_context
def diff(ctx: Context, old: str, new: str) -> None:
    """Show what changed from OLD to NEW, clause by clause, word by word."""
    from generator.content.diff import compare, redline_text

    project = ctx.project(check_lock=False)
    changes = compare(project.version(old), project.version(new))
    for change in changes:
        if change.kind == "moved":
            click.echo(f"moved     {change.id}: {change.old_place} → {change.new_place}")
        else:
            click.echo(f"{change.kind:<9} {change.id} ({change.place}): {redline_text(change.pieces)}")
    click.echo(f"{len(changes)} change(s) from {old} to {new}")


@cli.command("new-version")
@click.argument("date")
@pass_context
def new_version_command(ctx: Context, date: str) -> None:
    """Start a draft dated DATE as a copy of the newest version."""
    from generator.content.lifecycle import new_version

    folder = new_version(ctx.root, date)
    click.echo(f"created draft {display_path(folder)}; edit it, then `agreements publish {date}`")


@cli.command()
@click.argument("date")
@click.option("--effective", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="生效日期 (00:00 北京时间); at least notice_days (site_config.yml, default 30) after today; "
                   "default: the earliest allowed.")
@click.option("--kind", type=click.Choice(["major", "minor"]), default="major", show_default=True,
              help="major: the terms change; minor: wording only.")
@click.option("--summary", multiple=True, metavar="TEXT[@CLAUSE,...]",
              help="One 变更摘要 line in plain Chinese, with the clause ids it concerns; repeatable. "
                   "Default: one line per change against the previous version.")
@pass_context
def publish(ctx: Context, date: str, effective, kind: str, summary: tuple[str, ...]) -> None:
    """Mark draft DATE published, lock its files' SHA-256 and record its release
    (content/releases.yml: today's date, the effective date, the 变更摘要).

    \b
    Example:
      agreements publish 2026-11-28 --effective 2027-01-04 --kind minor \\
        --summary "明确短信发送频率的防护要求。@obligations.sms.bombing"
    """
    from generator.content.lifecycle import publish as publish_version
    from generator.content.releases import beijing_today, plan_release, record_release
    from generator.contracts.register import notify_hint

    release = plan_release(ctx.project(), date, today=beijing_today(), kind=kind, summary=summary,
                           effective=effective.date() if effective else None)
    folder = publish_version(ctx.root, date)
    record_release(ctx.root, release)
    click.echo(_("published {folder}; its files are now locked in content/published.lock.json; "
                 "in force from {effective} (content/releases.yml)").format(folder=display_path(folder),
                                                                           effective=release.effective))
    click.echo(notify_hint(ctx.project(), date))


