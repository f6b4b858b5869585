"""new-version → edit → publish → lock, and diff between versions, end to end through the CLI."""

from __future__ import annotations

import json

import pytest
import yaml

from helpers import ROOT, copy_project, run_cli

OLD, DRAFT = "2021-12-20", "2026-11-28"


def _project(tmp_path):
    return copy_project(ROOT, tmp_path / "project")


def test_new_version_then_publish_end_to_end(tmp_path, capsys):
    root = _project(tmp_path)
    code, out, err = run_cli(["--root", str(root), "new-version", "2027-03-01"], capsys)
    assert code == 0, err
    folder = root / "content" / "versions" / "2027-03-01"
    meta = yaml.safe_load((folder / "version.yml").read_text(encoding="utf-8"))
    assert meta["status"] == "draft" and str(meta["date"]) == "2027-03-01"
    assert meta["updated"] == "本协议更新日期：2027 年 3 月 1 日"
    # the newest version's 生效日期 (2027-01-01) is not the new draft's: it is left out
    assert "effective" in yaml.safe_load((root / "content" / "versions" / DRAFT / "version.yml").read_text())
    assert "effective" not in meta
    # the copy starts from the newest version, the draft with the typo fixes
    assert "接受本服务条款约束" in (folder / "agreement.yml").read_text(encoding="utf-8")
    assert (folder / "version.yml").read_text(encoding="utf-8").startswith("# yaml-language-server")

    code, out, err = run_cli(["--root", str(root), "publish", "2027-03-01"], capsys)
    assert code == 0, err
    lock = json.loads((root / "content" / "published.lock.json").read_text(encoding="utf-8"))
    assert set(lock) == {OLD, "2027-03-01"}
    assert set(lock["2027-03-01"]) == {"version.yml", "agreement.yml", "consent.yml", "prohibited.yml"}
    assert run_cli(["--root", str(root), "check"], capsys)[0] == 0

    # published means frozen: editing it fails the check, naming the version and the file
    agreement = folder / "agreement.yml"
    agreement.write_text(agreement.read_text(encoding="utf-8").replace("条款约束", "条款的约束"), encoding="utf-8")
    code, out, err = run_cli(["--root", str(root), "check"], capsys)
    assert code == 1
    assert "2027-03-01" in err and "agreement.yml" in err and "Traceback" not in err


def test_publishing_twice_or_an_older_date_is_refused(tmp_path, capsys):
    root = _project(tmp_path)
    code, _, err = run_cli(["--root", str(root), "publish", OLD], capsys)
    assert code == 1 and "already published" in err
    code, _, err = run_cli(["--root", str(root), "new-version", "2020-01-01"], capsys)
    assert code == 1 and "after the newest" in err
    assert not (root / "content" / "versions" / "2020-01-01").exists()
    code, _, err = run_cli(["--root", str(root), "new-version", "2027-02-30"], capsys)
    assert code == 1 and "YYYY-MM-DD" in err


def test_publishing_an_invalid_draft_changes_nothing(tmp_path, capsys):
    root = _project(tmp_path)
    agreement = root / "content" / "versions" / DRAFT / "agreement.yml"
    agreement.write_text(agreement.read_text(encoding="utf-8").replace("{ref:obligations.personal-info}", "{ref:no.such}", 1),
                         encoding="utf-8")
    lock_before = (root / "content" / "published.lock.json").read_bytes()
    version_before = (root / "content" / "versions" / DRAFT / "version.yml").read_bytes()
    code, _, err = run_cli(["--root", str(root), "publish", DRAFT], capsys)
    assert code == 1 and "no.such" in err
    assert (root / "content" / "published.lock.json").read_bytes() == lock_before
    assert (root / "content" / "versions" / DRAFT / "version.yml").read_bytes() == version_before


def test_diff_shows_the_typo_fixes_at_word_level(capsys):
    code, out, err = run_cli(["--root", str(ROOT), "diff", OLD, DRAFT], capsys)
    assert code == 0, err
    notice = next(line for line in out.splitlines() if line.startswith("reworded   @notice"))
    assert "[-款-]{+条款+}" in notice
    assert "[-服-]{+服务+}" in notice or "本[-服-]{+服务+}条款" in notice
    assert "2 change(s)" in out


