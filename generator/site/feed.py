"""feed.xml: an Atom feed (RFC 4287) announcing each published version.

One entry per release record (content/releases.yml): its publication and effective
dates, major or minor, and its 变更摘要 with the clauses each line concerns, cited
as generator/content/citation.py cites them. Always written; ids are tag: URIs
(RFC 4151) under the site's host; links are absolute when site.url is set.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from generator.content.citation import chinese_date, citations, version_citation
from generator.content.project import Project
from generator.content.releases import Release, load_releases

ATOM = "http://www.w3.org/2005/Atom"
FEED_FILE = "feed.xml"
#: The tag authority without site.url: a name nobody else mints under (RFC 2606's .invalid).
NO_HOST = "agreements.invalid"
KINDS = {"major": "重大变更", "minor": "文字修订"}


def write_feed(project: Project, out: Path) -> None:
    site_url = project.config.site.url
    base = site_url.rstrip("/") + "/" if site_url else ""
    releases = load_releases(project.root)
    published = [v for v in reversed(project.versions) if not v.is_draft and v.date in releases]
    host = (urlsplit(site_url).hostname if site_url else None) or NO_HOST
    first = min((r.published for r in releases.values()), default=None)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "zh-CN"})
    _text(feed, "id", f"tag:{host},{first or '2000-01-01'}:agreements")
    _text(feed, "title", f"{project.config.site.title}：版本更新")
    _text(feed, "updated", _stamp(max((r.published for r in releases.values()), default=None)))
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", project.config.provider.name)
    _link(feed, "self", base + FEED_FILE, "application/atom+xml")
    _link(feed, "alternate", base + "latest/", "text/html")
    for version in published:
        _entry(feed, project, version, releases[version.date], base, host)
    ET.indent(feed)
    out.joinpath(FEED_FILE).write_bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n")


def _entry(feed: ET.Element, project: Project, version, release: Release, base: str, host: str) -> None:
    entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
    _text(entry, "id", f"tag:{host},{release.published}:agreements/{version.date}")
    _text(entry, "title", f"{version_citation(version)}，{KINDS[release.kind]}")
    _text(entry, "published", _stamp(release.published))
    _text(entry, "updated", _stamp(release.published))
    _link(entry, "alternate", f"{base}{version.date}/", "text/html")
    _text(entry, "summary", summary_text(project, version, release))


def summary_text(project: Project, version, release: Release) -> str:
    """生效日期, then one line per change with the clauses it concerns."""
    cited = citations(version)
    lines = [f"生效日期：{chinese_date(release.effective.isoformat())}（北京时间零时起）。变更摘要："]
    for n, item in enumerate(release.summary, start=1):
        where = "、".join(cited[c].text for c in item.clauses if c in cited)
        lines.append(f"{n}. {item.text}" + (f"（{where}）" if where else ""))
    return "\n".join(lines)


def _stamp(day) -> str:
    """Midnight 北京时间 of ``day`` (a publication is dated, not timed)."""
    return f"{day or '2000-01-01'}T00:00:00+08:00"


def _text(parent: ET.Element, name: str, text: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}{name}").text = text


def _link(parent: ET.Element, rel: str, href: str, kind: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}link", {"rel": rel, "href": href, "type": kind})
