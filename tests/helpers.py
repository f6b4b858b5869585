"""Shared helpers for the content and CLI tests: the real project, copies of it, the CLI."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
REFERENCE = FIXTURES / "reference-2021-12-20.md"
GOOD_MINIMAL = FIXTURES / "good" / "minimal"
BAD = FIXTURES / "bad"
VERSION = "2021-12-20"
VERSION_DIR = Path("content") / "versions" / VERSION


def fold(text: str) -> str:
    """Collapse every run of whitespace to one space, as Markdown reads it."""
    return " ".join(text.split())


def reference_blocks() -> list[str]:
    """The reference file's paragraphs, raw (Markdown kept), in order."""
    text = REFERENCE.read_text(encoding="utf-8")
    return [b for b in re.split(r"\n[ \t]*\n", text.strip()) if b.strip()]


def strip_heading(block: str) -> str:
    return re.sub(r"^#+[ \t]*", "", block.strip())


def unescape_markdown(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def reference_paragraphs() -> list[str]:
    """Paragraphs as plain text: no `#`, no `**`, no backslash escapes, whitespace folded."""
    return [fold(unescape_markdown(strip_heading(b).replace("**", ""))) for b in reference_blocks()]


def reference_bold_passages() -> list[str]:
    """Every `**…**` passage of the reference, per paragraph, as plain folded text."""
    passages = []
    for block in reference_blocks():
        for match in re.finditer(r"\*\*(.+?)\*\*", strip_heading(block), re.S):
            passages.append(fold(unescape_markdown(match.group(1))))
    return passages


def copy_project(source: Path, dest: Path) -> Path:
    """Copy a project (site_config.yml and content/) to ``dest`` and return it."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / "site_config.yml", dest / "site_config.yml")
    shutil.copytree(source / "content", dest / "content")
    return dest


def copy_real_project(dest: Path, *, draft: bool = False) -> Path:
    """A copy of the repository's project; ``draft`` unpublishes it and drops the lock."""
    copy_project(ROOT, dest)
    if draft:
        version_file = dest / VERSION_DIR / "version.yml"
        text = version_file.read_text(encoding="utf-8")
        assert "status: published" in text
        version_file.write_text(text.replace("status: published", "status: draft"), encoding="utf-8")
        (dest / "content" / "published.lock.json").unlink()
    return dest


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    """Run ``agreements ARGV`` in-process; return exit code, stdout and stderr."""
    from generator.cli import main

    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def line_of(text: str, marker: str | re.Pattern, occurrence: int = -1) -> int:
    """1-based line of the ``occurrence``-th line holding ``marker`` (last by default)."""
    def hit(line: str) -> bool:
        return bool(marker.search(line)) if isinstance(marker, re.Pattern) else marker in line

    lines = [i for i, line in enumerate(text.splitlines(), 1) if hit(line)]
    assert lines, f"marker {marker!r} not found"
    return lines[occurrence]
