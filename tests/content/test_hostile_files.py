"""Files a hostile or careless user could hand the tool: refused cleanly, unread where unsafe.

A symbolic link out of the project, a FIFO, /dev/zero, a file of several megabytes,
a key of thousands of characters: each gets one message naming the file, exit 1,
no traceback, and the message never quotes more of the file than the offending key.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
import yaml

from helpers import GOOD_MINIMAL, ROOT, copy_project, run_cli

DATE = "2024-01-01"
VERSION = Path("content") / "versions" / DATE
EXAMPLE = ROOT / "customers" / "examples" / "lanzhou-data.yml"
SECRET = "s3cret-line-from-outside: do-not-echo-me"


def _outside_secret(tmp_path: Path) -> Path:
    """A file outside the project whose line an unknown-key message would quote."""
    secret = tmp_path / "outside" / "passwd.yml"
    secret.parent.mkdir()
    secret.write_text(f"{SECRET}\n", encoding="utf-8")
    return secret


def _assert_clean(code: int, out: str, err: str) -> None:
    assert code == 1
    assert "Traceback" not in err
    assert "do-not-echo-me" not in out + err and "s3cret" not in out + err


# --------------------------------------------------------------------------- symbolic links


def test_content_file_linked_out_of_the_project_is_refused_unread(tmp_path, capsys):
    root = copy_project(GOOD_MINIMAL, tmp_path / "project")
    agreement = root / VERSION / "agreement.yml"
    agreement.unlink()
    agreement.symlink_to(_outside_secret(tmp_path))
    code, out, err = run_cli(["--root", str(root), "check"], capsys)
    _assert_clean(code, out, err)
    assert re.search(rf"{re.escape(str(VERSION / 'agreement.yml'))}: the file is a symbolic link to "
                     r"\S+passwd\.yml, outside the project", err), err
    assert "it was not read" in err


def test_version_folder_linked_out_of_the_project_is_refused(tmp_path, capsys):
    root = copy_project(GOOD_MINIMAL, tmp_path / "project")
    elsewhere = tmp_path / "elsewhere"
    (root / VERSION).rename(elsewhere)
    (root / VERSION).symlink_to(elsewhere, target_is_directory=True)
    code, out, err = run_cli(["--root", str(root), "check"], capsys)
    _assert_clean(code, out, err)
    assert "version.yml: the file is a symbolic link to" in err and "outside the project" in err


def test_a_link_within_the_project_is_followed(tmp_path, capsys):
    root = copy_project(GOOD_MINIMAL, tmp_path / "project")
    consent = root / VERSION / "consent.yml"
    kept = root / "shared" / "consent.yml"
    kept.parent.mkdir()
    consent.rename(kept)
    consent.symlink_to(kept)
    code, out, err = run_cli(["--root", str(root), "check"], capsys)
    assert code == 0, err
    assert out.startswith("ok: 1 version(s)")


def test_customer_file_linked_out_of_the_project_is_refused_unread(tmp_path, capsys):
    link = tmp_path / "customer.yml"
    link.symlink_to(_outside_secret(tmp_path))
    out_dir = tmp_path / "out"
    code, out, err = run_cli(["--root", str(ROOT), "contract", str(link), "--out", str(out_dir)], capsys)
    _assert_clean(code, out, err)
    assert "customer.yml: the file is a symbolic link to" in err
    assert not out_dir.exists()


def test_customer_file_outside_the_project_but_not_a_link_is_read(tmp_path, capsys):
    copy = tmp_path / "customer.yml"  # named on the command line: the user chose it
    copy.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    code, out, err = run_cli(["--root", str(ROOT), "consent", str(copy)], capsys)
    assert code == 0, err
    assert "用户实名认证" in out


# --------------------------------------------------------------------------- not a YAML file at all


def test_a_customer_file_that_is_a_fifo_is_refused(tmp_path, capsys):
    path = tmp_path / "customer.yml"
    os.mkfifo(path)  # no writer: reading it would block forever
    code, out, err = run_cli(["--root", str(ROOT), "consent", str(path)], capsys)
    assert code == 1 and "Traceback" not in err
    assert "customer.yml: not a regular file" in err


def test_a_device_is_refused_unread():
    from generator.content.loader import load_yaml
    from generator.errors import AgreementsError

    with pytest.raises(AgreementsError, match="not a regular file"):
        load_yaml(Path("/dev/zero"), project_root=ROOT)  # reading it would never end


def test_a_customer_file_of_several_megabytes_is_refused_before_parsing(tmp_path, capsys):
    # The case: 4,000 personal fields of 250 characters ran for minutes.
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["consent"]["personal_fields"] = [f"字段{i:04d}" + "长" * 244 for i in range(4000)]
    path = tmp_path / "huge.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert path.stat().st_size > 1_000_000
    code, out, err = run_cli(["--root", str(ROOT), "contract", str(path), "--out", str(tmp_path / "o")], capsys)
    assert code == 1 and "Traceback" not in err
    assert "huge.yml: the file is larger than 1 MB" in err
    assert not (tmp_path / "o").exists()


def test_a_content_file_of_several_megabytes_is_refused(tmp_path, capsys):
    root = copy_project(GOOD_MINIMAL, tmp_path / "project")
    prohibited = root / VERSION / "prohibited.yml"
    with prohibited.open("a", encoding="utf-8") as handle:
        handle.write("# " + "注" * 400_000 + "\n")  # a comment: only the size is wrong
    code, _, err = run_cli(["--root", str(root), "check"], capsys)
    assert code == 1 and "Traceback" not in err
    assert "prohibited.yml: the file is larger than 1 MB" in err


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("number", ["1" * 5000, "1" + ":59" * 250_000, "0x" + "f" * 200],
                         ids=["5000-digits", "base-60", "hexadecimal"])
def test_a_number_too_long_to_read_is_refused_at_its_key(number):
    # int() refuses over 4,300 digits (ValueError); base 60 took minutes.
    from generator.content.loader import load_yaml_text
    from generator.errors import AgreementsError

    with pytest.raises(AgreementsError) as refused:
        load_yaml_text(f"id: x\nconsent:\n  purpose: {number}\n", "customer.yml")
    assert (refused.value.line, refused.value.key) == (3, "consent.purpose")
    assert "a number of more than 100 characters" in refused.value.message


# --------------------------------------------------------------------------- bounded messages


def test_a_huge_unknown_key_is_quoted_bounded(tmp_path, capsys):
    key = "k" * 1000  # YAML's longest plain key
    path = tmp_path / "customer.yml"
    path.write_text(EXAMPLE.read_text(encoding="utf-8") + f"{key}: 1\n", encoding="utf-8")
    code, _, err = run_cli(["--root", str(ROOT), "consent", str(path)], capsys)
    assert code == 1 and "Traceback" not in err
    [line] = [line for line in err.splitlines() if "unknown key" in line]
    assert re.search(r"customer\.yml:\d+:\d+: k{80}…: unknown key", line), line
    assert len(line) < 300


def test_an_invisible_character_in_a_key_is_shown_escaped(tmp_path, capsys):
    path = tmp_path / "customer.yml"
    path.write_text(EXAMPLE.read_text(encoding="utf-8") + '"fa\\u202ex": 1\n', encoding="utf-8")
    code, _, err = run_cli(["--root", str(ROOT), "consent", str(path)], capsys)
    assert code == 1
    assert "\u202e" not in err  # it would reverse the rest of the user's terminal line
    assert "fa\\u202ex: unknown key" in err


def test_ten_thousand_problems_are_summarised(tmp_path, capsys):
    path = tmp_path / "customer.yml"
    extra = "".join(f"extra{i}: 1\n" for i in range(10_000))
    path.write_text(EXAMPLE.read_text(encoding="utf-8") + extra, encoding="utf-8")
    code, _, err = run_cli(["--root", str(ROOT), "consent", str(path)], capsys)
    assert code == 1 and "Traceback" not in err
    assert err.count("unknown key") == 50
    assert "… and 9950 more problem(s) not shown" in err
    assert "10000 problems found" in err


# --------------------------------------------------------------------------- every string field


def _string_leaves(data, loc=()):
    """(path, value) of every string in a loaded YAML document."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _string_leaves(value, (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _string_leaves(value, (*loc, index))
    elif isinstance(data, str):
        yield loc, data


