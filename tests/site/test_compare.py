"""版本比较 (generator/site/compare.py): every pair of published versions pre-rendered."""

from __future__ import annotations


import pytest

from generator.content.diff import compare
from generator.content.project import load_project
from generator.site import pages
from helpers import copy_site_project

OLD, NEW = "2021-12-20", "2026-11-28"


@pytest.fixture(scope="module")
def two_published(tmp_path_factory):
    """The project with its draft published too: two published versions, one pair."""

    root = copy_site_project(tmp_path_factory.mktemp("compare") / "project")
    from generator.content import lifecycle

    lifecycle.publish(root, NEW)
    return load_project(root)


def test_every_pair_is_rendered_with_the_changes_pages_diff(two_published, tmp_path):
    project = two_published
    docs = tmp_path / "docs"
    pages.write_pages(project, project.version(NEW), docs, lambda p, v: ())
    pair = (docs / "compare" / f"{OLD}.md").read_text(encoding="utf-8")
    changes = compare(project.version(OLD), project.version(NEW))
    assert changes and f"共有 {len(changes)} 处变更" in pair
    assert all(change.place in pair for change in changes)
    index = (docs / "compare.md").read_text(encoding="utf-8")
    assert f'href="../../{NEW}/compare/{OLD}/"' in index
    older = tmp_path / "older"
    pages.write_pages(project, project.version(OLD), older, lambda p, v: ())
    assert not (older / "compare").exists()  # a pair lives with its newer version only
    assert f'href="../../{NEW}/compare/{OLD}/"' in (older / "compare.md").read_text(encoding="utf-8")


def test_with_one_published_version_the_page_says_there_is_nothing_to_compare(tmp_path):
    project = load_project(copy_site_project(tmp_path / "project"))
    pages.write_pages(project, project.version(OLD), tmp_path / "docs", lambda p, v: ())
    assert "还没有可以比较的两个版本" in (tmp_path / "docs" / "compare.md").read_text(encoding="utf-8")
