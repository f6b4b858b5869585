"""`agreements redline OLD NEW`: rejecting every tracked change gives OLD, accepting gives NEW —
computed from the XML by the tests' own reader, and by LibreOffice."""

from __future__ import annotations

import re
from collections import Counter

import pytest

import docx_reader as dr
from word_helpers import NEW, OLD, agreements_text, cli
from helpers import ROOT, copy_project
from libreoffice import html_bold_spans, reviewed_lines, text_lines, tracked_changes

CASES = ["real", "edited", "replaced"]


def _redline(word_files, case):
    return word_files.redline if case == "real" else getattr(word_files, case)["redline"]


def _root(word_files, case):
    return ROOT if case == "real" else word_files.roots[case]


@pytest.mark.parametrize("case", CASES)
def test_reject_all_gives_old_and_accept_all_gives_new(word_files, case):
    path, root = _redline(word_files, case), _root(word_files, case)
    assert dr.texts(path, "reject") == agreements_text(root, OLD)
    assert dr.texts(path, "accept") == agreements_text(root, NEW)
    assert dr.texts(path, "accept") != dr.texts(path, "reject")


@pytest.mark.parametrize("case", ["edited", "replaced"])
def test_reject_and_accept_give_the_look_of_each_version(word_files, case):
    """Styles (headings) and bold after rejecting / accepting are those of `docx OLD` / `docx NEW`."""
    files = getattr(word_files, case)
    for view, version in (("reject", OLD), ("accept", NEW)):
        got = dr.paragraphs(files["redline"], view)
        plain = dr.paragraphs(files[version])
        assert [(p.style, p.text) for p in got] == [(p.style, p.text) for p in plain], view
        assert [p.bold_spans() for p in got] == [p.bold_spans() for p in plain], view


def test_the_edits_show_as_the_kinds_of_change_they_are(word_files):
    path = word_files.edited["redline"]
    paragraphs = dr.paragraphs(path)
    inserted = {p.text for p in paragraphs if p.mark == "ins" and all(r.change == "ins" for r in p.runs)}
    deleted = {p.text for p in paragraphs if p.mark == "del" and all(r.change == "del" for r in p.runs)}
    assert "第二段提醒：请保存本协议的副本。" in inserted
    # clause numbers are Word's automatic numbering (only meaningful once accepted or rejected)
    assert any(p.label and "".join(r.text for r in p.runs) == "新增的义务，详见第 3 款。"
               for p in paragraphs if p.mark == "ins")
    assert any(t.startswith("静觅科技数据的权利与义务") for t in deleted)  # the removed section
    # the reordered clause: one move, from where it was to where it is (not a deletion and an insertion)
    assert not [t for t in inserted | deleted if "误操作" in t]
    moved = sorted(p.mark for p in paragraphs if "误操作" in p.text and all(r.change == p.mark for r in p.runs))
    assert moved == ["moveFrom", "moveTo"]
    formats = [e for e in dr.changes(path) if e.tag == dr.W + "rPrChange"]
    assert formats  # 本协议是用户… turned bold without changing a word
    styles = [e for e in dr.changes(path) if e.tag == dr.W + "pPrChange"]
    assert styles  # 2. became a titled clause (a heading)


def test_words_change_as_agreements_diff_cuts_them(word_files):
    """The notice's fixes are the jieba word diff of `agreements diff`, not whole lines."""
    from generator.content.diff import compare
    from generator.content.project import load_project

    project = load_project(ROOT)
    notice = next(c for c in compare(project.version(OLD), project.version(NEW)) if c.id == "@notice")
    expected = [(op, text) for op, text in notice.pieces if op != "equal"]
    paragraph = dr.paragraphs(word_files.redline)[1]
    got = []
    for run in paragraph.runs:
        op = {"ins": "insert", "del": "delete"}.get(run.change)
        if op and got and got[-1][0] == op:
            got[-1] = (op, got[-1][1] + run.text)
        elif op:
            got.append((op, run.text))
    assert got == expected == [("delete", "款"), ("insert", "条款"), ("delete", "服"), ("insert", "服务")]


