"""A draft's PDF says 草案 on every page (a running header), not only on its cover;
a published version's PDF never does. Read back with poppler's pdftotext."""

from __future__ import annotations

from contract_helpers import EXAMPLE, ROOT, VERSION, pdftotext_pages

from generator.content.citation import chinese_date

from helpers import copy_site_project, run_cli

DRAFT = "2026-11-28"


def test_every_page_of_a_draft_pdf_says_draft(tmp_path, capsys):
    code, _, err = run_cli(["--root", str(ROOT), "pdf", DRAFT, "--out", str(tmp_path)], capsys)
    assert code == 0, err
    pages = pdftotext_pages(tmp_path / f"{DRAFT}.pdf")
    assert len(pages) > 3
    assert [n for n, text in enumerate(pages, 1) if f"草案 · 尚未生效 · {chinese_date(DRAFT)}版" not in text] == []


def test_a_published_pdf_never_says_draft(tmp_path, capsys):
    code, _, err = run_cli(["--root", str(ROOT), "pdf", VERSION, "--out", str(tmp_path)], capsys)
    assert code == 0, err
    assert not any("草案" in text for text in pdftotext_pages(tmp_path / f"{VERSION}.pdf"))


def test_every_page_of_a_draft_contract_says_draft(tmp_path, capsys):
    """The contract's fast path lays out its shared and its own pages apart: both carry it."""
    root = copy_site_project(tmp_path / "project")
    customer = tmp_path / "customer.yml"
    text = EXAMPLE.read_text(encoding="utf-8")
    customer.write_text(text.replace(f"version: {VERSION}", f"version: {DRAFT}"), encoding="utf-8")
    assert f"version: {DRAFT}" in customer.read_text(encoding="utf-8")
    code, _, err = run_cli(["--root", str(root), "contract", str(customer), "--allow-draft",
                            "--out", str(tmp_path / "out")], capsys)
    assert code == 0, err
    [pdf] = (tmp_path / "out").glob("*.pdf")
    pages = pdftotext_pages(pdf)
    assert [n for n, t in enumerate(pages, 1) if "草案" not in t] == []
