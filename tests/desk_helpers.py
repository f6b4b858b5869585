"""One desk for the whole session: a project copy, its register, uvicorn on 127.0.0.1 in a thread
(for the browser) and a TestClient on the same desk (for the API tests). The fixtures are
registered by tests/conftest.py, so tests/desk and tests/browser share one desk and one server."""

from __future__ import annotations

import io
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import copy_site_project, make_pki

GOOD_FORM = {
    "客户编号": "desk-acme", "公司名称": "上海澜舟数据科技有限公司", "统一社会信用代码": "91310115MA1K4QXR7K",
    "住所": "上海市浦东新区张江路 88 号 5 幢 1203 室", "法定代表人或授权代表": "张三", "联系人": "李四",
    "联系电话": "13800000000", "电子邮箱": "li@example.com", "核验目的": "用户实名认证",
    "个人信息字段": "姓名、身份证号码、手机号码", "最终信息源名称": "某某数据服务有限公司", "合同编号": "",
    "签订日期": "2026-12-01", "协议版本": "2021-12-20",
}
SERVICES = ["信息查询核验类接口", "短信类接口"]


@pytest.fixture(scope="session")
def desk_root(tmp_path_factory) -> Path:
    return copy_site_project(tmp_path_factory.mktemp("desk") / "project")


@pytest.fixture(scope="session")
def desk(desk_root):
    from generator.cli import main
    from generator.desk.app import Desk

    desk = Desk(desk_root, main)
    yield desk
    desk.verifier.close()
    for job in desk.issuer.jobs.values():
        job.wait(60)


@pytest.fixture(scope="session")
def desk_url(desk) -> Iterator[str]:
    """The desk served by uvicorn on a free port of 127.0.0.1, as `agreements desk` serves it."""
    import uvicorn

    from generator.desk.routes import create_app
    from generator.desk.server import free_port

    port = free_port("127.0.0.1")
    server = uvicorn.Server(uvicorn.Config(create_app(desk), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="session")
def desk_client(desk):
    """A browser session that has given its name."""
    return named_client(desk, "王芳")


def named_client(desk, name: str):
    from starlette.testclient import TestClient

    from generator.desk.routes import create_app

    client = TestClient(create_app(desk), base_url="http://127.0.0.1", follow_redirects=False)
    response = client.post("/name", data={"csrf": csrf_of(client, "/name"), "name": name, "next": "/"})
    assert response.status_code == 303
    return client


def csrf_of(client, path: str) -> str:
    """The CSRF token a page's forms carry."""
    html = client.get(path).text
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def wait_for_job(desk, location: str) -> None:
    job = desk.issuer.jobs[location.rsplit("/", 1)[-1]]
    job.wait(120)
    assert job.finished and not job.failed, job.message


@pytest.fixture(scope="session")
def desk_pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def party_a_signer(desk_pki, tmp_path_factory):
    return desk_pki.signer(desk_pki.make_p12(tmp_path_factory.mktemp("party-a"), "party-a", common="甲方 Desk Signer"))


def sign_as_party_a(data: bytes, signer) -> bytes:
    """What 甲方's signing tool does: an approval signature in the contract's empty PartyA field."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(field_name="PartyA", md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    return signers.PdfSigner(meta, signer=signer).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(data)), existing_fields_only=True).getvalue()
