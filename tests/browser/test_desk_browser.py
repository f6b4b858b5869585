"""A salesperson's afternoon at the desk, in Chromium: a form with a mistake, corrected; the PDF
downloaded and checked with verify; a sheet with one bad row, then the whole batch as a ZIP;
the contract marked sent; the copy 甲方 signed uploaded, and 甲方已签. axe finds no serious
violation on the pages visited, at desktop width and at 360 px."""

from __future__ import annotations

import io
import zipfile
from concurrent.futures import ThreadPoolExecutor

from tests.browser.conftest import DESKTOP, axe_violations
from desk_helpers import GOOD_FORM, SERVICES, sign_as_party_a

NARROW = {"width": 360, "height": 780}


def sheet_csv(rows: list[dict]) -> bytes:
    header = list(rows[0])
    lines = [",".join(header)] + [",".join(row[h] for h in header) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def fill_form(page, values: dict) -> None:
    for header, value in values.items():
        if header == "协议版本":
            page.select_option(f"[name='{header}']", value)
        else:
            page.fill(f"[name='{header}']", value)
    for service in SERVICES:
        page.check(f"input[name='开通服务'][value='{service}']")


def off_the_loop(function, *args, **kwargs):
    """pyHanko runs its own asyncio loop, which cannot start inside Playwright's: another thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def no_serious_violations(page, where: str) -> None:
    for screen in (DESKTOP, NARROW):
        page.set_viewport_size(screen)
        found = axe_violations(page)
        assert not found, f"{where} at {screen['width']} px: {found}"
    page.set_viewport_size(DESKTOP)


def test_a_salesperson_issues_follows_and_closes_a_contract(browser, desk_url, desk_root, party_a_signer,
                                                             tmp_path):
    from generator.content.project import load_project
    from generator.contracts.verify import Verdict, verify_contract

    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True,
                                  bypass_csp=True)  # bypass: axe is injected as an inline script
    page = context.new_page()
    page.set_default_timeout(90_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(desk_url + "new")
        page.fill("#name", "赵敏")
        page.click("text=开始使用")
        page.wait_for_url("**/new")
        # a mistake: the credit code's check digit
        form = {**GOOD_FORM, "客户编号": "browser-acme", "统一社会信用代码": "91310115MA1K4QXR7A"}
        fill_form(page, form)
        page.click("text=校验并生成合同")
        assert page.locator("#e-统一社会信用代码").is_visible()
        assert page.get_attribute("#f-0-统一社会信用代码", "aria-invalid") == "true"
        no_serious_violations(page, "新建合同 with errors")
        page.fill("[name='统一社会信用代码']", "91310115MA1K4QXR7K")
        page.click("text=校验并生成合同")
        page.wait_for_url("**/contracts/*")
        assert page.inner_text("#state") == "已生成"
        number = page.url.rsplit("/", 1)[-1]

        with page.expect_download() as download:
            page.click("text=下载 PDF")
        pdf = tmp_path / download.value.suggested_filename
        download.value.save_as(pdf)
        report = off_the_loop(verify_contract, pdf, load_project(desk_root, check_lock=False))
        assert report.verdict is Verdict.GENUINE, report.to_text()
        assert report.contract["contract_number"] == number

        page.click("text=标记为已发出")
        page.wait_for_selector("#state:text('已发出')")
        assert "赵敏" in page.inner_text("#history")
        no_serious_violations(page, "the contract page")

        signed = tmp_path / "signed.pdf"
        signed.write_bytes(off_the_loop(sign_as_party_a, pdf.read_bytes(), party_a_signer))
        page.set_input_files("#signed", str(signed))
        page.click("text=校验并记为甲方已签")
        page.wait_for_selector("#state:text('甲方已签')")

        rows = [{**GOOD_FORM, "开通服务": "、".join(SERVICES), "客户编号": f"b-{n}", "合同编号": f"ZSY-B-{n}"}
                for n in range(1, 3)]
        rows[1]["电子邮箱"] = "not-an-address"
        page.goto(desk_url + "upload")
        page.set_input_files("#sheet", files=[{"name": "客户.csv", "mimeType": "text/csv",
                                               "buffer": sheet_csv(rows)}])
        page.click("text=校验并生成全部合同")
        assert page.locator("table tbody tr").count() == 1
        assert page.inner_text("table tbody tr td >> nth=0") == "3"
        no_serious_violations(page, "上传客户表 with errors")
        rows[1]["电子邮箱"] = "b2@example.com"
        page.set_input_files("#sheet", files=[{"name": "客户.csv", "mimeType": "text/csv",
                                               "buffer": sheet_csv(rows)}])
        page.click("text=校验并生成全部合同")
        assert page.locator("progress").count() == 1
        page.wait_for_selector("text=下载全部合同（ZIP）")
        with page.expect_download() as download:
            page.click("text=下载全部合同（ZIP）")
        names = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read())).namelist()
        assert sorted(n for n in names if n.endswith(".pdf")) == [f"b-{n}_2021-12-20.pdf" for n in range(1, 3)]
        assert len([n for n in names if n.endswith(".docx")]) == 2
        assert not errors, errors
    finally:
        context.close()
