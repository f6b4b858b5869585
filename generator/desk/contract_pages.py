"""Pages that follow contracts: 查找合同, a contract's page (history, steps, downloads, preview,
the copy 甲方 signed), and 旧版本客户 with its .xlsx/.csv export."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.routing import Route

from generator.contracts import register_report
from generator.contracts.register import Entry, Register, count_entries, read_entries, read_history
from generator.contracts.register_events import EVENT_NAMES, MARKS, STATE_NAMES, beijing
from generator.desk import security
from generator.desk.acceptance import account_status
from generator.desk.app import Desk, page, render
from generator.errors import AgreementsError

SHOWN = 100  # contracts listed on one page of results
STEPS = {"sent": "标记为已发出", "archived": "标记为已归档", "void": "作废"}  # 甲方已签 comes from verify


@page
async def search_page(request: Request, session: security.Session, form: FormData | None) -> Response:
    desk: Desk = request.app.state.desk
    query = request.query_params.get("q", "").strip()[:100]
    entries = read_entries(desk.register, search=query or None, newest_first=True, limit=SHOWN)
    total = count_entries(desk.register, search=query or None) if len(entries) == SHOWN else len(entries)
    return render(request, "search.html.j2", session, query=query, entries=entries, total=total,
                  states=STATE_NAMES, beijing=beijing)


def _entry(desk: Desk, number: str) -> Entry | None:
    found = read_entries(desk.register, contract_number=number)
    return found[0] if found else None


def _not_found(request: Request, session: security.Session, number: str) -> Response:
    return render(request, "error.html.j2", session, status=404, message=f"登记簿中没有合同 {number}")


@page
async def contract_page(request: Request, session: security.Session, form: FormData | None,
                        *, status: int = 200, signed_copy=None, error: str = "") -> Response:
    desk: Desk = request.app.state.desk
    number = request.path_params["number"]
    entry = _entry(desk, number)
    if entry is None:
        return _not_found(request, session, number)
    history = read_history(desk.register, number)
    steps = {step: label for step, label in STEPS.items() if entry.state in MARKS[step]}
    docx = Path(entry.folder) / Path(entry.file_name).with_suffix(".docx").name
    acceptance = None
    if desk.acceptance_url:  # another service: asked off the event loop, never imported
        acceptance = await run_in_threadpool(account_status, desk.acceptance_url, entry.customer_id)
    return render(request, "contract.html.j2", session, status=status, entry=entry, history=history,
                  acceptance=acceptance,
                  states=STATE_NAMES, events=EVENT_NAMES, beijing=beijing, steps=steps,
                  has_pdf=(Path(entry.folder) / entry.file_name).is_file(), has_docx=docx.is_file(),
                  can_sign=entry.state in MARKS["signed"], signed_copy=signed_copy, error=error)


@page
async def mark_step(request: Request, session: security.Session, form: FormData | None) -> Response:
    desk: Desk = request.app.state.desk
    number, step = request.path_params["number"], str(form.get("step", ""))
    if step not in STEPS:
        return render(request, "error.html.j2", session, status=400, message="未知的操作")
    try:
        with Register(desk.register) as register:
            register.mark(number, step, by=session.name, note=str(form.get("note", "")).strip()[:200])
    except AgreementsError as exc:
        return render(request, "error.html.j2", session, status=409, message=exc.message)
    return RedirectResponse(f"/contracts/{number}", 303)


@page
async def signed_upload(request: Request, session: security.Session, form: FormData | None) -> Response:
    desk: Desk = request.app.state.desk
    number = request.path_params["number"]
    entry = _entry(desk, number)
    if entry is None:
        return _not_found(request, session, number)
    upload = form.get("signed")
    data = await upload.read() if isinstance(upload, UploadFile) else b""
    if not data.startswith(b"%PDF-"):
        return await contract_page.__wrapped__(request, session, form, status=422,
                                               error="请上传甲方签署后的 PDF 文件")
    received = Path(entry.folder) / "signed" / f"{Path(entry.file_name).stem}.甲方签署.{len(data)}.pdf"
    received.parent.mkdir(parents=True, exist_ok=True)
    received.write_bytes(data)
    future = desk.verifier.submit(str(desk.root), str(received), number, tuple(map(str, desk.trust)))
    result = await asyncio.wrap_future(future)
    if not result.accepted:
        return await contract_page.__wrapped__(request, session, form, status=422, signed_copy=result)
    with Register(desk.register) as register:
        register.mark(number, "signed", by=session.name, note=f"verify: {result.verdict}; {received.name}")
    return RedirectResponse(f"/contracts/{number}", 303)


@page
async def download(request: Request, session: security.Session, form: FormData | None) -> Response:
    desk: Desk = request.app.state.desk
    entry = _entry(desk, request.path_params["number"])
    kind = request.path_params["kind"]
    if entry is None or kind not in ("pdf", "docx"):
        return _not_found(request, session, request.path_params["number"])
    path = Path(entry.folder) / Path(entry.file_name).with_suffix(f".{kind}").name
    if not path.is_file():
        return render(request, "error.html.j2", session, status=404, message=f"文件 {path.name} 不在登记的文件夹中")
    media = "application/pdf" if kind == "pdf" else \
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return FileResponse(path, media_type=media, filename=path.name)


@page
async def preview(request: Request, session: security.Session, form: FormData | None) -> Response:
    """The contract's own HTML and stylesheet, as the PDF engine receives them."""
    from generator.contracts.export import load_customers

    desk: Desk = request.app.state.desk
    entry = _entry(desk, request.path_params["number"])
    if entry is None:
        return _not_found(request, session, request.path_params["number"])
    project = desk.project()
    source = Path(entry.source.rsplit(":", 1)[0] if not Path(entry.source).exists() else entry.source)
    chosen = [c for c in load_customers([source], project) if c.id == entry.customer_id]
    if not chosen:
        return render(request, "error.html.j2", session, status=404, message="找不到这份合同的客户资料")
    return contract_preview(project, dataclasses.replace(chosen[0], contract_number=entry.contract_number))


