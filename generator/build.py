"""`agreements build`: the pipeline from the legal team's YAML to the customers' site.

load the project (content) → for each version: its pages (site) and its generic
PDF (contracts) → MkDocs → DIR/<version>/ → versions.json, `latest`, root index.

This module is the one place where the site and the contracts meet: the site
offers the contracts job's files for download without importing it.
"""

from __future__ import annotations

from pathlib import Path

from generator.content.model import Version
from generator.content.project import Project
from generator.contracts.contract import render_pdf
from generator.contracts.word.redline import redline_docx, redline_name
from generator.site import pages
from generator.site.build import build_site
from generator.site.pages import Download


def version_downloads(project: Project, version: Version) -> list[Download]:
    """What a reader downloads from a version's pages, in the order the pages list them: its
    generic PDF and, when there is an earlier version, the redline from it as .docx with
    tracked changes. Each file is rendered only when its version is built."""
    config, previous = project.config, project.previous(version)
    files = [Download(pages.pdf_name(version), "PDF", lambda: render_pdf(project.root, config, version))]
    if previous is not None:
        files.append(Download(redline_name(previous.date, version.date), "修订对照（Word）",
                              lambda: redline_docx(config, previous, version),
                              note=f"本版本的全文，与 {previous.date} 版本的每处差异都是修订，"
                                   "可在 Word 或 WPS 中逐处接受或拒绝"))
    return files


def build(project: Project, out: Path, *, use_cache: bool = True) -> list[str]:
    """Build every version of ``project`` into ``out``; returns the versions rebuilt."""
    return build_site(project, out, version_downloads, use_cache=use_cache)
