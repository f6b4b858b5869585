"""The HTTP face of the service (FastAPI): every route, and the limits in front of them.

Endpoints: GET /v1/versions/current, POST /v1/presentations, POST /v1/acceptances,
GET /v1/acceptances/{id}, GET /v1/accounts/{id}/status, GET /v1/checkpoints/latest,
POST /v1/checkpoints, GET /v1/admin/events (JSONL), DELETE /v1/admin/accounts/{id},
GET /.well-known/agreements-keys.json; the OpenAPI document at /openapi.json.
"""

from __future__ import annotations

import asyncio
import json
import logging

from fastapi import FastAPI, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response, StreamingResponse

from generator.acceptance import models
from generator.acceptance.ledger import Event
from generator.acceptance.limits import LimitsMiddleware
from generator.acceptance.security import Refused, ip_hash, is_admin
from generator.acceptance.service import Service
from generator.acceptance.status import account_status

log = logging.getLogger("agreements.acceptance")
_ACCOUNT = r"^[A-Za-z0-9._:@-]{1,128}$"
_EVENT_ID = r"^[0-9a-f-]{36}$"
_TIME = r"^[0-9T:.+Z-]{4,40}$"


def create_app(service: Service) -> FastAPI:
    app = FastAPI(title="agreements acceptance service", version="1",
                  description="Records 【立即申请】 acceptances of the published agreement and returns "
                  "receipts anyone can verify offline (`agreements verify-receipt`).")
    app.state.service = service
    app.add_middleware(LimitsMiddleware, service=service)
    # added last, so outermost: the block can read a 413 or 429 answer too
    app.add_middleware(CORSMiddleware, allow_origins=service.site_origins, allow_methods=["GET", "POST"],
                       allow_headers=["Authorization", "Content-Type"], allow_credentials=False)

    @app.exception_handler(Refused)
    async def refused(_request: Request, exc: Refused) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # the errors without the input values: a bad body may carry personal data or secrets
        problems = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        return JSONResponse({"detail": "请求内容不符合要求。", "errors": problems}, status_code=422)

    _version_routes(app, service)
    _event_routes(app, service)
    _admin_routes(app, service)
    return app


def _version_routes(app: FastAPI, service: Service) -> None:
    @app.get("/v1/versions/current", response_model=models.CurrentVersion)
    def current_version() -> dict:
        entry = service.catalog.current()
        if entry is None:
            raise Refused(404, "目前没有已生效的协议版本。")
        return service.catalog.describe(entry)

    @app.get("/.well-known/agreements-keys.json")
    def keys() -> dict:
        return service.keyring.published()

    @app.get("/v1/checkpoints/latest")
    def latest_checkpoint(from_size: int | None = Query(default=None, ge=1, le=2**62)) -> dict:
        checkpoint = service.checkpoints.latest()
        if checkpoint is None:
            raise Refused(404, "尚无检查点。")
        return service.checkpoints.with_proof(checkpoint, from_size)


async def _logged(service: Service, event: Event) -> tuple[dict, str]:
    """The stored record and its JSON text, once the event is committed."""
    try:
        return await asyncio.wrap_future(service.ledger.submit(event))
    except Exception as exc:  # noqa: BLE001 - the storage failed: nothing was recorded, say so
        log.error("an event could not be committed (%s); nothing was recorded", type(exc).__name__)
        raise Refused(503, "服务暂时无法记录，本次操作未被记录，请稍后重试。") from None




