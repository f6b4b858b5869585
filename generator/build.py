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


def version_downloads(project: Project, version: Version) -> dict[str, bytes]:
    """What a reader downloads from a version's pages: its generic PDF and, when there is an
    earlier version, the redline from it as .docx with tracked changes (linked on 变更记录)."""
    files = {pages.pdf_name(version): render_pdf(project.root, project.config, version)}
    previous = project.previous(version)
    if previous is not None:
        files[redline_name(previous.date, version.date)] = redline_docx(project.config, previous, version)
    return files


def build(project: Project, out: Path, *, use_cache: bool = True) -> list[str]:
    """Build every version of ``project`` into ``out``; returns the versions rebuilt."""
    return build_site(project, out, version_downloads, use_cache=use_cache)