def _replaced(data, loc, value):
    if not loc:
        return value
    head, rest = loc[0], loc[1:]
    if isinstance(data, dict):
        return {k: (_replaced(v, rest, value) if k == head else v) for k, v in data.items()}
    return [(_replaced(v, rest, value) if i == head else v) for i, v in enumerate(data)]


def _documents():
    """Every file kind with its model: the minimal project's content and configuration."""
    from generator.content.config import SiteConfig
    from generator.content.schema import FILE_KINDS

    for name, (model, _) in FILE_KINDS.items():
        yield GOOD_MINIMAL / VERSION / name, model
    yield GOOD_MINIMAL / "site_config.yml", SiteConfig


@pytest.mark.parametrize("char", ["\u202e", "\u200b", "\x07"], ids=["bidi-override", "zero-width-space", "bell"])
def test_every_string_of_every_content_file_refuses_invisible_characters(char):
    from generator.content.loader import load_yaml
    from generator.content.resolve import SourceFile, format_loc, validate
    from generator.errors import ErrorCollector

    checked = 0
    for path, model in _documents():
        data = load_yaml(path, project_root=GOOD_MINIMAL)
        for loc, value in _string_leaves(data):
            errors = ErrorCollector()
            broken = _replaced(data, loc, value[:1] + char + value[1:])
            assert validate(SourceFile(path, broken), model, errors) is None, (path.name, loc)
            assert [e.key for e in errors.errors] == [format_loc(loc)], (path.name, loc, errors.errors)
            checked += 1
    assert checked >= 30  # every file kind contributed