def _event_routes(app: FastAPI, service: Service) -> None:
    @app.post("/v1/presentations", status_code=201, response_model=models.PresentationOut)
    async def presentation(body: models.PresentationIn, request: Request,
                           authorization: str | None = Header(default=None)) -> dict:
        account = service.tokens.account(authorization)
        refusal = service.catalog.refusal(body.version_hash)
        if refusal:  # only the version in force is shown for acceptance
            raise Refused(409, refusal)
        entry = service.catalog.entries[body.version_hash]
        unknown = set(body.displayed_clauses) - service.catalog.passage_ids(entry)
        if unknown:
            raise Refused(422, f"这些条款不是该版本的加粗提示条款：{'、'.join(sorted(unknown))}")
        data = {**body.model_dump(mode="json"), "ip_hmac": ip_hash(service.ip_key, _client(request))}
        record, _ = await _logged(service, Event("presentation", account, entry.version.date,
                                                 body.version_hash, data))
        return {"presentation_id": record["leaf"]["event_id"], "leaf_index": record["leaf_index"]}

    @app.post("/v1/acceptances", status_code=201, response_class=JSONResponse,
              responses={201: {"description": "The receipt (RFC 8785 JSON signed with Ed25519)."}})
    async def acceptance(body: models.AcceptanceIn, request: Request,
                         authorization: str | None = Header(default=None)) -> Response:
        account = service.tokens.account(authorization)
        refusal = service.catalog.refusal(body.version_hash)
        if refusal:
            raise Refused(409, refusal)
        shown = service.ledger.recent.get(body.presentation_id) or \
            await asyncio.to_thread(service.stored, body.presentation_id, "presentation")
        if shown is None or shown["data"]["account_id"] != account \
                or shown["leaf"]["version_hash"] != body.version_hash:
            raise Refused(409, "找不到该账户对此版本的展示记录，请重新打开协议页面后再同意。")
        entry = service.catalog.entries[body.version_hash]
        version = {"date": entry.version.date, "version_hash": entry.version_hash,
                   "text_sha256": entry.text_sha256}
        data = {"version": version, "presentation_id": body.presentation_id,
                "ip_hmac": ip_hash(service.ip_key, _client(request))}
        _, text = await _logged(service, Event("acceptance", account, entry.version.date,
                                               body.version_hash, data, presentation=shown))
        return Response(text.encode(), status_code=201, media_type="application/json")

    @app.get("/v1/acceptances/{acceptance_id}")
    def receipt(acceptance_id: str = Path(pattern=_EVENT_ID)) -> dict:
        found = service.stored(acceptance_id, "acceptance")
        if found is None:
            raise Refused(404, "没有这条同意记录（或其数据已按删除请求删除）。")
        return found

    @app.get("/v1/accounts/{account_id}/status", response_model=models.AccountStatus)
    def status(account_id: str = Path(pattern=_ACCOUNT), authorization: str | None = Header(default=None)) -> dict:
        if not is_admin(authorization, service.settings.admin_token) and \
                service.tokens.account(authorization) != account_id:
            raise Refused(403, "只能查询本账户的状态。")
        return account_status(service, account_id)


def _admin(service: Service, authorization: str | None) -> None:
    if not is_admin(authorization, service.settings.admin_token):
        raise Refused(401, "需要管理员令牌。")


def _admin_routes(app: FastAPI, service: Service) -> None:
    @app.post("/v1/checkpoints", status_code=201)
    def checkpoint(authorization: str | None = Header(default=None)) -> dict:
        _admin(service, authorization)
        return service.checkpoints.make()

    @app.get("/v1/admin/events")
    def export(authorization: str | None = Header(default=None),
               account: str | None = Query(default=None, pattern=_ACCOUNT),
               since: str | None = Query(default=None, pattern=_TIME),
               until: str | None = Query(default=None, pattern=_TIME)) -> StreamingResponse:
        _admin(service, authorization)
        rows = service.rows(*_export_query(account, since, until))
        lines = (json.dumps({"leaf_index": seq, "leaf": json.loads(leaf),
                             "data": json.loads(data) if data else None}, ensure_ascii=False) + "\n"
                 for seq, leaf, data in rows)
        return StreamingResponse(lines, media_type="application/jsonl")

    @app.delete("/v1/admin/accounts/{account_id}")
    def erase(account_id: str = Path(pattern=_ACCOUNT), authorization: str | None = Header(default=None)) -> dict:
        _admin(service, authorization)
        return {"account_id": account_id, "erased_events": service.erase(account_id)}


def _export_query(account: str | None, since: str | None, until: str | None) -> tuple[str, tuple]:
    where, params = [], []
    for condition, value in (("d.account = ?", account), ("e.recorded_at >= ?", since),
                             ("e.recorded_at < ?", until)):
        if value is not None:
            where.append(condition)
            params.append(value)
    sql = ("SELECT e.seq, e.leaf, d.data FROM events e LEFT JOIN event_data d ON d.event_id = e.id"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY e.seq")
    return sql, tuple(params)


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None
