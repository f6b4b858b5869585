"""A published version is a legal record: the lock catches any change to its files."""

from __future__ import annotations

import json
import re

import pytest

from helpers import VERSION, VERSION_DIR, copy_real_project, run_cli

LOCK = ("content", "published.lock.json")


@pytest.fixture
def project(tmp_path):
    return copy_real_project(tmp_path / "project")


def _check(project, capsys):
    return run_cli(["--root", str(project), "check"], capsys)


def test_unedited_copy_passes(project, capsys):
    code, out, err = _check(project, capsys)
    assert code == 0, err
    assert re.match(r"ok: \d+ version\(s\)", out)


def test_lock_covers_every_file_of_the_published_version(project):
    lock = json.loads(project.joinpath(*LOCK).read_text(encoding="utf-8"))
    files = sorted(p.name for p in (project / VERSION_DIR).glob("*.yml"))
    assert sorted(lock[VERSION]) == files == ["agreement.yml", "consent.yml", "prohibited.yml", "version.yml"]


@pytest.mark.parametrize("name", ["agreement.yml", "consent.yml", "prohibited.yml", "version.yml"])
def test_editing_one_byte_fails_naming_version_and_file(project, capsys, name):
    path = project / VERSION_DIR / name
    data = bytearray(path.read_bytes())
    assert data.endswith(b"\n")
    data[-1:] = b" "  # one byte, and the YAML still means the same: only the lock can notice
    path.write_bytes(bytes(data))
    code, out, err = _check(project, capsys)
    assert code == 1
    assert "Traceback" not in err
    assert f"published version {VERSION} was changed" in err
    assert f"{VERSION}/{name}" in err
    assert err.count("was changed after publication") == 1  # only the edited file


def test_editing_a_letter_of_the_text_fails(project, capsys):
    path = project / VERSION_DIR / "prohibited.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("损害国家荣誉和利益的", "损害国家荣誉与利益的", 1), encoding="utf-8")
    code, _, err = _check(project, capsys)
    assert code == 1
    assert "prohibited.yml" in err and VERSION in err


def test_published_version_missing_from_the_lock_fails(project, capsys):
    project.joinpath(*LOCK).write_text("{}\n", encoding="utf-8")
    code, _, err = _check(project, capsys)
    assert code == 1
    assert "marked published but is not in the lock" in err
    assert f"{VERSION}/version.yml" in err


def test_published_version_without_any_lock_file_fails(project, capsys):
    project.joinpath(*LOCK).unlink()
    code, _, err = _check(project, capsys)
    assert code == 1
    assert "not in the lock" in err


def test_unpublishing_a_locked_version_fails(project, capsys):
    path = project / VERSION_DIR / "version.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: published", "status: draft"),
                    encoding="utf-8")
    code, _, err = _check(project, capsys)
    assert code == 1
    assert "no longer `published`" in err


def test_deleting_a_locked_version_fails(project, capsys, tmp_path):
    lock_path = project.joinpath(*LOCK)
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    lock["2020-01-01"] = dict(lock[VERSION])
    lock_path.write_text(json.dumps(lock), encoding="utf-8")
    code, _, err = _check(project, capsys)
    assert code == 1
    assert "2020-01-01" in err and "folder is gone" in err


def test_broken_lock_file_is_a_clean_error(project, capsys):
    project.joinpath(*LOCK).write_text("{not json", encoding="utf-8")
    code, _, err = _check(project, capsys)
    assert code == 1
    assert "published.lock.json" in err and "Traceback" not in err


def test_text_refuses_a_tampered_published_version(project, capsys):
    """`text` loads the project with the lock too: a tampered record is not printed as valid."""
    path = project / VERSION_DIR / "agreement.yml"
    path.write_bytes(path.read_bytes() + b"\n")
    code, out, err = run_cli(["--root", str(project), "text", VERSION], capsys)
    assert code == 1
    assert out == ""
    assert "agreement.yml" in err


def test_a_malformed_lock_is_a_clean_error(tmp_path, capsys):
    from helpers import ROOT, copy_project, run_cli

    root = copy_project(ROOT, tmp_path / "p")
    (root / "content" / "published.lock.json").write_text('{"2021-12-20": "x"}', encoding="utf-8")
    code, _, err = run_cli(["--root", str(root), "check"], capsys)
    assert code == 1 and "published.lock.json" in err and "Traceback" not in err


# These tests assert messages in English, the msgids (tests/test_i18n.py checks the Chinese).
pytestmark = pytest.mark.usefixtures("english_messages")
