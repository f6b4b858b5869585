"""Fixtures for the Word tests: every kind of .docx written once through the CLI, and
LibreOffice's conversions of all of them (by the session's one LibreOffice)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
_CONTENT_TESTS = str(Path(__file__).resolve().parents[2] / "content")  # redline_fixture
for _path in (_HERE, _CONTENT_TESTS):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from helpers import ROOT  # noqa: E402
from libreoffice import review  # noqa: E402
from word_helpers import EXAMPLES, NEW, OLD, cli, edited_project, replaced_list_project  # noqa: E402

@dataclass
class WordFiles:
    """Every .docx the tests read, by what it is."""

    folder: Path
    versions: dict[str, Path] = field(default_factory=dict)
    contracts: dict[str, Path] = field(default_factory=dict)  # customer id → .docx
    redline: Path | None = None  # the real OLD → NEW
    edited: dict[str, Path] = field(default_factory=dict)  # redline, old, new of edited_project
    replaced: dict[str, Path] = field(default_factory=dict)
    roots: dict[str, Path] = field(default_factory=dict)
    fixture: dict[str, Path] = field(default_factory=dict)  # the seven-edit fixture's redlines

    def every_docx(self) -> list[Path]:
        return sorted(self.folder.rglob("*.docx"))


@pytest.fixture(scope="session")
def word_files(tmp_path_factory, contract_root) -> WordFiles:
    folder = tmp_path_factory.mktemp("word")
    files = WordFiles(folder)
    for version in (OLD, NEW):
        cli("--root", str(ROOT), "docx", version, "--out", str(folder / "versions"))
        files.versions[version] = folder / "versions" / f"{version}.docx"
    cli("--root", str(contract_root), "contract", *map(str, EXAMPLES), "--type", "docx",
        "--out", str(folder / "contracts"))
    files.contracts = {p.stem.split("_")[0]: p for p in (folder / "contracts").glob("*.docx")}
    files.redline = folder / "redline" / f"redline_{OLD}_{NEW}.docx"
    cli("--root", str(ROOT), "redline", OLD, NEW, "--out", str(files.redline))
    for name, make in (("edited", edited_project), ("replaced", replaced_list_project)):
        root = make(tmp_path_factory.mktemp(name) / "project")
        files.roots[name] = root
        target = getattr(files, name)
        target["redline"] = folder / name / f"redline-{name}.docx"
        cli("--root", str(root), "redline", OLD, NEW, "--out", str(target["redline"]))
        for version in (OLD, NEW):
            cli("--root", str(root), "docx", version, "--out", str(folder / name))
            # LibreOffice names what it converts after the file's stem: keep stems unique
            target[version] = (folder / name / f"{version}.docx").rename(folder / name / f"{name}-{version}.docx")
    _fixture_redlines(files)
    return files


def _fixture_redlines(files: WordFiles) -> None:
    """The seven-edit fixture's redline, the same backwards (bold removed instead of added), and
    the moved-clause fixture's."""
    from redline_fixture import FIXTURE, MOVED_FIXTURE, MOVED_NEW, MOVED_OLD, NEW as FIXTURE_NEW, OLD as FIXTURE_OLD

    for name, (old, new) in {"forward": (FIXTURE_OLD, FIXTURE_NEW), "backward": (FIXTURE_NEW, FIXTURE_OLD)}.items():
        files.fixture[name] = files.folder / "fixture" / f"fixture-{name}.docx"
        cli("--root", str(FIXTURE), "redline", old, new, "--out", str(files.fixture[name]))
    files.fixture["moved"] = files.folder / "fixture" / "fixture-moved.docx"
    cli("--root", str(MOVED_FIXTURE), "redline", MOVED_OLD, MOVED_NEW, "--out", str(files.fixture["moved"]))


@pytest.fixture(scope="session")
def reviewed(word_files, tmp_path_factory):
    """Every redline accepted and rejected by LibreOffice itself (one run of its own, since the
    review runs a Basic macro): (redline, "accept" | "reject") → (text export, HTML export)."""
    redlines = [word_files.redline, word_files.edited["redline"], word_files.replaced["redline"],
                *word_files.fixture.values()]
    return review(redlines, tmp_path_factory.mktemp("lo-review"))


class Conversions(Mapping):
    """{docx: the file LibreOffice made of it}: every .docx, each converted when first read."""

    def __init__(self, office, sources: list[Path], fmt: str, out: Path) -> None:
        self._office, self._sources, self._fmt, self._out = office, sources, fmt, out
        self._made: dict[Path, Path] = {}

    def __getitem__(self, source: Path) -> Path:
        if source not in self._sources:
            raise KeyError(source)
        if source not in self._made:
            self._made[source] = self._office.writer(source, self._fmt, self._out)
        return self._made[source]

    def __iter__(self):
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)


@pytest.fixture(scope="session")
def libreoffice(word_files, office, tmp_path_factory):
    """``libreoffice("pdf")`` → {docx: converted file} over every .docx, each converted by the
    session's LibreOffice when a test first reads it."""
    done: dict[str, Conversions] = {}

    def converted(fmt: str) -> Conversions:
        if fmt not in done:
            done[fmt] = Conversions(office, word_files.every_docx(), fmt, tmp_path_factory.mktemp(f"lo-{fmt}"))
        return done[fmt]

    return converted
