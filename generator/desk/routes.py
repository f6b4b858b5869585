"""The desk's routes: every page module's pages in one Starlette application.

Kept apart from :mod:`generator.desk.app` (the guard and helpers the pages use), so that the
page modules import the app module and nothing imports back.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import Route

from generator.desk import app, contract_pages, issue_pages
from generator.desk.app import Desk


def create_app(desk: Desk) -> Starlette:
    routes = [
        Route("/name", app.name_page, methods=["GET", "POST"]),
        Route("/login", app.login_page, methods=["GET", "POST"]),
        Route("/logout", app.logout, methods=["POST"]),
        Route("/desk.css", app.stylesheet),
        *issue_pages.ROUTES,
        *contract_pages.ROUTES,
    ]
    # On 127.0.0.1 only this computer's names are served: a web page whose own name is made to
    # point at 127.0.0.1 (DNS rebinding) must not read the register through the browser.
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=list(app.LOOPBACK_NAMES))] if desk.loopback else []
    application = Starlette(routes=routes, middleware=middleware)
    application.state.desk = desk
    return application
