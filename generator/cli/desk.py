"""`agreements desk`: the sales desk in the browser."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from generator.cli.app import Context, cli, pass_context
from generator.cli.conventions import with_example
from generator.errors import AgreementsError
from generator.i18n import lazy_gettext as _, os_reason  # help texts are worded again after --lang

HASH_VARIABLE = "AGREEMENTS_DESK_PASSWORD_HASH"


@cli.command("desk", help=with_example(
    _("Open the sales desk: issue contracts from a form or a customer sheet, find them, follow them until "
      "甲方 signs. It listens on 127.0.0.1 only unless --host says otherwise."),
    "agreements desk", "agreements desk --hash-password",
    "agreements desk --host 0.0.0.0 --password-hash-file desk.hash --no-browser"))
@click.option("--host", default="127.0.0.1", show_default=True,
              help=_("Address to listen on; any other than 127.0.0.1 requires the administrator's "
                     "password hash."))
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help=_("Port (0: any free one)."))
@click.option("--no-browser", is_flag=True, help=_("Do not open the browser."))
@click.option("--password-hash-file", type=click.Path(dir_okay=False, path_type=Path),
              help=_("File holding the argon2 hash of the password (or set $AGREEMENTS_DESK_PASSWORD_HASH)."))
@click.option("--hash-password", is_flag=True,
              help=_("Read a password from standard input, print its argon2 hash, and exit."))
@click.option("--sign-p12", "p12", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help=_("Sign 乙方's field of every contract with this key ($AGREEMENTS_P12_PASSWORD)."))
@click.option("--trust", multiple=True, type=click.Path(dir_okay=False, exists=True, path_type=Path),
              metavar="CA.pem", help=_("CA certificates verify trusts for the copies 甲方 signed."))
@click.option("--acceptance-url", metavar="URL",
              help=_("The online acceptance service: each contract page shows its account's status "
                     "(default: acceptance.service in site_config.yml)."))
@pass_context
def desk_command(ctx: Context, host: str, port: int, no_browser: bool, password_hash_file: Path | None,
                 hash_password: bool, p12: Path | None, trust: tuple[Path, ...],
                 acceptance_url: str | None) -> None:
    from generator.desk import security
    from generator.desk.app import Desk
    from generator.desk.server import serve

    if hash_password:
        password = sys.stdin.readline().rstrip("\n")
        if len(password) < 12:
            raise AgreementsError(_("the password needs at least 12 characters"), key="--hash-password")
        click.echo(security.hash_password(password))
        return
    try:
        stored = (password_hash_file.read_text(encoding="utf-8").strip() if password_hash_file
                  else os.environ.get(HASH_VARIABLE))
    except OSError as exc:
        raise AgreementsError(_("cannot read the password hash ({error})").format(error=os_reason(exc)),
                              file=password_hash_file, key="--password-hash-file") from None
    if not security.is_loopback(host) and not stored:
        raise AgreementsError(_("a desk listening on {host} is reachable from other computers: set the "
                                "administrator's password hash with --password-hash-file or "
                                "${variable}").format(host=host, variable=HASH_VARIABLE), key="--host")
    if p12 and not os.environ.get("AGREEMENTS_P12_PASSWORD"):
        raise AgreementsError(_("set AGREEMENTS_P12_PASSWORD to the P12 file's password"), key="--sign-p12")
    project = ctx.project()  # a broken project stops here, not on the first page
    from generator.cli import main

    if acceptance_url and not acceptance_url.startswith(("http://", "https://")):
        raise click.BadParameter(_("use an http:// or https:// address"), param_hint="--acceptance-url")
    acceptance_url = acceptance_url or _configured_service(project.config.acceptance.service, host, port)
    desk = Desk(ctx.root, main, host=host, password_hash=stored, p12=p12, trust=trust,
                acceptance_url=acceptance_url)
    serve(desk, port, open_browser=not no_browser,
          announce=lambda url: click.echo(_("the desk is at {url} (Ctrl+C stops it)").format(url=url)))


def _configured_service(service: str | None, host: str, port: int) -> str | None:
    """site_config.yml's acceptance service (the one the site's block talks to; --acceptance-url
    overrides it), unless it is this desk's own address: both default to port 8765, and a desk
    asking itself would show its own pages' answers as the service's."""
    from urllib.parse import urlsplit

    from generator.desk import security

    if not service:
        return None
    address = urlsplit(service)
    listens_on_loopback = security.is_loopback(host) or host in ("0.0.0.0", "::", "")  # every address
    if address.port == port and security.is_loopback(address.hostname or "") and listens_on_loopback:
        click.echo(_("acceptance.service in site_config.yml ({service}) is this desk's own address: contract "
                     "pages show no acceptance status; start the desk with another --port, or pass "
                     "--acceptance-url").format(service=service), err=True)
        return None
    return service