def contract_preview(project, customer) -> HTMLResponse:
    """The contract's own HTML with its stylesheet inline: what the PDF engine lays out."""
    from generator.contracts.contract import contract_css, contract_html

    html = contract_html(project.root, project.config, customer.version, customer)
    style = contract_css(project.root, project.config).replace("</", "<\\/")
    return HTMLResponse(html.replace("</head>", f"<style>{style}</style></head>", 1))


def _older(desk: Desk, limit: int | None = None) -> list[Entry]:
    """Contracts of a version before the newest published one (void ones need no notice)."""
    latest = desk.project().latest_published
    if latest is None:
        return []
    entries = read_entries(desk.register, older_than=latest.date, limit=limit)
    return [e for e in entries if e.state != "void"]


@page
async def older_page(request: Request, session: security.Session, form: FormData | None) -> Response:
    desk: Desk = request.app.state.desk
    latest = desk.project().latest_published
    total = count_entries(desk.register, older_than=latest.date) if latest else 0
    return render(request, "older.html.j2", session, entries=_older(desk, SHOWN), total=total,
                  latest=latest.date if latest else "", states=STATE_NAMES, beijing=beijing)


@page
async def older_export(request: Request, session: security.Session, form: FormData | None) -> Response:
    desk: Desk = request.app.state.desk
    if request.path_params["kind"] not in ("xlsx", "csv"):
        return render(request, "error.html.j2", session, status=404, message="只能导出 .xlsx 或 .csv")
    entries = _older(desk)
    if request.path_params["kind"] == "xlsx":
        data, media = register_report.entries_xlsx(entries), \
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        data, media = register_report.entries_csv(entries).encode("utf-8"), "text/csv; charset=utf-8"
    name = f"older-version-customers.{request.path_params['kind']}"
    return Response(data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


ROUTES = [
    Route("/", search_page),
    Route("/contracts/{number:str}", contract_page),
    Route("/contracts/{number:str}/mark", mark_step, methods=["POST"]),
    Route("/contracts/{number:str}/signed", signed_upload, methods=["POST"]),
    Route("/contracts/{number:str}/preview", preview),
    Route("/contracts/{number:str}/file.{kind:str}", download),
    Route("/older", older_page),
    Route("/older.{kind:str}", older_export),
]
