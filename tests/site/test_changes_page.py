"""The 变更记录 page of the seven-edit fixture: exactly the real changes, bold changes visibly
marked 加粗, renumbering in one line. The page is written by the site's own page writer and
turned into HTML by Python-Markdown with the site's extensions, as MkDocs does with a page's
body (a whole MkDocs build of a second project would cost a test run many seconds)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import markdown
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "content"))
from redline_fixture import EDITS, FIXTURE, INSERTED, MADE_BOLD, NEW  # noqa: E402


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> str:
    import shutil

    from generator.content.project import load_project
    from generator.site.pages import write_pages
    from helpers import ROOT

    root = tmp_path_factory.mktemp("project")
    shutil.copytree(FIXTURE, root, dirs_exist_ok=True)
    shutil.copytree(ROOT / "templates", root / "templates")
    project = load_project(root, check_lock=False)
    docs = root / "docs"
    write_pages(project, project.version(NEW), docs, lambda project, version: ())
    source = (docs / "changes.md").read_text(encoding="utf-8")
    body = source.split("\n---\n", 1)[1]  # the front matter is MkDocs' meta data, not the page
    return markdown.markdown(body, extensions=["attr_list", "md_in_html", "toc"])


def _items(page: str) -> list[str]:
    listing = re.search(r'<ul class="changed-clauses">(.*?)</ul>', page, re.S).group(1)
    return re.findall(r"<li\b[^>]*>(.*?)</li>", listing, re.S)


def test_the_list_has_the_edits_the_insertion_the_bold_change_and_one_renumbering_line(page):
    items = _items(page)
    assert len(items) == len(EDITS) + 3
    assert sum(item.endswith("— 修改") for item in items) == len(EDITS)
    assert sum(item.endswith("— 新增") for item in items) == 1
    assert sum(item.endswith("— 加粗") for item in items) == 1
    assert [item for item in items if "编号变动" in item] == ["编号变动：「服务范围」第1条起顺延"]
    assert not any("移动" in item for item in items)


def test_the_redline_marks_the_words_and_the_bold(page):
    blocks = re.findall(r'<div class="redline" id="change-([^"]+)">(.*?)</div>', page, re.S)
    ids = [ident for ident, _ in blocks]
    assert sorted(ids) == sorted([*EDITS, INSERTED[0], MADE_BOLD[0]])
    body = dict(blocks)
    assert f'<mark class="bold-change"><strong>{MADE_BOLD[1]}</strong></mark>' in body[MADE_BOLD[0]]
    assert "（加粗）" in body[MADE_BOLD[0]]
    for ident, (deleted, inserted) in EDITS.items():
        if deleted:
            assert f"<del>{deleted}</del>" in body[ident], ident
        if inserted:
            assert f"<ins>{inserted}</ins>" in body[ident], ident
    # no clause number is shown as changed: the renumbered clauses have no redline of their own
    assert "scope.supplement" not in ids and "<del>1.</del>" not in page
