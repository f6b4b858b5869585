"""`agreements publish` writes and locks the release record (generator/content/releases.py)."""

from __future__ import annotations

import datetime as dt
import re

import yaml

from generator.content.project import load_project
from generator.content.releases import beijing_today, load_releases
from helpers import ROOT, copy_site_project, run_cli

DRAFT = "2026-11-28"


def test_publish_records_today_the_effective_date_and_the_summary(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")
    root = copy_site_project(tmp_path / "project")
    effective = (beijing_today() + dt.timedelta(days=45)).isoformat()
    code, out, err = run_cli(["--root", str(root), "publish", DRAFT, "--effective", effective, "--kind", "minor",
                              "--summary", "明确短信发送频率的防护要求。@obligations.sms.bombing"], capsys)
    assert code == 0, err
    release = load_releases(root)[DRAFT]
    assert (release.published, release.effective.isoformat(), release.kind) == (beijing_today(), effective, "minor")
    assert [(s.text, s.clauses) for s in release.summary] == [("明确短信发送频率的防护要求。", ["obligations.sms.bombing"])]
    records = yaml.safe_load((root / "content" / "releases.yml").read_text(encoding="utf-8"))["releases"]
    assert [str(r["version"]) for r in records] == ["2021-12-20", DRAFT]  # the earlier record untouched
    assert run_cli(["--root", str(root), "check"], capsys)[0] == 0


def test_publish_refuses_an_effective_date_without_notice(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")
    root = copy_site_project(tmp_path / "project")
    config = root / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8") + "notice_days: 10\n", encoding="utf-8")
    too_soon = (beijing_today() + dt.timedelta(days=9)).isoformat()
    code, _, err = run_cli(["--root", str(root), "publish", DRAFT, "--effective", too_soon], capsys)
    assert code == 1
    assert "less than 10 days after today" in err
    assert "status: draft" in (root / "content" / "versions" / DRAFT / "version.yml").read_text(encoding="utf-8")
    assert DRAFT not in load_releases(root)


def test_without_a_summary_each_change_is_a_line_naming_its_clause(tmp_path, capsys):
    root = copy_site_project(tmp_path / "project")
    assert run_cli(["--root", str(root), "publish", DRAFT], capsys)[0] == 0
    release = load_releases(root)[DRAFT]
    assert release.effective >= beijing_today() + dt.timedelta(days=30)
    from generator.content.diff import compare
    from generator.content.project import load_project

    project = load_project(root)
    version = project.version(DRAFT)
    changes = compare(project.previous(version), version)
    from generator.content.releases import default_line

    assert changes and [line.text for line in release.summary] == [default_line(c) for c in changes]
    assert all(c.place in default_line(c) or getattr(c, "summary", None) for c in changes)
    known = {clause.id for clause in version.all_clauses()}
    assert all(set(line.clauses) <= known for line in release.summary)


def test_check_refuses_a_record_of_a_version_that_is_not_published(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")
    root = copy_site_project(tmp_path / "project")
    from generator.content.releases import Release, SummaryLine, record_release

    record_release(root, Release(version=dt.date(2026, 11, 28), published=dt.date(2026, 12, 4),
                                 effective=dt.date(2027, 1, 4), kind="minor", summary=[SummaryLine(text="改。")]))
    code, _, err = run_cli(["--root", str(root), "check"], capsys)
    assert code == 1 and "release record(s) of 2026-11-28, which are not published versions" in err


def test_the_first_versions_record_has_the_dates_its_own_text_states():
    """2021-12-20 was published before release records existed: its record was written once, from
    the version's own last line (本协议更新日期：2021 年【12】月【20】日), not computed by a build."""
    version = load_project(ROOT).versions[0]
    updated = yaml.safe_load((version.folder / "version.yml").read_text(encoding="utf-8"))["updated"]
    year, month, day = map(int, re.fullmatch(r"本协议更新日期：(\d{4}) 年【(\d+)】月【(\d+)】日", updated).groups())
    release = load_releases(ROOT)[version.date]
    assert release.published == release.effective == dt.date(year, month, day)
