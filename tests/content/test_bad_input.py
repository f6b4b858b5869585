"""Every kind of bad input is one clean message naming the file, the line and the key.

Each folder of tests/fixtures/bad/ is a copy of tests/fixtures/good/minimal with one
defect (the ``two-files*`` folders have two, in two files). Expected line numbers are
found by searching the fixture for the defect's marker, never typed.
"""

from __future__ import annotations

import filecmp
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import BAD, GOOD_MINIMAL, line_of, run_cli

DATE = "2024-01-01"
VERSION = Path("content") / "versions" / DATE


@dataclass(frozen=True)
class Case:
    file: str  # the file with the defect
    marker: str  # a regex matching the line the message must name
    message: str  # a fragment of the message
    key: str | None = None  # the key the message must name, where there is one
    occurrence: int = -1  # which matching line, when the marker matches several


CASES = {
    "yaml-syntax": Case("agreement.yml", r"bad-indent:", "YAML syntax error"),
    "yaml-unclosed-quote": Case("prohibited.yml", r"text: '危害国家安全的；$", "YAML syntax error"),
    "unknown-key": Case("agreement.yml", r"txet:", "unknown key", "sections[1].clauses[2].txet"),
    "wrong-type-status": Case("version.yml", r"^status: maybe", "'draft' or 'published'", "status"),
    "wrong-type-clauses": Case("agreement.yml", r'clauses: "abc"', "must be a list", "sections[2].clauses"),
    "duplicate-id": Case("agreement.yml", r"- id: scope\.detail$", "duplicate id `scope.detail`",
                         "sections[1].clauses[2].id"),
    "dangling-reference": Case("agreement.yml", r"\{ref:no\.such\.clause\}", "unknown clause id `no.such.clause`",
                               "sections[1].clauses[2].clauses[1].text"),
    "reference-to-section": Case("agreement.yml", r"\{ref:final\}", "`final`",
                                 "sections[1].clauses[2].clauses[1].text"),
    "unknown-placeholder": Case("consent.yml", r"\{fill:nosuch\}", "unknown placeholder `{fill:nosuch}`",
                                "paragraphs[1].text"),
    "fill-outside-consent": Case("agreement.yml", r"\{fill:purpose\}", "outside 附录一",
                                 "sections[1].clauses[1].text"),
    "unused-placeholder": Case("consent.yml", r"name: unused_one", "`unused_one` is declared but never used",
                               "placeholders[2].name"),
    "unbalanced-bold": Case("agreement.yml", r"'\*\*第二项规定", "unbalanced bold",
                            "sections[1].clauses[2].clauses[2].text"),
    "python-tag": Case("agreement.yml", r"!!python/", "Python tags are not allowed"),
    "empty-text": Case("prohibited.yml", r"text: ''", "must not be empty", "items[2].text"),
    "empty-bold": Case("prohibited.yml", r"text: '\*\*\*\*'", "empty once markup is removed", "items[2].text"),
    "duplicate-key": Case("consent.yml", r"title: 重复的键", "duplicate key 'title'"),
    # PyYAML's own date constructor raised ValueError (a traceback) on these
    "impossible-date": Case("version.yml", r"^date: 2023-02-29$", "2023-02-29 is not a date in the calendar",
                            "date"),
    # 8,000 levels: PyYAML's recursive composer raised RecursionError
    "deep-nesting": Case("agreement.yml", r"text: \[\[\[", "nested more than 32 levels deep",
                         "sections[1].clauses[1].text"),
    "bidi-override": Case("agreement.yml", r"\\u202e", "U+202E (RIGHT-TO-LEFT OVERRIDE)",
                          "sections[1].clauses[2].clauses[2].text"),
    "alias": Case("agreement.yml", r"title: \*name", "aliases (`*name`) are not allowed", "sections[2].title"),
}

# Folders with one defect in each of two files: both must be reported in one run.
MULTI = {
    "two-files": [
        Case("agreement.yml", r"txet:", "unknown key", "sections[1].clauses[2].txet"),
        Case("consent.yml", r"^   description: 缩进错误", "YAML syntax error"),
    ],
    "two-files-references": [
        Case("agreement.yml", r"\{ref:no\.such\.clause\}", "unknown clause id `no.such.clause`",
             "sections[1].clauses[2].clauses[1].text"),
        Case("consent.yml", r"\{fill:nosuch\}", "unknown placeholder `{fill:nosuch}`", "paragraphs[1].text"),
    ],
}


def _expected_line(case_dir: Path, case: Case) -> int:
    text = (case_dir / VERSION / case.file).read_text(encoding="utf-8")
    return line_of(text, re.compile(case.marker), case.occurrence)


def _assert_reported(err: str, case_dir: Path, case: Case) -> None:
    line = _expected_line(case_dir, case)
    key = rf"{re.escape(case.key)}: " if case.key else ""
    pattern = rf"{re.escape(DATE)}/{re.escape(case.file)}:{line}(?::\d+)?: {key}[^\n]*{re.escape(case.message)}"
    assert re.search(pattern, err), f"expected {case.file}:{line} {case.key or ''} “{case.message}” in:\n{err}"


def _differing_files(case_dir: Path) -> list[str]:
    differ = []
    for path in sorted(GOOD_MINIMAL.rglob("*")):
        if path.is_file():
            twin = case_dir / path.relative_to(GOOD_MINIMAL)
            if not twin.is_file() or not filecmp.cmp(path, twin, shallow=False):
                differ.append(path.name)
    extra = {p.relative_to(case_dir) for p in case_dir.rglob("*") if p.is_file()} - {
        p.relative_to(GOOD_MINIMAL) for p in GOOD_MINIMAL.rglob("*") if p.is_file()}
    return differ + sorted(str(e) for e in extra)


