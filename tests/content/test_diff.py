"""`agreements diff` shows real changes only: by id, bold included, renumbering once."""

from __future__ import annotations

import json

import pytest

from helpers import run_cli
from redline_fixture import EDITS, FIXTURE, INSERTED, MADE_BOLD, NEW, OLD, RENUMBERED


@pytest.fixture(scope="module")
def changes():
    from generator.content.diff import compare
    from generator.content.project import load_project

    project = load_project(FIXTURE, check_lock=False)
    return compare(project.version(OLD), project.version(NEW))


def test_the_fixture_shows_exactly_its_edits_insertion_bold_and_one_renumbering_line(changes):
    kinds = [(c.kind, c.id) for c in changes]
    assert sorted(kinds) == sorted([("reworded", key) for key in EDITS] + [("added", INSERTED[0]),
                                   ("bold", MADE_BOLD[0]), ("renumbered", "@numbering")])
    for change in changes:
        if change.kind == "reworded":
            deleted = [t for op, t in change.pieces if op == "delete"]
            inserted = [t for op, t in change.pieces if op == "insert"]
            old, new = EDITS[change.id]
            assert (deleted[:1] or [""])[0] == old and (inserted[:1] or [""])[0] == new, change
    added = next(c for c in changes if c.kind == "added")
    assert added.pieces == (("insert", INSERTED[1]),) and added.place == "「服务范围」第1条"


def test_renumbering_is_one_line_listing_old_and_new_citations(changes):
    line = next(c for c in changes if c.kind == "renumbered")
    assert line.renumbered == RENUMBERED
    assert line.summary == "编号变动：「服务范围」第1条起顺延"
    assert changes[-1] is line


def test_a_clause_made_bold_is_a_bold_change_naming_the_words(changes):
    bold = next(c for c in changes if c.kind == "bold")
    assert [t for op, t in bold.pieces if op == "bold"] == [MADE_BOLD[1]]
    assert bold.bold_label == "加粗" and bold.place == "「服务形式及内容」第2.3条"


def test_bold_removed_is_unbold_and_reworded_words_are_not_bold_changes():
    """Only words in both versions can change weight; a new bold word is part of an insertion."""
    from generator.content.diff import bold_pieces
    from generator.content.diff_units import Entry

    old = Entry("x", "p", "甲乙丙丁", (), bold="1100")
    new = Entry("x", "p", "甲乙丙丁戊", (), bold="0100" + "1")
    pieces = bold_pieces(old, new)
    assert [p for p in pieces if p[0] != "equal"] == [("unbold", "甲")]
    assert bold_pieces(old, Entry("x", "p", "甲乙丙丁", (), bold="1100")) == ()


def test_cli_text_and_json_agree(capsys, monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")
    code, out, err = run_cli(["--root", str(FIXTURE), "diff", OLD, NEW], capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[-1] == f"10 change(s) from {OLD} to {NEW}"
    assert sum(line.startswith("reworded ") for line in lines) == len(EDITS)
    assert f"{{加粗：{MADE_BOLD[1]}}}" in out
    assert [l for l in lines if l.startswith("renumbered")] == ["renumbered 编号变动：「服务范围」第1条起顺延"]
    assert "[-随时-]" in out and "{+两年+}" in out
    code, out, err = run_cli(["--root", str(FIXTURE), "diff", OLD, NEW, "--format", "json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert (data["old"], data["new"]) == (OLD, NEW)
    assert len(data["changes"]) == len(lines) - 1
    renumbered = [c for c in data["changes"] if c["kind"] == "renumbered"]
    assert [tuple(pair) for pair in renumbered[0]["renumbered"]] == list(RENUMBERED)


def test_a_reference_to_a_renumbered_clause_is_not_a_text_change(tmp_path, capsys):
    """Inserting a clause before obligations.personal-info (2 → 3) changes what its two
    references print, but neither referring clause is reported as reworded."""
    import yaml

    from helpers import copy_project

    root = copy_project(FIXTURE, tmp_path / "project")
    path = root / "content" / "versions" / NEW / "agreement.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    obligations = next(s for s in data["sections"] if s["id"] == "obligations")
    obligations["clauses"].insert(0, {"id": "obligations.first", "text": "新的第一条。"})
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    code, out, err = run_cli(["--root", str(root), "diff", OLD, NEW], capsys)
    assert code == 0, err
    assert "obligations.verification.delegation" not in out and "obligations.sms.delegation" not in out
    renumbering = [l for l in out.splitlines() if l.startswith("renumbered")]
    assert len(renumbering) == 1 and "「用户的权利与义务」第1条起顺延" in renumbering[0]
