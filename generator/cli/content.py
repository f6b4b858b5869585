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
@pass_context
def publish(ctx: Context, date: str) -> None:
    """Mark draft DATE published and lock its files' SHA-256."""
    from generator.content.lifecycle import publish as publish_version
    from generator.contracts.register_report import notify_hint

    folder = publish_version(ctx.root, date)
    click.echo(f"published {display_path(folder)}; its files are now locked in content/published.lock.json")
    click.echo(notify_hint(ctx.project(), date))


