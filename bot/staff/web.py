"""The staff console: a small Starlette app with server-rendered Jinja2 pages and the JSON API they use.

    python -m bot.review serve [--host 127.0.0.1] [--port 8080]

It opens the same BOT_DB_PATH as the running bot (SQLite WAL: safe side by side); what staff change
is one transaction, recorded in the history with who made it, and reaches a running bot within
BOT_SYNC_SECONDS. The rooms of the console: console.py (its state and what it shows), http.py (sessions,
CSRF, headers, refusals), pages.py (pages and sign-in), api.py (the JSON API); this module routes them.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..settings import Settings
from ..store import Storage
from . import api, pages
from .console import HERE, StaffConsole, open_console
from .http import with_headers


async def not_found(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/api/"):
        return with_headers(JSONResponse({"error": "没有这个地址。"}, status_code=404))
    return with_headers(HTMLResponse("<!doctype html><title>404</title><p>没有这个页面。<a href=\"/inbox\">返回</a>",
                                     status_code=404))


def create_app(settings: Settings, *, console: StaffConsole | None = None) -> Starlette:
    """Return the console app; without `console`, it opens the database and loads the data when it starts."""
    @asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        opened: Storage | None = None
        if getattr(app.state, "console", None) is None:
            app.state.console, opened = await open_console(settings)
        try:
            yield
        finally:
            await app.state.console.close()
            if opened is not None:
                await opened.close()

    routes = [
        Route("/", pages.home), Route("/inbox", pages.inbox_page), Route("/knowledge", pages.knowledge_page),
        Route("/history", pages.history_page), Route("/dashboard", pages.dashboard_page), Route("/try", pages.try_page),
        Route("/login", pages.login_form, methods=["GET"]), Route("/login", pages.login, methods=["POST"]),
        Route("/logout", pages.logout, methods=["POST"]),
        Route("/api/session", api.api_session), Route("/api/queue", api.api_queue),
        Route("/api/queue/{item_id}/link", api.api_link, methods=["POST"]),
        Route("/api/queue/{item_id}/out-of-scope", api.api_out_of_scope, methods=["POST"]),
        Route("/api/queue/{item_id}/dismiss", api.api_dismiss, methods=["POST"]),
        Route("/api/tickets/{ticket_id}/reply", api.api_reply, methods=["POST"]),
        Route("/api/tickets/{ticket_id}/close", api.api_close, methods=["POST"]),
        Route("/api/terms", api.api_terms, methods=["POST"]), Route("/api/taught", api.api_taught),
        Route("/api/taught/{kind}/{row_id}/remove", api.api_remove, methods=["POST"]),
        Route("/api/history", api.api_history), Route("/api/history/{audit_id}/undo", api.api_undo, methods=["POST"]),
        Route("/api/stats", api.api_stats), Route("/api/try", api.api_try), Route("/api/services", api.api_services),
        Route("/api/export", api.api_export),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={404: not_found, 405: not_found})
    app.state.console = console
    return app
