"""The `agreements` command: entry points, `check`, and the JSON Schemas for editors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import FIXTURES, ROOT, run_cli

VENV_BIN = Path(sys.executable).parent
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=120)


# --------------------------------------------------------------------------- entry points


def test_python_dash_m_generator_help():
    result = _run(sys.executable, "-m", "generator", "--help")
    assert result.returncode == 0, result.stderr
    for command in ("check", "text", "schema"):
        assert re.search(rf"^\s+{command}\b", result.stdout, re.M), command


def test_console_script_runs():
    script = VENV_BIN / "agreements"
    assert script.is_file(), "the `agreements` console script is not installed in the venv"
    result = _run(str(script), "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage: agreements" in result.stdout
    version = _run(str(script), "--version")
    assert version.returncode == 0
    assert re.search(r"agreements, version \d+\.\d+", version.stdout)


def test_check_on_the_repository_prints_one_short_ok_line():
    result = _run(str(VENV_BIN / "agreements"), "check")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and len(lines[0]) < 100
    assert re.fullmatch(r"ok: \d+ version\(s\), \d+ clauses checked", lines[0])
    assert result.stderr == ""


def test_check_exit_code_is_1_on_bad_input():
    result = _run(str(VENV_BIN / "agreements"), "--root", str(FIXTURES / "bad" / "unknown-key"), "check")
    assert result.returncode == 1
    assert "txet" in result.stderr and "Traceback" not in result.stderr


def test_unknown_command_is_a_usage_error(capsys):
    code, _, err = run_cli(["frobnicate"], capsys)
    assert code == 2
    assert "No such command" in err


def test_debug_is_accepted_after_the_command(tmp_path, capsys):
    from helpers import run_cli

    code, _, err = run_cli(["--root", str(tmp_path), "check", "--debug"], capsys)
    assert code == 1
    assert "Traceback" in err and "site_config.yml" in err


def test_build_published_only_leaves_drafts_out(tmp_path, capsys):

    from helpers import copy_site_project, run_cli

    root = copy_site_project(tmp_path / "project")  # the build caches under its root
    out = tmp_path / "site"
    code, out_text, err = run_cli(["--root", str(root), "build", "--published-only", "--out", str(out)], capsys)
    assert code == 0, err
    versions = json.loads((out / "versions.json").read_text(encoding="utf-8"))
    assert [v["version"] for v in versions] == ["2021-12-20"]
    assert not (out / "2026-11-28").exists()


# These tests assert messages in English, the msgids (tests/test_i18n.py checks the Chinese).
pytestmark = pytest.mark.usefixtures("english_messages")