@pytest.mark.parametrize("char", ["\u202e", "\u200b", "\ue000"], ids=["bidi-override", "zero-width-space",
                                                                      "private-use"])
def test_every_string_field_of_a_customer_file_refuses_invisible_characters(tmp_path, char):
    from generator.content.project import load_project
    from generator.content.resolve import format_loc
    from generator.contracts.customers import load_customer
    from generator.errors import AgreementsError

    project = load_project(ROOT)
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in data.items()}
    leaves = list(_string_leaves(data))
    assert len(leaves) >= 15  # company … contact.email … each personal field … dates
    for loc, value in leaves:
        path = tmp_path / "customer.yml"
        broken = _replaced(data, loc, value[:2] + char + value[2:])
        path.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
        with pytest.raises(AgreementsError) as refused:
            load_customer(path, project)
        keys = [e.key for e in getattr(refused.value, "errors", [refused.value])]
        assert format_loc(loc) in keys, (loc, keys)


def test_the_real_content_passes_the_character_rules():
    from generator.content.project import load_project

    assert load_project(ROOT).versions  # raises on any refused character


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize("value,expected", [
    ("2024-02-29", dt.date(2024, 2, 29)),
    (" 2026-12-01 ", dt.date(2026, 12, 1)),
    (dt.date(2026, 12, 1), dt.date(2026, 12, 1)),
    (dt.datetime(2026, 12, 1), dt.date(2026, 12, 1)),  # a spreadsheet's date cell
])
def test_calendar_dates_are_accepted(value, expected):
    from generator.content.schema import _calendar_date

    assert _calendar_date(value) == expected


@pytest.mark.parametrize("value,words", [
    ("2027-02-29", "not a date in the calendar"),
    ("2026-13-01", "not a date in the calendar"),
    ("2026-1-1", "YYYY-MM-DD"),
    ("20261201", "YYYY-MM-DD"),
    (20261201, "YYYY-MM-DD"),
    (dt.datetime(2026, 12, 1, 9, 30), "without a time of day"),
    (None, "YYYY-MM-DD"),
])
def test_impossible_or_malformed_dates_are_refused(value, words):
    from generator.content.schema import _calendar_date

    with pytest.raises(ValueError, match=re.escape(words)):
        _calendar_date(value)


def test_an_unquoted_date_stays_the_text_written():
    from generator.content.loader import load_yaml_text

    data = load_yaml_text("a: 2027-02-29\nb: 2026-12-01 10:00:00\nc: 2026-12-01\n", "x.yml")
    assert data == {"a": "2027-02-29", "b": "2026-12-01 10:00:00", "c": "2026-12-01"}


def test_a_raw_control_character_is_refused_where_it_stands():
    from generator.content.loader import load_yaml_text
    from generator.errors import AgreementsError

    with pytest.raises(AgreementsError) as refused:
        load_yaml_text("id: x\ncompany: 甲\x01公司\n", "customer.yml")
    assert (refused.value.line, refused.value.col) == (2, 11)
    assert "U+0001" in refused.value.message


# These tests assert messages in English, the msgids (tests/test_i18n.py checks the Chinese).
pytestmark = pytest.mark.usefixtures("english_messages")