def test_changes_are_by_the_configured_author_on_the_new_date(word_files, tmp_path):
    changes = dr.changes(word_files.redline)
    assert changes
    assert {e.get(dr.W + "author") for e in changes} == {"北京静觅网络科技有限公司"}
    assert {e.get(dr.W + "date") for e in changes} == {f"{NEW}T00:00:00Z"}
    ids = [e.get(dr.W + "id") for e in changes]
    assert len(set(ids)) == len(ids)

    root = copy_project(ROOT, tmp_path / "project")
    config = root / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8") + "word:\n  author: 静觅科技法务部\n",
                      encoding="utf-8")
    out = tmp_path / "r.docx"
    cli("--root", str(root), "redline", OLD, NEW, "--out", str(out))
    assert {e.get(dr.W + "author") for e in dr.changes(out)} == {"静觅科技法务部"}


def test_the_redline_keeps_tracking_and_is_reproducible(word_files, tmp_path):
    settings = dr.part(word_files.redline, "word/settings.xml")
    assert settings.find(dr.W + "trackRevisions") is not None
    out = tmp_path / "again.docx"
    cli("--root", str(ROOT), "redline", OLD, NEW, "--out", str(out))
    assert out.read_bytes() == word_files.redline.read_bytes()


def test_default_output_path(tmp_path, monkeypatch, capsys):
    from generator.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["--root", str(ROOT), "redline", OLD, NEW]) == 0
    assert (tmp_path / "out" / f"redline_{OLD}_{NEW}.docx").is_file()
    assert f"redline_{OLD}_{NEW}.docx" in capsys.readouterr().out


# --------------------------------------------------------------------------- LibreOffice


@pytest.mark.parametrize("case", CASES)
def test_libreoffice_reports_the_tracked_changes(word_files, libreoffice, case):
    path = _redline(word_files, case)
    kinds = Counter(tracked_changes(libreoffice("odt")[path]).values())
    assert kinds["insertion"] >= 2 and kinds["deletion"] >= 2, kinds
    if case == "edited":
        assert kinds["format-change"] >= 1, kinds


@pytest.mark.parametrize("case", CASES)
def test_libreoffice_accepts_and_rejects_to_the_two_versions(word_files, reviewed, case):
    """LibreOffice itself accepts / rejects every change, numbering the clauses as it goes."""
    path, root = _redline(word_files, case), _root(word_files, case)
    assert reviewed_lines(reviewed[(path, "reject")][0]) == agreements_text(root, OLD)
    assert reviewed_lines(reviewed[(path, "accept")][0]) == agreements_text(root, NEW)


def test_libreoffice_converts_every_docx_to_text_and_pdf(word_files, libreoffice):
    texts, pdfs = libreoffice("txt"), libreoffice("pdf")
    assert set(texts) == set(pdfs) == set(word_files.every_docx())
    assert len(texts) >= 10
    for source, txt in texts.items():
        assert text_lines(txt), source
        assert pdfs[source].read_bytes().startswith(b"%PDF-"), source


def test_libreoffice_restores_each_versions_bold(word_files, reviewed, libreoffice):
    """The edited draft makes part of a clause bold and adds bold words: LibreOffice's own
    accept-all / reject-all gives the bold passages of its reading of `docx NEW` / `docx OLD`."""
    files = word_files.edited
    html = libreoffice("html")

    def spans(page):  # LibreOffice wraps its HTML lines where runs split, which differs between files
        return [re.sub(r"\s+", "", span) for span in html_bold_spans(page)]

    for view, version in (("accept", NEW), ("reject", OLD)):
        assert spans(reviewed[(files["redline"], view)][1]) == spans(html[files[version]]), view
