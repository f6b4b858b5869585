"""Publishing a major version makes every account that accepted an older one 需重新同意; a minor
version only needs notice (site_config.yml acceptance.minor_versions)."""

from __future__ import annotations

import json

import pytest

from flows import accept
from generator.acceptance.catalog import Catalog
from generator.acceptance.status import describe
from generator.content.project import load_project
from helpers import ROOT, copy_project, run_cli

NEW = "2026-11-28"


@pytest.fixture(scope="module")
def republished(tmp_path_factory):
    """A copy of the project in which the draft is published and in force since 2026-12-01."""
    root = copy_project(ROOT, tmp_path_factory.mktemp("republished"))
    version = root / "content" / "versions" / NEW / "version.yml"
    version.write_text(version.read_text(encoding="utf-8").replace("effective: 2027-01-01", "effective: 2026-12-01"),
                       encoding="utf-8")
    from generator.cli import main

    assert main(["--root", str(root), "publish", NEW]) == 0
    return root


def _listed(server, root, capsys, monkeypatch) -> list[dict]:
    monkeypatch.setenv("LANGUAGE", "en")
    database = server.service.settings.database
    code, out, err = run_cli(["--root", str(root), "acceptances", "--needs-reacceptance",
                              "--database", database, "--format", "json"], capsys)
    assert code == 0, err
    return json.loads(out)


def test_a_major_version_lists_the_accounts_that_must_accept_again(server, republished, capsys, monkeypatch):
    with server.client() as client:
        accept(server, client, "acct-before-major")
    listed = {s["account_id"]: s for s in _listed(server, republished, capsys, monkeypatch)}
    assert listed["acct-before-major"]["status"] == "需重新同意"
    assert listed["acct-before-major"]["since"] == "2026-12-01"
    assert all(s["accepted_version"] == "2021-12-20" for s in listed.values())
    # against the project as it is (no newer version in force) nobody is listed
    assert "acct-before-major" not in {s["account_id"] for s in _listed(server, ROOT, capsys, monkeypatch)}


def test_a_minor_version_only_needs_notice(republished):
    import yaml

    config = republished / "site_config.yml"
    text = config.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data.setdefault("acceptance", {})["minor_versions"] = [NEW]
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        catalog = Catalog(load_project(republished))
        status = describe(catalog, "acct-x", ("2021-12-20", "2026-01-01T00:00:00Z"))
    finally:
        config.write_text(text, encoding="utf-8")
    assert status["status"] == "新版本仅需告知" and not status["needs_reacceptance"]


def test_the_new_version_itself_can_now_be_accepted_and_the_old_cannot(republished):
    catalog = Catalog(load_project(republished))
    old, new = catalog.by_date("2021-12-20"), catalog.by_date(NEW)
    assert catalog.current() is new and catalog.refusal(new.version_hash) is None
    assert "已被新版本取代" in catalog.refusal(old.version_hash)


def test_an_unreachable_database_is_one_clear_line_without_the_password(capsys, monkeypatch):
    from acceptance_support import free_port

    monkeypatch.setenv("LANGUAGE", "en")
    url = f"postgresql://someone:s3cret-password@127.0.0.1:{free_port()}/acceptances"
    code, out, err = run_cli(["acceptances", "--needs-reacceptance", "--database", url], capsys)
    assert code == 1 and "cannot connect to PostgreSQL" in err and "Traceback" not in err
    assert "s3cret-password" not in err + out
