"""The desk's web application (Starlette): the guard every page goes through, and its own pages
(name, login, the stylesheet); :mod:`generator.desk.routes` puts every page together.

Every handler is wrapped by :func:`page`, which finds the browser's session (or
starts one), sends a visitor elsewhere than 127.0.0.1 to the login, asks for the
salesperson's name once, refuses a POST without the session's CSRF token and an
upload over the size limit, and renders Chinese pages from ``templates/desk/``
(Jinja, autoescaped, undefined names fail).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from starlette.datastructures import FormData
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from generator.content.project import Project, load_project
from generator.contracts.register import register_path
from generator.desk import security
from generator.desk.issue import PRELOAD, Issuer, forkserver
from generator.desk.signed import Verifier
from generator.templates import environment

MAX_UPLOAD = 10 * 1024 * 1024  # a customer sheet or a signed contract; far above any real one
OPEN_PATHS = frozenset({"/login", "/name"})
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")
_CSP = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'self'; base-uri 'none'; script-src 'self'")


@dataclass
class Desk:
    """The desk's settings and state for one server."""

    root: Path
    command_line: Callable[[list[str]], int]  # `agreements` itself (generator.cli.main), for the jobs
    host: str = "127.0.0.1"
    password_hash: str | None = None  # required unless the desk listens on 127.0.0.1 only
    p12: Path | None = None
    trust: tuple[Path, ...] = ()
    acceptance_url: str | None = None  # the acceptance service, asked over HTTP for each account
    sessions: security.Sessions = field(default=None)  # type: ignore[assignment]
    issuer: Issuer = field(default=None)  # type: ignore[assignment]
    verifier: Verifier = field(default=None)  # type: ignore[assignment]
    _project: tuple | None = None

    def __post_init__(self) -> None:
        self.loopback = security.is_loopback(self.host)
        if not self.loopback and not self.password_hash:
            raise ValueError("a desk reachable from other computers needs the administrator's password")
        if self.sessions is None:
            self.sessions = security.Sessions(security.IDLE_SECONDS if self.loopback
                                              else security.LOGIN_IDLE_SECONDS)
        if self.issuer is None:
            self.issuer = Issuer(self.root, self.root / "out" / "desk", self.command_line, self.p12,
                                 preload=["generator.cli", *PRELOAD])
        if self.verifier is None:
            self.verifier = Verifier(forkserver(self.issuer.preload))

    def project(self) -> Project:
        """The project, loaded again only when a file of content/ or site_config.yml changed
        (the legal team may publish while the desk runs)."""
        stamp = _sources_stamp(self.root)
        if self._project is None or self._project[0] != stamp:
            self._project = (stamp, load_project(self.root))
        return self._project[1]

    @property
    def register(self) -> Path:
        return register_path(self.root, self.project().config)


def _sources_stamp(root: Path) -> tuple:
    files = [root / "site_config.yml", *sorted((root / "content").rglob("*"))]
    return tuple((str(path), path.stat().st_mtime_ns, path.stat().st_size) for path in files if path.is_file())


Handler = Callable[[Request, security.Session, FormData | None], Awaitable[Response]]


def page(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    @functools.wraps(handler)
    async def guarded(request: Request) -> Response:
        desk: Desk = request.app.state.desk
        session = desk.sessions.get(request.cookies.get(security.COOKIE))
        fresh = session is None
        session = session or desk.sessions.new()
        response = await _guarded(request, desk, session, handler)
        if fresh:
            response.set_cookie(security.COOKIE, session.token, httponly=True, samesite="strict",
                                secure=False, path="/")
        response.headers.setdefault("Content-Security-Policy", _CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    return guarded


async def _guarded(request: Request, desk: Desk, session: security.Session, handler: Handler) -> Response:
    path = request.url.path
    if not desk.loopback and not session.logged_in and path != "/login":
        return RedirectResponse("/login", 303)
    form = None
    if request.method not in security.SAFE_METHODS:
        length = request.headers.get("content-length")
        if length is None or not length.isdigit() or int(length) > MAX_UPLOAD:
            return render(request, "error.html.j2", session, status=413,
                          message=f"上传的文件过大（上限 {MAX_UPLOAD // 1024 // 1024} MB）或大小未知")
        try:
            form = await request.form(max_files=1, max_fields=60, max_part_size=MAX_UPLOAD)
        except MultiPartException as exc:
            return render(request, "error.html.j2", session, status=400, message=f"表单无法读取：{exc.message}")
        if not security.csrf_ok(session, form.get("csrf")):
            return render(request, "error.html.j2", session, status=403,
                          message="表单已过期或来源不明（CSRF 校验失败）；请刷新页面后重新提交")
    if not session.name and path not in OPEN_PATHS:
        return RedirectResponse(f"/name?next={_safe_next(str(request.url.path))}", 303)
    return await handler(request, session, form)


def _safe_next(target: str | None) -> str:
    """Only a path of this desk, never another site (an open redirect)."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


def render(request: Request, template: str, session: security.Session, *, status: int = 200,
           **context) -> HTMLResponse:
    desk: Desk = request.app.state.desk
    html = environment(desk.root).get_template(f"desk/{template}").render(
        session=session, csrf=session.csrf, loopback=desk.loopback, path=request.url.path, **context)
    return HTMLResponse(html, status_code=status)


# --------------------------------------------------------------------------- who is at the desk


@page
async def name_page(request: Request, session: security.Session, form: FormData | None) -> Response:
    target = _safe_next(request.query_params.get("next") or (form and form.get("next")))
    if form is None:
        return render(request, "name.html.j2", session, next=target, error="")
    name = str(form.get("name", "")).strip()
    if not name or len(name) > 40 or not name.isprintable():
        return render(request, "name.html.j2", session, status=422, next=target,
                      error="请填写您的姓名（1 至 40 个字符），它会记录在您操作的每一步")
    session.name = name
    return RedirectResponse(target, 303)


@page
async def login_page(request: Request, session: security.Session, form: FormData | None) -> Response:
    desk: Desk = request.app.state.desk
    if form is None:
        return render(request, "login.html.j2", session, error="")
    if desk.password_hash and security.password_matches(desk.password_hash, str(form.get("password", ""))):
        desk.sessions.end(session)  # a new session (and cookie) after login: no fixation
        fresh = desk.sessions.new()
        fresh.logged_in = True
        response = RedirectResponse("/name", 303)
        response.set_cookie(security.COOKIE, fresh.token, httponly=True, samesite="strict", path="/")
        return response
    return render(request, "login.html.j2", session, status=401, error="密码不正确")


@page
async def logout(request: Request, session: security.Session, form: FormData | None) -> Response:
    request.app.state.desk.sessions.end(session)
    return RedirectResponse("/login" if not request.app.state.desk.loopback else "/name", 303)


async def stylesheet(request: Request) -> Response:
    css = (request.app.state.desk.root / "templates" / "desk" / "desk.css").read_text(encoding="utf-8")
    return PlainTextResponse(css, media_type="text/css", headers={"Cache-Control": "no-cache"})
