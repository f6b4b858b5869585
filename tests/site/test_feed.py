"""Release records (generator/content/releases.py) and the Atom feed (generator/site/feed.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from generator.content.project import load_project
from generator.content.releases import RELEASES_FILE, Release, SummaryLine, load_releases, record_release
from generator.errors import AgreementsError, ValidationFailed
from generator.site.feed import write_feed
from helpers import FIXTURES, ROOT, copy_site_project

ATOM = "{http://www.w3.org/2005/Atom}"
RELAX_NG = etree.RelaxNG(etree.parse(str(FIXTURES / "atom" / "atom.rng")))


def _validate(path) -> etree._ElementTree:
    document = etree.parse(str(path))
    assert RELAX_NG.validate(document), RELAX_NG.error_log
    return document


def test_the_published_version_has_its_record():
    [release] = load_releases(ROOT).values()
    assert release.version.isoformat() == "2021-12-20" and release.effective >= release.published


def test_the_feed_validates_against_rfc_4287s_schema(tmp_path):
    write_feed(load_project(ROOT), tmp_path)
    document = _validate(tmp_path / "feed.xml")
    ids = [e.text for e in document.iter(f"{ATOM}id")]
    assert all(i.startswith("tag:") for i in ids) and len(set(ids)) == len(ids) == 2
    [entry] = document.iter(f"{ATOM}entry")
    assert "生效日期：2021年12月20日" in entry.find(f"{ATOM}summary").text
    assert entry.find(f"{ATOM}link").get("href") == "2021-12-20/"


def test_the_schema_refuses_a_feed_without_an_id():
    bad = etree.fromstring(b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
                           b"<updated>2021-12-20T00:00:00+08:00</updated></feed>")
    assert not RELAX_NG.validate(bad)


@pytest.fixture
def project(tmp_path):
    return copy_site_project(tmp_path / "project")


def _release(effective=dt.date(2027, 1, 4), clauses=("obligations.sms.bombing",)) -> Release:
    return Release(version=dt.date(2026, 11, 28), published=dt.date(2026, 12, 4), effective=effective,
                   kind="minor", summary=[SummaryLine(text="明确短信发送频率的防护要求。", clauses=list(clauses))])


def test_a_recorded_release_is_announced_with_its_clauses_and_absolute_links(project):
    config = project / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  title:", "  url: https://agreements.example.com/terms/\n  title:", 1), encoding="utf-8")
    record_release(project, _release())
    loaded = load_project(project, check_lock=False)
    write_feed(loaded, project)
    document = _validate(project / "feed.xml")
    ids = [e.text for e in document.iter(f"{ATOM}id")]
    assert "tag:agreements.example.com,2026-12-04:agreements/2026-11-28" not in ids  # still a draft
    assert document.find(f"{ATOM}link[@rel='self']").get("href") == "https://agreements.example.com/terms/feed.xml"


def test_a_record_changed_after_publishing_is_refused(project):
    record_release(project, _release())
    path = project / RELEASES_FILE
    path.write_text(path.read_text(encoding="utf-8").replace("2027-01-04", "2027-01-05"), encoding="utf-8")
    with pytest.raises(ValidationFailed, match="differs from the one `agreements publish` locked"):
        load_releases(project)


def test_a_version_is_recorded_once(project):
    with pytest.raises(AgreementsError, match="already has its release record"):
        record_release(project, Release(version=dt.date(2021, 12, 20), published=dt.date(2021, 12, 20),
                                        effective=dt.date(2021, 12, 20), kind="major",
                                        summary=[SummaryLine(text="再来一次。")]))
