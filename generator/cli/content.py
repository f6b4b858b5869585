"""Commands of the legal team: check, text, diff, schema, new-version, publish."""

from __future__ import annotations

from pathlib import Path

import click

from generator.cli.app import Context, cli, pass_context
from generator.errors import display_path


@cli.command()
@pass_context
def check(ctx: Context) -> None:
    """Validate every version, the lock of published versions and the configuration."""
    project = ctx.project()
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
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one line per change; json: the changes as data.")
@pass_context
def diff(ctx: Context, old: str, new: str, fmt: str) -> None:
    """Show what changed from OLD to NEW, clause by clause, word by word.

    Clauses are matched by id: an inserted clause is one change, and the
    clauses it renumbers are one "renumbered" line. Bold added or removed is a
    change ({加粗：…} / [取消加粗：…]).

    \b
    Example:
      agreements diff 2021-12-20 2026-11-28
      agreements diff 2021-12-20 2026-11-28 --format json
    """
    import json

    from generator.content.diff import change_line, change_record, compare
    from generator.i18n import _

    project = ctx.project(check_lock=False)
    changes = compare(project.version(old), project.version(new))
    if fmt == "json":
        records = [change_record(change) for change in changes]
        click.echo(json.dumps({"old": old, "new": new, "changes": records}, ensure_ascii=False, indent=2))
        return
    for change in changes:
        click.echo(change_line(change))
    click.echo(_("{count} change(s) from {old} to {new}").format(count=len(changes), old=old, new=new))


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
@pass_context
def publish(ctx: Context, date: str) -> None:
    """Mark draft DATE published and lock its files' SHA-256."""
    from generator.content.lifecycle import publish as publish_version
    from generator.contracts.register import notify_hint

    folder = publish_version(ctx.root, date)
    click.echo(f"published {display_path(folder)}; its files are now locked in content/published.lock.json")
    click.echo(notify_hint(ctx.project(), date))


