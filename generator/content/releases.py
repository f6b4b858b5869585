"""content/releases.yml: when each version was published, when it takes effect, and what changed.

`agreements publish` appends a version's record and locks it (content/releases.lock.json
holds each record's SHA-256), so a record, like the version's files, never changes
afterwards. A version takes effect at 00:00 北京时间 on its effective date. The site
shows these dates (never a status computed at build time) and announces each release
in its Atom feed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from generator.content.loader import load_yaml, position_of
from generator.content.resolve import SourceFile, validate
from generator.errors import AgreementsError, ErrorCollector

RELEASES_FILE = Path("content") / "releases.yml"
RELEASES_LOCK = Path("content") / "releases.lock.json"
HEADER = ("# yaml-language-server: $schema=../schemas/releases.schema.json\n"
          "# 每个已发布版本的发布记录：由 `agreements publish` 写入并锁定，请勿手工修改。\n")


class SummaryLine(BaseModel):
    """One change in plain Chinese, and the clauses (ids) it concerns."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description="e.g. 明确短信发送频率的安全防护要求。")
    clauses: list[str] = Field(default_factory=list, description="Clause ids, e.g. obligations.sms.bombing.")


class Release(BaseModel):
    """The publication of one version."""

    model_config = ConfigDict(extra="forbid")

    version: dt.date
    published: dt.date = Field(description="The day `agreements publish` ran.")
    effective: dt.date = Field(description="生效日期: in force from 00:00 北京时间 that day.")
    kind: Literal["major", "minor"] = Field(description="major: the terms change; minor: wording only.")
    summary: list[SummaryLine] = Field(min_length=1, description="变更摘要, one line per change.")

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.model_dump(mode="json"), sort_keys=True,
                                         ensure_ascii=False).encode()).hexdigest()


class ReleaseFile(BaseModel):
    """content/releases.yml."""

    model_config = ConfigDict(extra="forbid", title="Release records (content/releases.yml)")

    releases: list[Release] = Field(default_factory=list)


def load_releases(root: Path) -> dict[str, Release]:
    """Every record by version date, each checked against its lock."""
    path = root / RELEASES_FILE
    if not path.is_file():
        return {}
    data = load_yaml(path, project_root=root)
    errors = ErrorCollector()
    parsed = validate(SourceFile(path, data), ReleaseFile, errors)
    errors.raise_if_any(f"{RELEASES_FILE} is invalid")
    lock = _read_lock(root)
    found: dict[str, Release] = {}
    for n, release in enumerate(parsed.releases):
        date = release.version.isoformat()
        line = (position_of(data, ("releases", n)) or (None,))[0]
        if date in found:
            errors.add(AgreementsError(f"version {date} has two records", file=path, line=line, key="version"))
        if release.effective < release.published:
            errors.add(AgreementsError(f"effective date {release.effective} is before the publication "
                                       f"{release.published}", file=path, line=line, key="effective"))
        if lock.get(date) != release.digest():
            errors.add(AgreementsError(f"the record of {date} differs from the one `agreements publish` "
                                       f"locked in {RELEASES_LOCK}; published records never change",
                                       file=path, line=line, key="version"))
        found[date] = release
    errors.raise_if_any(f"{RELEASES_FILE} is invalid")
    return found


def check_releases(project) -> dict[str, Release]:
    """The records, each of a published version of ``project`` (for `agreements check`)."""
    releases = load_releases(project.root)
    published = {v.date for v in project.versions if not v.is_draft}
    stray = sorted(set(releases) - published)
    if stray:
        raise AgreementsError(f"release record(s) of {', '.join(stray)}, which are not published versions; "
                              "records are written by `agreements publish`", file=project.root / RELEASES_FILE)
    return releases


def record_release(root: Path, release: Release) -> None:
    """Append ``release`` to content/releases.yml and lock it (used by `agreements publish`)."""
    releases = load_releases(root)
    date = release.version.isoformat()
    if date in releases:
        raise AgreementsError(f"version {date} already has its release record", file=root / RELEASES_FILE)
    path = root / RELEASES_FILE
    text = path.read_text(encoding="utf-8") if path.is_file() else HEADER + "releases:\n"
    path.write_text(text.rstrip("\n") + "\n" + release_yaml(release), encoding="utf-8")
    lock = _read_lock(root)
    lock[date] = release.digest()
    (root / RELEASES_LOCK).write_text(json.dumps(lock, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def release_yaml(release: Release) -> str:
    lines = [f"  - version: {release.version}", f"    published: {release.published}",
             f"    effective: {release.effective}", f"    kind: {release.kind}", "    summary:"]
    for item in release.summary:
        lines.append(f"      - text: {json.dumps(item.text, ensure_ascii=False)}")
        if item.clauses:
            lines.append(f"        clauses: [{', '.join(json.dumps(c, ensure_ascii=False) for c in item.clauses)}]")
    return "\n".join(lines) + "\n"


def _read_lock(root: Path) -> dict[str, str]:
    path = root / RELEASES_LOCK
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def beijing_today() -> dt.date:
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


def plan_release(project, date: str, *, today: dt.date, effective: dt.date | None = None,
                 kind: str = "major", summary: tuple[str, ...] = ()) -> Release:
    """The record `agreements publish DATE` will write, checked before anything is published.

    ``effective`` defaults to the earliest day allowed (``today`` + site_config's
    notice_days); ``summary`` lines are ``text`` or ``text@clause.id,clause.id``; without
    any, one line per change against the previous version names the clause and the change.
    """
    from generator.content.diff import compare

    notice = project.config.notice_days
    earliest = today + dt.timedelta(days=notice)
    version_day = dt.date.fromisoformat(date)
    effective = effective or max(earliest, version_day)
    if effective < earliest:
        raise AgreementsError(f"effective date {effective} is less than {notice} days after today ({today}); "
                              f"customers need notice: choose {earliest} or later (notice_days in site_config.yml)",
                              key="--effective")
    version = project.version(date)
    known = {clause.id for clause in version.all_clauses()}
    lines = []
    for line in summary:
        text, _, ids = line.partition("@")
        clauses = [c.strip() for c in ids.split(",") if c.strip()]
        unknown = [c for c in clauses if c not in known]
        if unknown or not text.strip():
            raise AgreementsError(f"summary line {line!r}: " + (f"no clause {unknown[0]!r} in version {date}"
                                  if unknown else "the text is empty"), key="--summary")
        lines.append(SummaryLine(text=text.strip(), clauses=clauses))
    previous = project.previous(version)
    if not lines:
        changes = compare(previous, version) if previous else []
        lines = [SummaryLine(text=default_line(c), clauses=[c.id] if c.id in known else []) for c in changes] or [SummaryLine(text="本协议的首个版本。" if previous is None else "文本没有变化。")]
    return Release(version=dt.date.fromisoformat(date), published=today, effective=effective,
                   kind=kind, summary=lines)


_KIND_WORDS = {"added": "新增", "removed": "删除", "moved": "移动（编号变化）", "reworded": "修改",
               "bold": "加粗变化", "renumbered": "编号变动"}


def default_line(change) -> str:
    """A 变更摘要 line for one change when the legal team wrote none: the diff's own summary
    of it when it has one, else where and what kind (「用户的权利与义务」第4.2.5条：修改。)."""
    summary = getattr(change, "summary", None)
    return summary or f"{change.place}：{_KIND_WORDS.get(change.kind, change.kind)}。"
