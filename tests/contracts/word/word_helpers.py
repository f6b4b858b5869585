"""Shared by the Word tests: the versions, the CLI, and drafts that change the text in many ways."""

from __future__ import annotations

from pathlib import Path

import yaml

from helpers import ROOT, copy_project

OLD, NEW = "2021-12-20", "2026-11-28"
EXAMPLES = sorted((ROOT / "customers" / "examples").glob("*.yml"))


def cli(*args: str) -> None:
    from generator.cli import main

    assert main([*args]) == 0, args


def _edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def edited_project(dest: Path) -> Path:
    """The real project with a draft that changes the text in every way a redline must show."""
    root = copy_project(ROOT, dest)
    draft = root / "content" / "versions" / NEW

    def agreement(data):
        data["notice"] += "\n\n第二段提醒：**请保存本协议的副本。**"
        sections = {s["id"]: s for s in data["sections"]}
        duties = sections["obligations"]["clauses"]
        duties.insert(0, duties.pop(6))  # reordered: shown as a deletion plus an insertion
        duties.append({"id": "obligations.new-duty",
                       "text": "新增的**义务**，详见第 {ref:obligations.personal-info} 款。"})
        sections["liability"]["clauses"].pop()  # a clause removed
        first = sections["scope"]["clauses"][0]
        first["text"] = "**" + first["text"][:9] + "**" + first["text"][9:]  # only the bold changes
        sections["payment"]["clauses"][1]["title"] = "资金来源"  # a paragraph becomes a heading
        sections["final"]["title"] = "附则与其他"
        data["sections"].remove(sections["provider"])  # a whole section removed

    def prohibited(data):
        data["items"].pop()  # the last paragraph of the document changes: no mark to track it
        data["items"].append({"id": "prohibited.new-last", "text": "新的**最后**一项；"})

    _edit_yaml(draft / "agreement.yml", agreement)
    _edit_yaml(draft / "prohibited.yml", prohibited)
    return root


def replaced_list_project(dest: Path) -> Path:
    """A draft whose 附录二 items are all new: the document ends in a run of changes
    that follows a heading, so the shifted paragraph marks carry different styles."""
    root = copy_project(ROOT, dest)

    def prohibited(data):
        data["items"] = [{"id": f"prohibited.rewritten-{n}", "text": f"重写后的第 {n} 项；"}
                         for n in range(1, 4)]

    _edit_yaml(root / "content" / "versions" / NEW / "prohibited.yml", prohibited)
    return root


def agreements_text(root: Path, version: str) -> list[str]:
    """The paragraphs `agreements text VERSION` prints."""
    from generator.content.project import load_project
    from generator.content.text import version_text

    return version_text(load_project(root, check_lock=False).version(version)).rstrip("\n").split("\n\n")
