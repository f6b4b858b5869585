"""The versions a customer can accept, as the service and the receipts name them.

A version is named by its *version hash*: the SHA-256 of its entry in
content/published.lock.json (file name → SHA-256) as RFC 8785 canonical JSON, so the hash
binds every file of the published text. The *text hash* is the SHA-256 of the text as
presented (`agreements text`, UTF-8). The bold passages are how this agreement gives 提示
(《民法典》第496条): each is listed with the citation a reader uses for its clause.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from generator.acceptance.canonical import canonical, sha256_hex
from generator.content.citation import chinese_date, citations, version_citation
from generator.content.model import Version
from generator.content.project import Project
from generator.content.text import paragraphs, runs_text, version_text
from generator.content.versions import file_digests, read_lock

BEIJING = ZoneInfo("Asia/Shanghai")


def beijing(iso: str) -> str:
    """``2026-12-04T04:05:06Z`` → ``2026年12月4日 12:05:06（北京时间）``."""
    moment = dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(BEIJING)
    return f"{chinese_date(moment.date().isoformat())} {moment:%H:%M:%S}（北京时间）"


def lock_entry_hash(entry: dict[str, str]) -> str:
    return sha256_hex(canonical(entry))


def text_hash(version: Version) -> str:
    return sha256_hex(version_text(version).encode("utf-8"))


@dataclass(frozen=True)
class Passage:
    clause_id: str | None
    citation: str
    text: str


def bold_passages(version: Version) -> list[Passage]:
    """Every run of bold text in reading order, with where it stands."""
    cited = citations(version)
    found = []
    for paragraph in paragraphs(version):
        owner = paragraph.key.split("#")[0]
        where = cited[owner].text if owner in cited else ("特别提醒" if owner == "@notice" else "")
        bold: list = []
        for run in (*paragraph.runs, None):
            if run is not None and run.bold:
                bold.append(run)
            elif bold:
                text = runs_text(tuple(bold), version).strip()
                if text:
                    found.append(Passage(owner if owner in cited else None, where, text))
                bold = []
    return found


@dataclass(frozen=True)
class Entry:
    version: Version
    version_hash: str
    text_sha256: str
    published: bool

    @property
    def effective(self) -> str:
        return self.version.effective or self.version.date

    def in_force(self, today: dt.date) -> bool:
        return self.published and dt.date.fromisoformat(self.effective) <= today


class Catalog:
    """Every version of the project by hash; drafts too, so that a draft is named as one."""

    def __init__(self, project: Project) -> None:
        self.project = project
        lock = read_lock(project.root)
        self.entries: dict[str, Entry] = {}
        for version in project.versions:
            published = not version.is_draft and version.date in lock
            digests = lock[version.date] if published else file_digests(version.folder)
            entry = Entry(version, lock_entry_hash(digests), text_hash(version), published)
            self.entries[entry.version_hash] = entry
        self.minor = set(project.config.acceptance.minor_versions)
        self._described: dict[str, dict] = {}

    def by_date(self, date: str) -> Entry | None:
        return next((e for e in self.entries.values() if e.version.date == date), None)

    def current(self, today: dt.date | None = None) -> Entry | None:
        today = today or dt.datetime.now(BEIJING).date()
        in_force = [e for e in self.entries.values() if e.in_force(today)]
        return max(in_force, key=lambda e: e.effective) if in_force else None

    def refusal(self, version_hash: str, today: dt.date | None = None) -> str | None:
        """Why ``version_hash`` cannot be accepted today, in Chinese; None when it can."""
        entry = self.entries.get(version_hash)
        if entry is None:
            return "该版本哈希不对应任何已发布的协议版本，请刷新页面后重新阅读并同意。"
        if not entry.published:
            return f"{version_citation(entry.version)}是草稿，尚未发布，不能同意。"
        today = today or dt.datetime.now(BEIJING).date()
        if not entry.in_force(today):
            return (f"{version_citation(entry.version)}自{chinese_date(entry.effective)}起生效，"
                    "生效前不能同意。")
        if entry is not self.current(today):
            return f"{version_citation(entry.version)}已被新版本取代，请阅读并同意现行版本。"
        return None

    def needs_reacceptance(self, accepted_date: str, today: dt.date | None = None) -> tuple[bool, str | None]:
        """(a major version came after ``accepted_date`` and is in force, since when)."""
        today = today or dt.datetime.now(BEIJING).date()
        later = sorted((e for e in self.entries.values()
                        if e.in_force(today) and e.version.date > accepted_date), key=lambda e: e.effective)
        major = [e for e in later if e.version.date not in self.minor]
        return (True, major[0].effective) if major else (False, later[0].effective if later else None)

    def passage_ids(self, entry: Entry) -> set[str]:
        """What a presentation may report as displayed: the passages' clause ids, @notice for 特别提醒."""
        return {p["clause_id"] or "@notice" for p in self.describe(entry)["bold_passages"]}

    def describe(self, entry: Entry) -> dict:
        """The body of GET /v1/versions/current (made once per version)."""
        if entry.version_hash not in self._described:
            self._described[entry.version_hash] = self._describe(entry)
        return self._described[entry.version_hash]

    def _describe(self, entry: Entry) -> dict:
        version = entry.version
        return {"version": version.date, "title": version_citation(version),
                "effective": entry.effective, "version_hash": entry.version_hash,
                "text_sha256": entry.text_sha256,
                "major": version.date not in self.minor,
                "bold_passages": [{"clause_id": p.clause_id, "citation": p.citation, "text": p.text}
                                  for p in bold_passages(version)]}
