"""What every page and API call of the staff console goes through: the signed-in staff member, bodies read
with a cap, security headers, and refusals as JSON (API) or the sign-in page (pages).

Every page and API call needs a session (sign-in: bot/staff/signin.py); every POST needs the session's
CSRF token (header X-CSRF-Token, or a hidden field in a plain form). Everything shown is escaped by
Jinja2's autoescape; the Content-Security-Policy allows no inline script at all.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ..store import ChangeRefused, StorageBusy
from . import changes, signin
from .console import ApiError, StaffConsole
from .inbox import QUEUES

MAX_BODY = 64 * 1024


CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


@dataclass(frozen=True)
class Staff:
    """A signed-in staff member: who (a Telegram id or "cli"), the session id, its CSRF token."""

    who: str
    session_id: str
    csrf: str
    expires: float


def console_of(request: Request) -> StaffConsole:
    return request.app.state.console


async def current_staff(request: Request) -> Staff | None:
    """Return the signed-in staff member of a request, or None (no cookie, forged, expired or ended)."""
    c = console_of(request)
    sid = c.signer.session_id(request.cookies.get(signin.COOKIE), c.clock())
    if sid is None:
        return None
    found = await c.storage.signin.console_session(signin.digest(sid))
    if found is None:
        return None
    return Staff(found[0], sid, c.signer.csrf(sid), found[1])


async def _body(request: Request) -> bytes:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise ApiError(413, "请求太大。")
    return body


async def json_body(request: Request) -> dict[str, Any]:
    raw = await _body(request)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
        json.dumps(data, ensure_ascii=False).encode()  # lone surrogates (\ud800) could never be stored or shown
    except (ValueError, RecursionError):  # malformed, not UTF-8, lone surrogates, or nested too deeply
        raise ApiError(400, "请求内容不是合法的 JSON。") from None
    if not isinstance(data, dict):
        raise ApiError(400, "请求内容应为 JSON 对象。")
    return data


async def form_body(request: Request) -> dict[str, str]:
    raw = await _body(request)
    try:
        parsed = parse_qs(raw.decode("utf-8"), max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        return {}
    return {k: v[0] for k, v in parsed.items()}


def with_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def error_response(e: ApiError) -> JSONResponse:
    return JSONResponse({"error": e.message, **e.extra}, status_code=e.status)


ApiHandler = Callable[[Request, Staff], Awaitable[Any]]


PageHandler = Callable[[Request, Staff], Awaitable[Response]]


def api(handler: ApiHandler) -> Callable[[Request], Awaitable[Response]]:
    """Wrap an API endpoint: 401 without a session, 403 for a POST without its CSRF token, JSON errors."""
    async def endpoint(request: Request) -> Response:
        try:
            staff = await current_staff(request)
            if staff is None:
                raise ApiError(401, "请先登录。")
            if request.method != "GET" and not console_of(request).signer.csrf_ok(
                    staff.session_id, request.headers.get("x-csrf-token")):
                raise ApiError(403, "缺少或错误的 CSRF 令牌（X-CSRF-Token），请刷新页面后重试。")
            result = await handler(request, staff)
        except ApiError as e:
            return with_headers(error_response(e))
        except changes.Invalid as e:
            return with_headers(error_response(ApiError(400, str(e))))
        except ChangeRefused as e:
            return with_headers(error_response(ApiError(409, REFUSALS.get(str(e), str(e)))))
        except StorageBusy:
            return with_headers(error_response(ApiError(503, "数据库正忙，未做任何修改，请稍后重试。")))
        return with_headers(result if isinstance(result, Response) else JSONResponse(result))
    return endpoint


REFUSALS = {"no_change": "没有这条记录。", "already_undone": "这项修改已经撤销过了。",
            "not_undoable": "这项操作无法撤销（例如已发出的回复）。",
            "ticket_gone": "这条留言已经处理过，或用户的会话信息已清除。",
            "item_gone": "这个问题已经处理过了（请刷新页面）。",
            "item_purged": "这个问题的原文已按保存期限清除，无法据此教学（可以忽略它）。"}


def page(handler: PageHandler) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a page: without a session, the sign-in page (401)."""
    async def endpoint(request: Request) -> Response:
        staff = await current_staff(request)
        if staff is None:
            return with_headers(render_page(request, "signin.html", None, status=401))
        return with_headers(await handler(request, staff))
    return endpoint


def render_page(request: Request, template: str, staff: Staff | None, status: int = 200, **ctx: Any) -> HTMLResponse:
    """Render a page template."""
    c = console_of(request)
    html = c.env.get_template(template).render(staff=staff, path=request.url.path, **ctx)
    return HTMLResponse(html, status_code=status)


def int_param(value: str | None, default: int, low: int, high: int) -> int:
    try:
        n = int(value) if value is not None else default
    except ValueError:
        raise ApiError(400, f"“{value}”不是整数。") from None
    if not low <= n <= high:
        raise ApiError(400, f"{n} 超出范围 {low}–{high}。")
    return n


def queue_param(value: str | None) -> str:
    kind = value or "unanswered"
    if kind not in QUEUES:
        raise ApiError(400, f"没有“{kind}”这个队列（可用：{', '.join(QUEUES)}）。")
    return kind
