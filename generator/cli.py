"""The `agreements` command line: thin commands over the pipeline modules.

User errors (:class:`AgreementsError`) are caught once, in :func:`main`, and
printed as ``file:line:col: key: message`` with exit code 1; a traceback is
shown only with ``--debug``.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click

from generator import __version__
from generator.errors import AgreementsError


class Context:
    def __init__(self, root: Path, debug: bool) -> None:
        self.root = root
        self.debug = debug

    def project(self, *, check_lock: bool = True):
        from generator.content.project import load_project

        return load_project(self.root, check_lock=check_lock)


pass_context = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="The project folder (holds site_config.yml and content/).")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(__version__, prog_name="agreements")
@click.pass_context
def cli(ctx: click.Context, root: Path, debug: bool) -> None:
    """Legal documents as code: check the agreement, build the site, export contracts."""
    ctx.obj = Context(root.resolve(), debug)


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
    from generator.render.text import version_text

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


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI and turn user errors into one clean message."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="agreements", standalone_mode=False)
    except AgreementsError as exc:
        if debug:
            traceback.print_exc()
        click.echo(str(exc), err=True)
        count = len(getattr(exc, "errors", []) or [exc])
        if count > 1:
            click.echo(f"{count} problems found", err=True)
        return 1
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
