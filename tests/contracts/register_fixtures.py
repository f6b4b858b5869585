"""The register tests' project and command runner, shared by test_register.py and
test_register_life.py (imported there: each test gets a project and a register of its own)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import copy_site_project


@pytest.fixture
def root(tmp_path) -> Path:
    """A project of its own: its register starts empty."""
    return copy_site_project(tmp_path / "project")


@pytest.fixture
def run(root, capsys, monkeypatch):
    """``run("contract", …)`` → (exit code, stdout, stderr), in ``root`` (messages in English)."""
    from generator.cli import main

    monkeypatch.setenv("LANGUAGE", "en")

    def run(*args: str):
        capsys.readouterr()
        code = main(["--root", str(root), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run
