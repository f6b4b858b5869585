"""The per-version site cache: only what an edit touches is rebuilt, and a rebuild equals a fresh build."""

from __future__ import annotations

import pytest

from helpers import copy_site_project

PUBLISHED, DRAFT = "2021-12-20", "2026-11-28"


@pytest.fixture
def root(tmp_path):
    return copy_site_project(tmp_path / "project")


def _build(root, out, **options):
    from generator.build import build
    from generator.content.project import load_project

    project = load_project(root)
    if options.pop("published_only", False):
        project = project.without_drafts()
    return build(project, out, **options)


def _files(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_only_what_an_edit_touches_is_rebuilt(root, tmp_path):
    out = tmp_path / "site"
    assert _build(root, out) == [PUBLISHED, DRAFT]
    assert _build(root, out) == []

    agreement = root / "content" / "versions" / DRAFT / "agreement.yml"
    agreement.write_text(agreement.read_text(encoding="utf-8").replace("短信轰炸", "短信攻击", 1), encoding="utf-8")
    assert _build(root, out) == [DRAFT]
    assert "短信攻击" in (out / DRAFT / "index.html").read_text(encoding="utf-8")

    # the public build's 历史版本 page leaves the draft out: the published version is built
    # once more for it, and from then on both variants come from the cache
    assert _build(root, tmp_path / "public", published_only=True) == [PUBLISHED]
    assert "2026-11-28" not in (tmp_path / "public" / PUBLISHED / "history" / "index.html").read_text(encoding="utf-8")
    assert _build(root, out) == []
    assert _build(root, tmp_path / "public", published_only=True) == []

    css = root / "templates" / "site" / "assets" / "agreements.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* edited */\n", encoding="utf-8")
    assert _build(root, out) == [PUBLISHED, DRAFT]

    # what the cache serves is what a fresh build writes
    fresh = tmp_path / "fresh"
    _build(root, fresh, use_cache=False)
    assert _files(out) == _files(fresh)
