"""Commands of online acceptance: accept-server, verify-receipt, receipt-pdf, acceptances."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from generator.cli.app import Context, cli, pass_context
from generator.cli.conventions import with_example
from generator.i18n import lazy_gettext as _  # help texts are worded again after --lang

DATABASE = "sqlite:///var/acceptances.sqlite"


_database = click.option("--database", envvar="AGREEMENTS_DATABASE_URL", default=DATABASE, show_default=True,
                         help=_("sqlite:///FILE (relative to the project) or postgresql://USER@HOST/DB; "
                         "also $AGREEMENTS_DATABASE_URL."))


@cli.command("accept-server", help=with_example(
    _("Run the acceptance service (FastAPI on uvicorn; OpenAPI at /docs and /openapi.json). "
    "The administrator token is read from $AGREEMENTS_ADMIN_TOKEN."),
    "agreements accept-server --account-key backend.pub.pem"))
@_database
@click.option("--host", default="127.0.0.1", show_default=True, help=_("Address to listen on."))
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help=_("Port to listen on."))
@click.option("--account-key", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help=_("The product backend's Ed25519 public key (PEM) that signs account tokens."))
@click.option("--keys-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("var/acceptance-keys"), show_default=True, help=_("The service's signing keys."))
@click.option("--tsa", metavar="URL", default=None, help=_("Timestamp checkpoints with this RFC 3161 TSA."))
@click.option("--checkpoint-interval", type=click.FloatRange(0), default=3600, show_default=True,
              help=_("Seconds between checkpoints (0: on demand only)."))
@click.option("--retention-days", type=click.IntRange(1), default=None,
              help=_("Erase personal data of events older than this (the log keeps its hashes)."))
@click.option("--rate", type=click.FloatRange(0), default=20, show_default=True,
              help=_("Requests per second per client address (0: no limit)."))
@click.option("--synchronous", type=click.Choice(["FULL", "EXTRA"]), default="FULL", show_default=True,
              help=_("SQLite's durability: every acceptance is on disk before its receipt is sent."))
@pass_context
def accept_server(ctx: Context, database: str, host: str, port: int, account_key: Path, keys_dir: Path,
                  tsa: str | None, checkpoint_interval: float, retention_days: int | None, rate: float,
                  synchronous: str) -> None:
    from generator.acceptance.app import create_app
    from generator.acceptance.server import listening_socket, uvicorn_server
    from generator.acceptance.service import Service, Settings

    settings = Settings(root=ctx.root, database=database, keys_dir=keys_dir, account_key=account_key,
                        admin_token=os.environ.get("AGREEMENTS_ADMIN_TOKEN") or None, synchronous=synchronous,
                        tsa_url=tsa, checkpoint_interval=checkpoint_interval, retention_days=retention_days,
                        rate=rate)
    service = Service(settings)
    sock = listening_socket(host, port)
    click.echo(_("acceptance service on http://{host}:{port} (OpenAPI: /docs)").format(
        host=host, port=sock.getsockname()[1]), err=True)
    try:
        uvicorn_server(create_app(service)).run(sockets=[sock])
    finally:
        service.close()


@cli.command("accept-keys", help=with_example(
    _("Show the acceptance service's public keys, or rotate its signing key."),
    "agreements accept-keys --rotate -o agreements-keys.json"))
@click.option("--keys-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("var/acceptance-keys"), show_default=True, help=_("The service's signing keys."))
@click.option("--rotate", is_flag=True, help=_("Create a new signing key; it signs from the next start "
              "of the service, and the older keys stay published so that old receipts verify."))
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=_("File to write: the public keys, as /.well-known/agreements-keys.json serves them "
              "(default: print them)."))
@pass_context
def accept_keys(ctx: Context, keys_dir: Path, rotate: bool, out: Path | None) -> None:
    from generator.acceptance.keys import load_keyring, rotate as rotate_key

    folder = keys_dir if keys_dir.is_absolute() else ctx.root / keys_dir
    if rotate:
        click.echo(_("new signing key {kid}").format(kid=rotate_key(folder).kid), err=True)
    text = json.dumps(load_keyring(folder, create=False).published(), indent=2)
    if out is None:
        click.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")


@cli.command("verify-receipt", help=with_example(
    _("Check an acceptance receipt offline: signatures, Merkle proofs, the checkpoint and its timestamp, "
    "and the version against content/published.lock.json. Exit 0 ok, 1 failed, 3 cannot decide."),
    "agreements verify-receipt receipt.json --keys agreements-keys.json --checkpoint cp.json"))
@click.argument("receipt", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--checkpoint", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=_("A later checkpoint (GET /v1/checkpoints/latest?from_size=N) to prove the receipt against."))
@click.option("--keys", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=_("The service's public keys, saved from /.well-known/agreements-keys.json."))
@click.option("--tsa-trust", type=click.Path(dir_okay=False, path_type=Path), multiple=True,
              help=_("Root certificate (PEM) the checkpoint's timestamp authority must chain to (repeatable)."))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help=_("How to print the report: text for people, json for programs."))
@pass_context
def verify_receipt_command(ctx: Context, receipt: Path, checkpoint: Path | None, keys: Path | None,
                           tsa_trust: tuple[Path, ...], fmt: str) -> None:
    from generator.acceptance.verify import load_certificates, load_json, outcome, summary, verify_receipt

    document = load_json(receipt, _("the receipt"))
    checks = verify_receipt(document,
                            keys_doc=load_json(keys, _("the keys file")) if keys else None, root=ctx.root,
                            checkpoint=load_json(checkpoint, _("the checkpoint")) if checkpoint else None,
                            tsa_roots=load_certificates(tsa_trust) if tsa_trust else None)
    result = outcome(checks)
    if fmt == "json":
        click.echo(json.dumps({"result": result, "summary": summary(document),
                               "checks": [c.__dict__ for c in checks]}, ensure_ascii=False, indent=2))
    else:
        click.echo(summary(document))
        for check in checks:
            click.echo(f"{check.outcome:9} {check.name:22} {check.explanation}")
        click.echo({"ok": _("receipt verified"), "failed": _("receipt FAILED verification"),
                    "undecided": _("cannot decide: see the undecided checks")}[result])
    ctx_exit = {"ok": 0, "failed": 1, "undecided": 3}[result]
    raise click.exceptions.Exit(ctx_exit)


@cli.command("acceptances", help=with_example(
    _("List accounts that must accept the agreement again (需重新同意)."),
    "agreements acceptances --needs-reacceptance --format csv"))
@_database
@click.option("--needs-reacceptance", is_flag=True, required=True,
              help=_("List the accounts whose accepted version was followed by a major version now in force."))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True,
              help=_("How to print the report: text for people, json or csv for programs."))
@pass_context
def acceptances_command(ctx: Context, database: str, needs_reacceptance: bool, fmt: str) -> None:
    from generator.acceptance.catalog import Catalog
    from generator.acceptance.status import ALL_ACCEPTANCES, needing_reacceptance
    from generator.acceptance.storage import Database, DatabaseUrl

    db = Database(DatabaseUrl.parse(database, ctx.root))
    try:
        db.migrate()
        found = needing_reacceptance(Catalog(ctx.project()), db.rows(ALL_ACCEPTANCES))
    finally:
        db.close()
    _print_statuses(found, fmt)


def _print_statuses(found: list[dict], fmt: str) -> None:
    columns = ["account_id", "accepted_version", "accepted_at", "current_version", "status", "since"]
    if fmt == "json":
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        import csv
        import io

        out = io.StringIO()
        writer = csv.DictWriter(out, columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(found)
        click.echo(out.getvalue(), nl=False)
    else:
        for status in found:
            click.echo(f"{status['account_id']}  {status['accepted_version']} → {status['current_version']}  "
                       f"{status['status']}（自{status['since']}起）")
        click.echo(_("{n} account(s) need to accept again").format(n=len(found)))


@cli.command("receipt-pdf", help=with_example(
    _("Write one acceptance's evidence certificate as PDF/A-3b, with the receipt embedded."),
    "agreements receipt-pdf 3f2b…-… -o out/evidence/3f2b.pdf"))
@click.argument("acceptance_id")
@_database
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help=_("File to write: the evidence certificate (PDF/A-3b)."))
@click.option("--keys-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("var/acceptance-keys"), show_default=True, help=_("The service's signing keys "
              "(their public halves check the receipt before it is certified)."))
@pass_context
def receipt_pdf_command(ctx: Context, acceptance_id: str, database: str, out: Path, keys_dir: Path) -> None:
    from generator.acceptance.certificate import write_certificate
    from generator.acceptance.keys import load_keyring
    from generator.acceptance.storage import Database, DatabaseUrl
    from generator.acceptance.verify import outcome, verify_receipt
    from generator.errors import AgreementsError

    db = Database(DatabaseUrl.parse(database, ctx.root))
    try:
        rows = db.rows("SELECT data FROM event_data WHERE event_id = ? AND kind = 'acceptance'", (acceptance_id,))
    finally:
        db.close()
    if not rows:
        raise AgreementsError(_("no acceptance `{id}` in the database (or its data was erased)").format(
            id=acceptance_id),
                              key="ACCEPTANCE_ID")
    receipt = json.loads(rows[0][0])
    keys = load_keyring(keys_dir if keys_dir.is_absolute() else ctx.root / keys_dir, create=False).published()
    checks = verify_receipt(receipt, keys_doc=keys, root=ctx.root)
    if outcome(checks) == "failed":
        raise AgreementsError(_("the stored receipt does not verify; no certificate written"), key=acceptance_id)
    project = ctx.project()
    write_certificate(ctx.root, receipt, checks, project.config.provider.name, out)
    click.echo(_("wrote {path}").format(path=out))
