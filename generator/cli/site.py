"""Commands of the customers' site: build, serve."""

from __future__ import annotations

from pathlib import Path

import click

from generator.cli.app import Context, cli, pass_context
from generator.errors import display_path


@cli.command("build")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("site"),
              show_default=True, help="Folder for the site: one sub-folder per version.")
@click.option("--no-cache", is_flag=True, help="Rebuild every version, ignoring .cache/site.")
@click.option("--published-only", is_flag=True,
              help="Leave drafts out (for the public host; the default includes them, bannered).")
@pass_context
def build_command(ctx: Context, out: Path, no_cache: bool, published_only: bool) -> None:
    """Build the versioned documentation site (every version, versions.json, latest)."""
    import time

    from generator.build import build

    started = time.perf_counter()
    project = ctx.project()
    if published_only:
        project = project.without_drafts()
    rebuilt = build(project, out if out.is_absolute() else Path.cwd() / out, use_cache=not no_cache)
    if project.config.acceptance.service:  # the 【立即申请】 block, a page of its own (issue 20)
        from generator.acceptance.block import write_block

        write_block(project, out if out.is_absolute() else Path.cwd() / out)
    click.echo(f"built {len(project.versions)} version(s) into {display_path(out)} in "
               f"{time.perf_counter() - started:.1f} s (rebuilt: {', '.join(rebuilt) or 'none, all cached'})")


@cli.command()
@click.argument("version", required=False)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@pass_context
def serve(ctx: Context, version: str | None, port: int, host: str) -> None:
    """Live preview of VERSION (default: the newest, usually the draft), reloading on edits."""
    from generator.build import version_downloads
    from generator.site.preview import serve as run_preview

    run_preview(ctx.root, version, host=host, port=port, downloads=version_downloads)