def test_good_minimal_project_passes(capsys):
    code, out, err = run_cli(["--root", str(GOOD_MINIMAL), "check"], capsys)
    assert code == 0, err
    assert out.startswith("ok: 1 version(s)")


def test_every_bad_fixture_is_tested():
    folders = {p.name for p in BAD.iterdir() if p.is_dir()}
    assert folders == set(CASES) | set(MULTI)


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_has_exactly_one_defect(name):
    assert _differing_files(BAD / name) == [CASES[name].file]


@pytest.mark.parametrize("name", sorted(MULTI))
def test_multi_fixture_has_one_defect_per_file(name):
    assert _differing_files(BAD / name) == sorted(c.file for c in MULTI[name])


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_one_clean_message(name, capsys):
    case_dir, case = BAD / name, CASES[name]
    code, out, err = run_cli(["--root", str(case_dir), "check"], capsys)
    assert code == 1
    assert "Traceback" not in err
    assert out == ""
    _assert_reported(err, case_dir, case)
    assert "problems found" not in err, f"one defect, one message:\n{err}"


@pytest.mark.parametrize("name", sorted(MULTI))
def test_defects_in_two_files_are_both_reported(name, capsys):
    case_dir = BAD / name
    code, out, err = run_cli(["--root", str(case_dir), "check"], capsys)
    assert code == 1
    assert "Traceback" not in err
    for case in MULTI[name]:
        _assert_reported(err, case_dir, case)
    assert "2 problems found" in err


def test_python_tag_has_no_side_effect(capfd, monkeypatch):
    from generator.cli import main

    calls = []
    monkeypatch.setattr(os, "system", lambda command: calls.append(command) or 0)
    code = main(["--root", str(BAD / "python-tag"), "check"])
    out, err = capfd.readouterr()
    assert code == 1
    assert calls == []
    assert "hacked" not in out
    assert "Python tags are not allowed" in err


def test_python_tag_is_refused_by_the_loader_itself(tmp_path):
    from generator.content.loader import load_yaml_text
    from generator.errors import AgreementsError

    marker = tmp_path / "pwned"
    text = f'a: 1\nb: !!python/object/apply:os.system ["touch {marker}"]\n'
    with pytest.raises(AgreementsError) as info:
        load_yaml_text(text, "x.yml")
    assert info.value.line == 2
    assert not marker.exists()


def test_debug_shows_a_traceback_and_the_normal_run_does_not(capsys):
    case_dir = BAD / "unknown-key"
    code, _, err = run_cli(["--root", str(case_dir), "check"], capsys)
    assert code == 1 and "Traceback" not in err
    code, _, debug_err = run_cli(["--debug", "--root", str(case_dir), "check"], capsys)
    assert code == 1
    assert "Traceback (most recent call last)" in debug_err
    _assert_reported(debug_err, case_dir, CASES["unknown-key"])


def test_unknown_version_is_a_clean_error(capsys):
    code, _, err = run_cli(["--root", str(GOOD_MINIMAL), "text", "1999-01-01"], capsys)
    assert code == 1
    assert "unknown version `1999-01-01`" in err and DATE in err
    assert "Traceback" not in err


def test_missing_project_is_a_clean_error(tmp_path, capsys):
    code, _, err = run_cli(["--root", str(tmp_path), "check"], capsys)
    assert code == 1
    assert "site_config.yml" in err or "content/versions" in err
    assert "Traceback" not in err


def test_duplicate_id_names_where_it_was_first_used(capsys):
    case_dir = BAD / "duplicate-id"
    text = (case_dir / VERSION / "agreement.yml").read_text(encoding="utf-8")
    first = line_of(text, re.compile(r"- id: scope\.detail$"), 0)
    assert first != _expected_line(case_dir, CASES["duplicate-id"])
    _, _, err = run_cli(["--root", str(case_dir), "check"], capsys)
    assert f"already used at agreement.yml:{first}" in err


def test_a_list_used_as_a_key_is_a_clean_error(tmp_path, capsys):
    from helpers import GOOD_MINIMAL, copy_project, run_cli

    root = copy_project(GOOD_MINIMAL, tmp_path / "p")
    version_file = next((root / "content" / "versions").iterdir()) / "version.yml"
    version_file.write_text(version_file.read_text(encoding="utf-8") + "? [a, b]\n: 1\n", encoding="utf-8")
    code, _, err = run_cli(["--root", str(root), "check"], capsys)
    assert code == 1 and "version.yml:" in err and "used as a key" in err and "Traceback" not in err


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"])
def test_invisible_line_breaks_are_refused_where_they_stand(tmp_path, char):
    from generator.content.loader import load_yaml_text
    from generator.errors import AgreementsError

    with pytest.raises(AgreementsError) as caught:
        load_yaml_text(f"title: 服务\nnotice: 第一{char}第二\n", tmp_path / "agreement.yml")
    assert (caught.value.line, caught.value.col) == (2, 11)
    assert f"U+{ord(char):04X}" in caught.value.message


# These tests assert messages in English, the msgids (tests/test_i18n.py checks the Chinese).
pytestmark = pytest.mark.usefixtures("english_messages")
