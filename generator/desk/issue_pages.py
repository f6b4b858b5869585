"""Pages that issue contracts: 新建合同 (one customer), 上传客户表 (a sheet), and a job's progress."""

from __future__ import annotations

import datetime as dt

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from generator.contracts.register import read_entries
from generator.desk import security
from generator.desk.app import Desk, page, render
from generator.desk.issue import FORM_HEADERS, SERVICES, check_upload, form_sheet, keep_input, validate


def _versions(desk: Desk) -> list[str]:
    return [v.date for v in reversed(desk.project().versions) if not v.is_draft]


def _form_values(form: FormData) -> dict[str, str]:
    values = {header: str(form.get(header, "")) for header in FORM_HEADERS}
    values["开通服务"] = "、".join(str(s) for s in form.getlist("开通服务") if s in SERVICES)
    return values


def _expiry(text: str) -> tuple[str | None, str]:
    """The optional 到期日 and, when it cannot be read, the message beside its field."""
    if not text.strip():
        return None, ""
    try:
        return dt.date.fromisoformat(text.strip()).isoformat(), ""
    except ValueError:
        return None, "请按 2027-12-31 的格式填写日期"


@page
async def new_contract(request: Request, session: security.Session, form: FormData | None) -> Response:
    desk: Desk = request.app.state.desk
    context = dict(headers=FORM_HEADERS, services=SERVICES, versions=_versions(desk))
    if form is None:
        latest = context["versions"][0] if context["versions"] else ""
        return render(request, "new.html.j2", session, values={"协议版本": latest}, chosen=[], errors={},
                      general=[], expires="", **context)
    values = _form_values(form)
    expires, expiry_error = _expiry(str(form.get("到期日", "")))
    source = keep_input(desk.issuer.out / "inputs", form_sheet(values), ".csv")
    customers, problems = validate(source, desk.project())
    errors: dict[str, list[str]] = {}
    general = []
    for problem in problems:
        (errors.setdefault(problem.column, []) if problem.column in FORM_HEADERS else general).append(
            problem.message)
    if expiry_error:
        errors["到期日"] = [expiry_error]
    if errors or general:
        source.unlink()
        return render(request, "new.html.j2", session, status=422, values=values,
                      chosen=form.getlist("开通服务"), errors=errors, general=general,
                      expires=str(form.get("到期日", "")), **context)
    if form.get("action") == "preview":  # look before issuing: nothing is written or recorded
        source.unlink()
        from generator.desk.contract_pages import contract_preview

        return contract_preview(desk.project(), customers[0])
    job = desk.issuer.start(source, customers, session.name, expires)
    return RedirectResponse(f"/jobs/{job.id}", 303)


@page
async def upload_sheet(request: Request, session: security.Session, form: FormData | None) -> Response:
    desk: Desk = request.app.state.desk
    if form is None:
        return render(request, "upload.html.j2", session, problems=[], error="", file_name="")
    upload = form.get("sheet")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return render(request, "upload.html.j2", session, status=422, problems=[],
                      error="请选择要上传的客户表（.xlsx 或 .csv）", file_name="")
    data = await upload.read()
    try:
        suffix = check_upload(upload.filename, data)
    except ValueError as exc:
        return render(request, "upload.html.j2", session, status=422, problems=[], error=str(exc),
                      file_name=upload.filename)
    source = keep_input(desk.issuer.out / "inputs", data, suffix)
    customers, problems = validate(source, desk.project())
    if problems:
        source.unlink()
        return render(request, "upload.html.j2", session, status=422, problems=problems,
                      error="", file_name=upload.filename)
    job = desk.issuer.start(source, customers, session.name, None)
    return RedirectResponse(f"/jobs/{job.id}", 303)


@page
async def job_page(request: Request, session: security.Session, form: FormData | None) -> Response:
    desk: Desk = request.app.state.desk
    job = desk.issuer.jobs.get(request.path_params["job"])
    if job is None:
        return render(request, "error.html.j2", session, status=404, message="没有这项任务（服务重启后任务记录会清空）")
    entries = []
    if job.finished and not job.failed:
        entries = [e for e in read_entries(desk.register) if e.folder == str(job.folder)]
        if len(entries) == 1 and job.total == 1:
            return RedirectResponse(f"/contracts/{entries[0].contract_number}", 303)
    return render(request, "job.html.j2", session, job=job, done=job.done, entries=entries)


@page
async def job_zip(request: Request, session: security.Session, form: FormData | None) -> Response:
    desk: Desk = request.app.state.desk
    job = desk.issuer.jobs.get(request.path_params["job"])
    if job is None or not job.finished or job.failed:
        return render(request, "error.html.j2", session, status=404, message="这项任务还没有完成，或者失败了")
    return Response(desk.issuer.zip_of(job), media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="contracts-{job.id}.zip"'})


ROUTES = [
    Route("/new", new_contract, methods=["GET", "POST"]),
    Route("/upload", upload_sheet, methods=["GET", "POST"]),
    Route("/jobs/{job:str}", job_page),
    Route("/jobs/{job:str}/zip", job_zip),
]
