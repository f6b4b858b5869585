"""The same inputs give the same bytes: in process, and through the CLI into two folders."""

from __future__ import annotations

from contract_helpers import EXAMPLE, EXAMPLE_PDF_NAME


def test_render_pdf_twice_is_byte_identical(project, example_customer):
    from generator.contracts.contract import render_pdf

    first = render_pdf(project.root, project.config, example_customer.version, example_customer)
    second = render_pdf(project.root, project.config, example_customer.version, example_customer)
    assert first == second


def test_cli_twice_into_two_folders_is_byte_identical(cli, example_pdf, tmp_path):
    out = tmp_path / "again"
    assert cli("contract", str(EXAMPLE), "--out", str(out)) == 0
    assert (out / EXAMPLE_PDF_NAME).read_bytes() == example_pdf
    assert sorted(p.name for p in out.iterdir()) == [EXAMPLE_PDF_NAME]
