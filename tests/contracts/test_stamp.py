"""乙方's visible signature: Chinese, in Beijing time, in an embedded CJK subset, with the seal
from site_config.yml drawn only inside the signature appearance; the seal is in the provenance."""

from __future__ import annotations

import datetime as dt
import io
import shutil

import pikepdf
import pytest
from contract_helpers import EXAMPLE, pdftotext_pages
from helpers import FIXTURES, copy_site_project

from generator.contracts import contract, signing
from generator.contracts.stamp import beijing_time
from generator.content.project import load_project
from generator.contracts.export import load_customers
from generator.contracts.pdfa_check import check_pdfa

SEAL = FIXTURES / "pdf" / "seal.png"


def test_beijing_time_reads_as_in_china():
    moment = dt.datetime(2026, 12, 4, 10, 30, tzinfo=dt.timezone.utc)
    assert beijing_time(moment) == "2026年12月4日 18:30"
    assert beijing_time(dt.datetime(2026, 12, 31, 16, 5, tzinfo=dt.timezone.utc)) == "2027年1月1日 00:05"


@pytest.fixture(scope="module")
def sealed(tmp_path_factory, pki):
    """A project whose site_config.yml names a seal: (project, unsigned PDF, 乙方-signed PDF)."""
    root = copy_site_project(tmp_path_factory.mktemp("sealed"))
    shutil.copy(SEAL, root / "seal.png")
    config = (root / "site_config.yml").read_text(encoding="utf-8")
    (root / "site_config.yml").write_text(config.replace(
        "  short_name: 静觅科技\n", "  short_name: 静觅科技\n  seal: seal.png\n"), encoding="utf-8")
    project = load_project(root)
    customer = load_customers([EXAMPLE], project)[0]
    unsigned = contract.render_pdf(root, project.config, customer.version, customer)
    signer = signing.load_signer(pki.p12_path, pki.password_bytes)
    signed = contract.sign_provider(unsigned, signer, root=root, config=project.config)
    return project, unsigned, signed


def _images(data: bytes) -> list[tuple[int, int]]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [(int(o.Width), int(o.Height)) for o in pdf.objects
                if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]


def test_seal_only_inside_the_signature(sealed):
    _, unsigned, signed = sealed
    assert _images(unsigned) == []
    assert (400, 400) in _images(signed)
    with pikepdf.open(io.BytesIO(signed)) as pdf:
        (party_b,) = [f for f in pdf.Root.AcroForm.Fields if str(f.T) == "PartyB"]
        appearance = party_b.AP.N
        xobjects = list(appearance.Resources.get("/XObject", {}).values())
        # The seal is drawn in 乙方's appearance (directly or through pyHanko's inner form).
        found = any(x.get("/Subtype") == "/Image" or "/Image" in str(x.get("/Resources", {}))
                    or any(i.get("/Subtype") == "/Image"
                           for i in x.get("/Resources", {}).get("/XObject", {}).values())
                    for x in xobjects)
        assert found
        (party_a,) = [f for f in pdf.Root.AcroForm.Fields if str(f.T) == "PartyA"]
        assert "/V" not in party_a and party_a.AP.N.read_bytes() == b""


def test_sealed_signature_keeps_pdfa(sealed):
    report = check_pdfa(sealed[2])
    assert report.ok, report.problems


def test_stamp_text_is_chinese_and_extractable(sealed, tmp_path):
    path = tmp_path / "signed.pdf"
    path.write_bytes(sealed[2])
    last = "".join(pdftotext_pages(path)[-1].split())
    assert "签署方：北京静觅网络科技有限公司" in last
    assert "（北京时间）" in last and "签署时间：" in last


def test_the_seal_image_is_part_of_the_layout_digest(sealed):
    project = sealed[0]
    before = contract.layout_digest(project.root)
    (project.root / "seal.png").write_bytes(SEAL.read_bytes() + b"\0")
    try:
        assert contract.layout_digest(project.root) != before
    finally:
        (project.root / "seal.png").write_bytes(SEAL.read_bytes())
