"""The versions of the agreement: where they are, their digests, and the lock.

A published version is a legal record. ``agreements publish`` records the
SHA-256 of each of its files in ``content/published.lock.json``; from then on
``agreements check`` fails when a file no longer matches, so a published text
can never change silently. Corrections go into a new version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

from generator.content.loader import read_project_file
from generator.content.schema import FILE_KINDS
from generator.errors import AgreementsError
from generator.i18n import _
from generator.files import write_text_atomically

VERSIONS_DIR = Path("content") / "versions"
LOCK_FILE = Path("content") / "published.lock.json"
_DATE_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def version_folders(root: Path) -> list[Path]:
    """Every version folder, oldest first (names are ISO dates, so they sort)."""
    base = root / VERSIONS_DIR
    if not base.is_dir():
        raise AgreementsError(_("no {folder} folder; run the command in the project "
                                "folder or pass --root DIR").format(folder=VERSIONS_DIR), file=base)
    folders = sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))
    for folder in folders:
        if not _DATE_FOLDER.match(folder.name) or not _is_date(folder.name):
            raise AgreementsError(_("a version folder must be named by its date, YYYY-MM-DD; "
                                    "rename it"), file=folder)
    return folders


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def project_root_of(folder: Path) -> Path:
    """The project a version folder belongs to (folders are ROOT/content/versions/DATE)."""
    return folder.parent.parent.parent


def file_digests(folder: Path) -> dict[str, str]:
    """SHA-256 of each source file of a version, by file name (read as safely as the YAML is)."""
    root = project_root_of(folder)
    return {name: hashlib.sha256(read_project_file(folder / name, root)).hexdigest()
            for name in FILE_KINDS if (folder / name).is_file()}


def source_digest(folder: Path) -> str:
    """One SHA-256 over all of a version's files: the version's provenance."""
    digest = hashlib.sha256()
    for name, file_hash in sorted(file_digests(folder).items()):
        digest.update(f"{name}\0{file_hash}\n".encode())
    return digest.hexdigest()


def read_lock(root: Path) -> dict[str, dict[str, str]]:
    path = root / LOCK_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise AgreementsError(_("the lock file is not valid JSON ({reason}); restore it from "
                                "version control").format(reason=_("column {column}").format(column=exc.colno)), file=path, line=exc.lineno,
                              col=exc.colno) from None
    well_formed = isinstance(data, dict) and all(
        isinstance(files, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in files.items())
        for files in data.values())
    if not well_formed:
        raise AgreementsError(_("the lock file must map each version to {{file name: SHA-256}}; "
                                "restore it from version control").format(), file=path)
    return data


def write_lock(root: Path, lock: dict[str, dict[str, str]]) -> None:
    path = root / LOCK_FILE
    text = json.dumps(dict(sorted(lock.items())), ensure_ascii=False, indent=2, sort_keys=True)
    write_text_atomically(path, text + "\n")


def lock_problems(root: Path, statuses: dict[str, str]) -> list[AgreementsError]:
    """Every way the published versions differ from what the lock recorded."""
    lock = read_lock(root)
    lock_path = root / LOCK_FILE
    problems = []
    for version, status in statuses.items():
        folder = root / VERSIONS_DIR / version
        recorded = lock.get(version)
        if status == "published" and recorded is None:
            problems.append(AgreementsError(
                _("version is marked published but is not in the lock; publish it with "
                  "`agreements publish {version}` instead of editing status by hand").format(
                    version=version),
                file=folder / "version.yml", key="status"))
            continue
        if recorded is None:
            continue
        if status != "published":
            problems.append(AgreementsError(
                _("version is locked as published but its status is no longer `published`; "
                  "restore the file from version control"), file=folder / "version.yml", key="status"))
        try:
            actual = file_digests(folder)
        except AgreementsError:
            continue  # a file that cannot be read safely is reported by the version's own check
        for name, digest in sorted(recorded.items()):
            if actual.get(name) != digest:
                problems.append(AgreementsError(
                    _("published version {version} was changed after publication "
                      "(SHA-256 differs from {lock}); restore the file with "
                      "`git checkout -- {file}` and put the change "
                      "in a new version (`agreements new-version DATE`)").format(
                        version=version, lock=LOCK_FILE, file=VERSIONS_DIR / version / name),
                    file=folder / name))
    for version in sorted(set(lock) - set(statuses)):
        problems.append(AgreementsError(
            _("the lock names version {version} but its folder is gone; a published version "
              "must not be deleted, restore it from version control").format(version=version), file=lock_path, key=version))
    return problems
