"""Every clause has one citation that no other clause of its version shares."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.content.citation import chinese_date, cite, citations, version_citation
from generator.content.project import load_project

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def project():
    return load_project(ROOT)


def test_citations_are_unique_in_every_version(project):
    for version in project.versions:
        texts = [c.text for c in citations(version).values()]
        assert len(texts) == len(set(texts)) == len(list(version.all_clauses()))


def test_the_seed_numbers_that_collide_are_told_apart(project):
    version = project.version("2021-12-20")
    assert cite(version, "obligations.sms.bombing") == "「用户的权利与义务」第4.2.5条"
    ones = [c.text for c in citations(version).values() if c.number == "1" and not c.is_appendix]
    assert len(ones) == len(version.agreement.sections)  # every section restarts at 1
    assert cite(version, "prohibited.other") == "附录二第22条"


def test_version_citation_reads_the_date_in_chinese(project):
    version = project.version("2021-12-20")
    assert version_citation(version) == "《数据技术服务使用协议》（2021年12月20日版）"
    assert chinese_date("2027-01-03") == "2027年1月3日"
