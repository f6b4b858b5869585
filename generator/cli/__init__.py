"""The `agreements` command line: thin commands over the pipeline modules, one module per job.

User errors (:class:`AgreementsError`) are caught once, in :func:`main`, and
printed as ``file:line:col: key: message`` with exit code 1; a traceback is
shown only with ``--debug``. So are errors of the environment (OSError: a full
disk, a missing folder), as one line naming the path: the commands check what
they can up front, and this catches what could only happen midway.
"""

from __future__ import annotations

import sys
import traceback

import click

from generator.i18n import (CatalogMissing, _, collecting_help_texts, language_in_arguments, os_reason,
                            require_catalog, retranslate_click_help, use_language)
from generator.library_messages import show_originals

with collecting_help_texts():  # worded again in main(), once --lang is read
    from generator.cli import acceptance, archival, content, contracts, desk, register, site  # noqa: F401 - each module registers its commands
    from generator.cli.app import cli
from generator.errors import AgreementsError, display_path  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI and turn user errors into one clean message."""
    args = list(argv if argv is not None else sys.argv[1:])
    debug = "--debug" in args
    use_language(language_in_arguments(args))  # before click parses: its errors speak it too
    show_originals(debug)  # a library's own words, in Chinese only when asked for
    if debug:  # accepted anywhere on the line, not only before the command
        args = ["--debug", *(a for a in args if a != "--debug")]
    try:
        require_catalog()
        retranslate_click_help(cli)
        # Without standalone mode click returns what `ctx.exit(code)` or `Exit(code)` set.
        code = cli.main(args=args, prog_name="agreements", standalone_mode=False)
    except AgreementsError as exc:
        if debug:
            traceback.print_exc()
        click.echo(str(exc), err=True)
        count = len(getattr(exc, "errors", []) or [exc])
        if count > 1:
            click.echo(_("{count} problems found").format(count=count), err=True)
        return 1
    except CatalogMissing as exc:  # the set-up is incomplete: said in English, the catalog is missing
        click.echo(str(exc), err=True)
        return 1
    except click.exceptions.Abort:
        click.echo(_("aborted"), err=True)
        return 1
    except OSError as exc:
        if debug:
            traceback.print_exc()
        click.echo(environment_message(exc), err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    return code if isinstance(code, int) else 0


def environment_message(exc: OSError) -> str:
    """``path: No space left on device; …`` — one line, naming the path where there is one."""
    reason = os_reason(exc)
    if not exc.filename:
        return _("{reason} (--debug shows where it happened)").format(reason=reason)
    return _("{path}: {reason}; check that the path exists, that its folder is writable and that "
             "the disk has free space (--debug shows where it happened)").format(
                 path=display_path(exc.filename), reason=reason)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
