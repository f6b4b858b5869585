"""The command group and what every command shares: the project folder and --debug."""

from __future__ import annotations

from pathlib import Path

import click

from generator import __version__
from generator import i18n
from generator.i18n import lazy_gettext as _  # help texts are worded again after --lang


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
              show_default=True, help=_("The project folder (holds site_config.yml and content/)."))
@click.option("--debug", is_flag=True, help=_("Show tracebacks for errors."))
@click.option("--lang", type=click.Choice(i18n.LANGUAGES), default=None, is_eager=True, expose_value=False,
              callback=lambda _ctx, _param, value: i18n.use_language(value) if value else None,
              help=_("Language of messages: zh (the default) or en; without it, the first of "
                   "LANGUAGE, LC_ALL, LC_MESSAGES, LANG that is set decides."))
@click.version_option(__version__, prog_name="agreements")
@click.pass_context
def cli(ctx: click.Context, root: Path, debug: bool) -> None:
    """Legal documents as code: check the agreement, build the site, export contracts."""
    ctx.obj = Context(root.resolve(), debug)

