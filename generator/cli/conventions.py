"""What every command shares on the command line (docs/cli.md; tests/test_cli_conventions.py enforces it).

- the output destination is always ``-o/--out``, a file or a folder whatever the number of inputs;
- reports choose their machine-readable form with ``--format text|json|csv``;
- document writers choose file types with ``--type``;
- the project folder is the global ``agreements --root DIR``;
- exit codes: :class:`ExitCode`;
- every command's help ends with an ``Example:`` block (see :func:`with_example`).
"""

from __future__ import annotations

import csv
import io
import json
from enum import IntEnum
from pathlib import Path

import click

from generator.i18n import Lazy, worded
from generator.i18n import lazy_gettext as _  # help texts are worded again after --lang

REPORT_FORMATS = ("text", "json", "csv")


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1  # the thing checked failed, or bad input
    USAGE = 2  # click's own usage errors
    UNDECIDED = 3  # nothing wrong was found, but it could not be decided either


def with_example(summary: str, *examples: str) -> str:
    """A command's help: the summary, then an ``Example:`` block whose lines click keeps (``\\b``)."""
    lines = "\n".join(f"  {example}" for example in examples)
    example = _("Example:")
    return Lazy(lambda: f"{worded(summary)}\n\n\b\n{worded(example)}\n{lines}")


def out_folder(default: Path | None, what: str):
    """``-o/--out DIR``: the folder a command writes into."""
    return click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=default,
                        show_default=default is not None, help=_("Folder for {what}.").format(what=what))


def out_file(default: Path | None, what: str, *, required: bool = False):
    """``-o/--out FILE``: the one file a command writes."""
    return click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), default=default,
                        required=required, show_default=default is not None,
                        help=_("File to write: {what}.").format(what=what))


def report_format(*choices: str):
    """``--format text|json|csv``: how a report is printed (text for people, the others for programs)."""
    assert set(choices) <= set(REPORT_FORMATS) and choices[0] == "text"
    return click.option("--format", "fmt", type=click.Choice(choices), default="text", show_default=True,
                        help=_("How to print the report: text for people, json or csv for programs."))


def rows_as(fmt: str, rows: list[dict], fields: list[str]) -> str:
    """A report's rows as JSON (a list of objects) or CSV (a header line of ``fields``, then a line per row)."""
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def new_or_old(name: str, old_name: str):
    """The value of option ``name``, or of its deprecated spelling ``old_name`` when only that was
    given; both on one command line is a usage error (which one was meant?)."""
    ctx = click.get_current_context()
    old = ctx.params.get(old_name)
    if old is None:
        return ctx.params[name]
    if ctx.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE:
        raise click.UsageError(_("--format is the old spelling of --type: give only --type"))
    return old
