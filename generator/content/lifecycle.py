"""Starting and publishing versions (`agreements new-version`, `agreements publish`).

Both edit version.yml as text, line by line, so the legal team's comments and
layout survive; both leave the project valid or change nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

from generator.content.project import load_project
from generator.content.versions import (
    VERSIONS_DIR,
    file_digests,
    read_lock,
    write_lock,
)
from generator.errors import AgreementsError
from generator.i18n import _
from generator.files import write_text_atomically


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise AgreementsError(_("`{text}` is not a date; write it as YYYY-MM-DD").format(text=text),
                              key="DATE") from None


def _set_line(path: Path, key: str, value: str) -> None:
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{key}:.*$", re.M)
    if not pattern.search(text):
        raise AgreementsError(_("no `{key}:` line to update; add it").format(key=key), file=path, key=key)
    write_text_atomically(path, pattern.sub(f"{key}: {value}", text, count=1))


def _drop_line(path: Path, key: str) -> None:
    text = path.read_text(encoding="utf-8")
    write_text_atomically(path, re.sub(rf"^{key}:.*\n?", "", text, flags=re.M))


def updated_line(date: dt.date) -> str:
    return f"本协议更新日期：{date.year} 年 {date.month} 月 {date.day} 日"


def new_version(root: Path, date_text: str) -> Path:
    """Copy the newest version into a new draft dated ``date_text``."""
    date = _parse_date(date_text)
    project = load_project(root)
    newest = project.newest
    if date <= dt.date.fromisoformat(newest.date):
        raise AgreementsError(_("a new version must be dated after the newest one ({date}); "
                                "choose a later date").format(date=newest.date), key="DATE")
    target = root / VERSIONS_DIR / date.isoformat()
    staging = target.with_name(f".{target.name}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        shutil.copytree(newest.folder, staging)
        version_file = staging / "version.yml"
        _set_line(version_file, "date", date.isoformat())
        _set_line(version_file, "status", "draft")
        _set_line(version_file, "updated", updated_line(date))
        _drop_line(version_file, "effective")  # the new version's 生效日期 is decided anew
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # a full disk leaves no half-copied draft
        raise
    return target


def publish(root: Path, date_text: str) -> Path:
    """Mark a valid draft published and lock the SHA-256 of each of its files."""
    date = _parse_date(date_text).isoformat()
    project = load_project(root)
    version = project.version(date)
    if not version.is_draft:
        raise AgreementsError(_("version {date} is already published; published versions never "
                                "change, start a new one with `agreements new-version DATE`").format(
                                  date=date),
                              file=version.folder / "version.yml", key="status")
    _set_line(version.folder / "version.yml", "status", "published")
    lock = read_lock(root)
    lock[date] = file_digests(version.folder)
    try:
        write_lock(root, lock)
        load_project(root)  # the published version must check clean, lock included
    except BaseException:
        _set_line(version.folder / "version.yml", "status", "draft")
        lock.pop(date, None)
        write_lock(root, lock)
        raise
    return root / VERSIONS_DIR / date


