"""Commands of the customers' site: build, serve."""

from __future__ import annotations

from pathlib import Path

import click

from generator.cli.app import Context, cli, pass_context
from generator.cli.conventions import out_folder, with_example
from generator.errors import display_path
from generator.i18n import lazy_gettext as _  # help texts are worded again after --lang


@cli.command("build", help=with_example(
    _("Build the versioned documentation site (every version, versions.json, latest)."),
    "agreements build -o site", "agreements build --published-only -o public"))
@out_folder(Path("site"), _("the site: one sub-folder per version"))
@click.option("--no-cache", is_flag=True, help=_("Rebuild every version, ignoring .cache/site."))
@click.option("--published-only", is_flag=True,
              help=_("Leave drafts out (for the public host; the default includes them, bannered)."))
@pass_context
def build_command(ctx: Context, out: Path, no_cache: bool, published_only: bool) -> None:
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
    click.echo(_("built {count} version(s) into {out} in {seconds:.1f} s (rebuilt: {rebuilt})").format(
        count=len(project.versions), out=display_path(out), seconds=time.perf_counter() - started,
        rebuilt=", ".join(rebuilt) or _("none, all cached")))


@cli.command(help=with_example(
    _("Live preview of VERSION (default: the newest, usually the draft), reloading on edits."),
    "agreements serve", "agreements serve 2026-11-28 --port 8001"))
@click.argument("version", required=False)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True,
              help=_("Port to listen on."))
@click.option("--host", default="127.0.0.1", show_default=True,
              help=_("Address to listen on (127.0.0.1: this machine only)."))
@pass_context
def serve(ctx: Context, version: str | None, port: int, host: str) -> None:
    from generator.build import version_downloads
    from generator.site.preview import serve as run_preview

    run_preview(ctx.root, version, host=host, port=port, downloads=version_downloads)


