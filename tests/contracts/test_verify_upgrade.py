"""A contract issued by an earlier generator still verifies after upgrades.

tests/fixtures/contracts-before-upgrade holds a contract issued by the
generator of 2026-12-04, unsigned and certified for 乙方 by a long-lived test
CA. Once the generator's code, templates or fonts change, verify cannot
rebuild it byte for byte and compares its content instead: the signed one stays
genuine (乙方's trusted signature vouches for the layout), the unsigned one is
"content matches, layout not checked" (exit 4). The content check is forced
here by giving the checkout another code fingerprint, so both paths are tested
whatever the code is today; a changed clause, value or bold span still fails.
"""

from __future__ import annotations

import shutil

import pytest

import tamper
from contract_helpers import FIXTURES, ROOT

BEFORE = FIXTURES / "contracts-before-upgrade"
UNSIGNED, SIGNED, ROOT_CA = BEFORE / "unsigned.pdf", BEFORE / "signed-party-b.pdf", BEFORE / "test-root.pem"


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")  # the tests read the messages


@pytest.fixture
def upgraded(monkeypatch):
    """This checkout as a later generator: another code fingerprint than the fixtures name."""
    from generator.contracts.verify import provenance

    monkeypatch.setattr(provenance, "code_digest", lambda: "f" * 64)


def test_the_fixtures_verify_with_todays_code_whichever_check_applies(verify):
    code, out, _ = verify(SIGNED, "--trust", str(ROOT_CA), "--require-trust")
    assert code == 0, out
    code, out, _ = verify(UNSIGNED)
    assert (code, "[pass] rebuild: the PDF is byte-identical" in out) in ((0, True), (4, False)), out
    assert "[fail]" not in out


def test_signed_contract_is_genuine_by_content_after_an_upgrade(verify, upgraded):
    code, out, _ = verify(SIGNED, "--trust", str(ROOT_CA), "--require-trust", "--format", "json")
    import json

    report = json.loads(out)
    checks = {check["name"]: check for check in report["checks"]}
    assert code == 0 and report["verdict"] == "genuine", out
    assert checks["generator"]["status"] == "warn"
    assert "GeneratorSHA256 mismatch" in checks["generator"]["summary"]
    assert checks["rebuild"]["facts"]["method"] == "content"
    assert "GeneratorSHA256 mismatch" in checks["rebuild"]["facts"]["why"]
    assert checks["layout"]["status"] == "pass"


def test_unsigned_contract_content_matches_layout_not_checked(verify, upgraded):
    code, out, err = verify(UNSIGNED)
    assert code == 4, out
    assert "[pass] rebuild: content-level check" in out
    assert "[unchecked] layout: content matches, layout not checked" in out
    assert "content matches, layout not checked" in err
    code, out, _ = verify(SIGNED)  # no --trust: nothing vouches for the layout either
    assert code == 4 and "乙方's signature is not trusted" in out


def test_a_changed_value_still_fails(verify, upgraded, tmp_path):
    import json

    values = json.loads(tamper.info(UNSIGNED.read_bytes())["CustomerValues"])
    values["company"] = "别的公司有限公司"
    path = tmp_path / "value.pdf"
    path.write_bytes(tamper.with_metadata(UNSIGNED.read_bytes(),
                                          {"CustomerValues": json.dumps(values, ensure_ascii=False)}))
    code, out, _ = verify(path)
    assert code == 1 and "[fail] provenance" in out


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory):
    copy = tmp_path_factory.mktemp("upgraded") / "project"
    for name in ("content", "templates"):
        shutil.copytree(ROOT / name, copy / name)
    shutil.copy2(ROOT / "site_config.yml", copy / "site_config.yml")
    return copy


def _verify_in(copy, capfd, path, *options) -> tuple[int, str]:
    from generator.cli import main

    capfd.readouterr()
    code = main(["--root", str(copy), "verify", str(path), *options])
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    return code, out


def test_a_changed_bold_span_or_clause_still_fails(project_copy, capfd):
    """Templates that set bold text regular, or word a clause otherwise: the signed contract's
    content no longer matches what this checkout makes of the same version and values."""
    css = project_copy / "templates" / "pdf" / "contract.css"
    original = css.read_text(encoding="utf-8")
    css.write_text(original.replace("strong { font-weight: bold; }", "strong { font-weight: normal; }"),
                   encoding="utf-8")
    code, out = _verify_in(project_copy, capfd, SIGNED, "--trust", str(ROOT_CA))
    assert code == 1 and "[fail] rebuild: the content is not the contract its provenance names: " \
        "the bold spans differ" in out, out
    css.write_text(original, encoding="utf-8")
    template = project_copy / "templates" / "pdf" / "contract.html.j2"
    original = template.read_text(encoding="utf-8")
    template.write_text(original.replace("（以下无正文）", "（以下空白）"), encoding="utf-8")
    try:
        code, out = _verify_in(project_copy, capfd, SIGNED, "--trust", str(ROOT_CA))
    finally:
        template.write_text(original, encoding="utf-8")
    assert code == 1 and "the text differs from what the version and values say" in out, out


def test_other_page_breaks_are_layout_not_content(project_copy, capfd):
    """A larger font after an upgrade: more pages, each with its footer, the same content."""
    css = project_copy / "templates" / "pdf" / "contract.css"
    original = css.read_text(encoding="utf-8")
    css.write_text(original.replace("html { font-size: 10.5pt;", "html { font-size: 12pt;"),
                   encoding="utf-8")
    try:
        code, out = _verify_in(project_copy, capfd, SIGNED, "--trust", str(ROOT_CA))
    finally:
        css.write_text(original, encoding="utf-8")
    assert code == 0 and "[pass] rebuild: content-level check" in out, out


@pytest.mark.parametrize("how", ["invisible", "painted-over"])
def test_hidden_text_fails_the_content_check(verify, upgraded, tmp_path, how):
    """Text a text extractor reads but paper does not show: never "content matches"."""
    import io

    import pikepdf

    data = UNSIGNED.read_bytes()
    if how == "painted-over":
        data = tamper.resave_with_page_painted(data, page_index=3)
    else:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            page = pdf.pages[0]
            font = next(iter(page.Resources.Font.keys()))
            page.contents_add(pdf.make_stream(f"BT 3 Tr {font} 9 Tf 72 72 Td <0001> Tj ET".encode()))
            out = io.BytesIO()
            pdf.save(out)
            data = out.getvalue()
    path = tmp_path / f"{how}.pdf"
    path.write_bytes(data)
    code, out, _ = verify(path)
    assert code == 1, out
    expected = ("page 1 draws invisible text (text render mode 3 or 7)" if how == "invisible"
                else "page 4 paints white over text it has drawn")
    assert expected in out, out


def test_the_cover_must_show_the_customers_values_its_wording_aside():
    """The cover's labels and date formats are the templates' (layout); the customer's values
    on it are content: one the rebuild's cover shows and the PDF's does not fails."""
    from generator.contracts.verify.content import Reading, differences

    company = "上海澜舟数据科技有限公司"
    expected = Reading("正文", "B.", [], f"协议版本2021年12月20日版名称{company}")
    reworded = Reading("正文", "B.", [], f"协议版本2021-12-20甲方{company}")
    assert differences(reworded, expected, [company, "2021-12-20"]) == []
    other = Reading("正文", "B.", [], "协议版本2021-12-20甲方别的公司有限公司")
    assert differences(other, expected, [company]) == [
        f"the cover does not show the customer's value “{company}” that its provenance names"]