def test_diff_reports_moved_added_and_removed_by_id(tmp_path, capsys):
    root = _project(tmp_path)
    path = root / "content" / "versions" / DRAFT / "agreement.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    obligations = next(s for s in data["sections"] if s["id"] == "obligations")
    obligations["clauses"].insert(0, obligations["clauses"].pop(6))  # 7. misoperation becomes 1.
    obligations["clauses"].append({"id": "obligations.new-duty", "text": "新增的义务。"})
    liability = next(s for s in data["sections"] if s["id"] == "liability")
    liability["clauses"].pop()  # remove liability.security-measures
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    code, out, err = run_cli(["--root", str(root), "diff", OLD, DRAFT], capsys)
    assert code == 0, err
    assert "moved      obligations.misoperation: 「用户的权利与义务」第7条 → 「用户的权利与义务」第1条" in out
    # the clauses it pushed down are renumbered, not moved: one line for all of them
    assert "obligations.liability" not in out
    assert [l.split()[0] for l in out.splitlines()].count("moved") == 1
    assert [l for l in out.splitlines() if l.startswith("renumbered")] == [
        "renumbered 编号变动：「用户的权利与义务」第1条起顺延"]
    assert any(l.startswith("added      obligations.new-duty") and "{+新增的义务。+}" in l for l in out.splitlines())
    assert any(l.startswith("removed    liability.security-measures") for l in out.splitlines())


def test_renaming_a_section_rewords_it_and_moves_nothing(tmp_path, capsys):
    root = _project(tmp_path)
    path = root / "content" / "versions" / DRAFT / "agreement.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("title: 服务范围", "title: 服务的范围", 1),
                    encoding="utf-8")
    code, out, err = run_cli(["--root", str(root), "diff", OLD, DRAFT], capsys)
    assert code == 0, err
    assert any(l.startswith("reworded   scope (「服务的范围」): ") for l in out.splitlines()), out
    assert "moved" not in out


def test_a_clause_may_be_called_updated(tmp_path, capsys):
    """Ids of the notice and the 更新日期 line cannot collide with a clause's."""
    root = _project(tmp_path)
    path = root / "content" / "versions" / DRAFT / "agreement.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["sections"][0]["clauses"].append({"id": "updated", "text": "新增条款。"})
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    code, out, err = run_cli(["--root", str(root), "diff", OLD, DRAFT], capsys)
    assert code == 0, err
    assert any(l.startswith("added      updated (「服务范围」第3条)") for l in out.splitlines())
    assert any(l.startswith("reworded   @updated") for l in out.splitlines())


def test_publish_on_a_full_disk_changes_nothing(tmp_path, capsys, monkeypatch):
    from helpers import small_disk

    root = _project(tmp_path)
    folder = root / "content" / "versions" / DRAFT
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    lock_before = (root / "content" / "published.lock.json").read_bytes()
    small_disk(monkeypatch, folder, 0)
    code, out, err = run_cli(["--root", str(root), "publish", DRAFT], capsys)
    assert code == 1 and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert "No space left on device" in err and f"{DRAFT}/" in err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # no half-written version.yml
    assert (root / "content" / "published.lock.json").read_bytes() == lock_before


def test_new_version_on_a_full_disk_leaves_no_half_copied_draft(tmp_path, capsys, monkeypatch):
    from helpers import small_disk

    root = _project(tmp_path)
    versions = root / "content" / "versions"
    small_disk(monkeypatch, versions / ".2027-03-01.tmp", 0)
    code, out, err = run_cli(["--root", str(root), "new-version", "2027-03-01"], capsys)
    assert code == 1 and "Traceback" not in err
    assert "No space left on device" in err
    assert sorted(p.name for p in versions.iterdir()) == [OLD, DRAFT]


def test_an_effective_date_before_the_version_is_refused_where_it_is_written(tmp_path, capsys):
    root = _project(tmp_path)
    path = root / "content" / "versions" / DRAFT / "version.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("effective: 2027-01-01", "effective: 2026-11-01"),
                    encoding="utf-8")
    code, _, err = run_cli(["--root", str(root), "check"], capsys)
    assert code == 1
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "effective" in text)
    assert f"version.yml:{line}:12: effective: effective date 2026-11-01 is before the version's date 2026-11-28" in err
    assert err.rstrip().endswith("or leave `effective` out")


# These tests assert messages in English, the msgids (tests/test_i18n.py checks the Chinese).
pytestmark = pytest.mark.usefixtures("english_messages")
