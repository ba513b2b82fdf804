"""The staff console's pages (server-rendered Jinja2) and its sign-in: a one-time link shows a 「登录」 button,
pressing it starts a session (signed cookie, HttpOnly, SameSite=Strict)."""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..store import StorageBusy
from . import charts, signin
from .console import ApiError, stats_json
from .http import (Staff, console_of, current_staff, error_response, form_body, int_param, page, queue_param,
                   render_page, with_headers)

log = logging.getLogger(__name__)


async def login_form(request: Request) -> Response:
    """Show the sign-in button of a login link (the link itself spends nothing: previews cannot use it up)."""
    token = request.query_params.get("t", "")
    ok = signin.looks_like_token(token)
    return with_headers(render_page(request, "login.html", None, status=200 if ok else 400, token=token if ok else ""))


async def login(request: Request) -> Response:
    """Spend a login token and start a session (signed cookie, HttpOnly, SameSite=Strict).

    Attempts are limited per address (a cheap brake on guessing; tokens are long enough anyway); a busy or
    full database is a 503 that spends nothing (the token is spent and the session started in one transaction).
    """
    c = console_of(request)
    origin = request.headers.get("origin")
    ours = {request.headers.get("host"), urlsplit(c.settings.bot_admin_url or "").netloc}  # direct, or via the proxy
    if origin and origin != "null" and urlsplit(origin).netloc not in ours:
        return with_headers(render_page(request, "signin.html", None, status=403, refused=True))
    address = request.client.host if request.client else ""
    if not c.sign_in_attempts.take(address)[0]:
        log.warning("too many console sign-in attempts from %s; refused for now", address)
        refused = render_page(request, "signin.html", None, status=429, notice=SIGN_IN_TOO_OFTEN)
        refused.headers["Retry-After"] = "60"
        return with_headers(refused)
    try:
        token = (await form_body(request)).get("t", "")
    except ApiError:
        token = ""
    sid = secrets.token_urlsafe(32)
    try:
        started = await c.storage.signin.sign_in(signin.digest(token), signin.digest(sid), signin.SESSION_TTL) \
            if signin.looks_like_token(token) else None
    except StorageBusy as exc:
        log.warning("console sign-in refused for now: %s", exc)
        return with_headers(render_page(request, "login.html", None, status=503, token=token, notice=SIGN_IN_BUSY))
    if started is None:
        return with_headers(render_page(request, "signin.html", None, status=401, refused=True))
    who, expires = started
    response = RedirectResponse("/inbox", status_code=303)
    response.set_cookie(signin.COOKIE, c.signer.cookie(sid, expires), max_age=int(signin.SESSION_TTL),
                        httponly=True, samesite="strict", secure=c.secure, path="/")
    log.info("console sign-in by %s", who)
    return with_headers(response)


SIGN_IN_BUSY = "数据库正忙，暂时无法登录，什么也没有改变：这个登录链接仍然有效，请稍后再点一次“登录”。"
SIGN_IN_TOO_OFTEN = "登录尝试太频繁，请一分钟后再试。"


async def logout(request: Request) -> Response:
    """End the session (needs the CSRF token as a form field or header)."""
    c = console_of(request)
    staff = await current_staff(request)
    if staff is not None:
        token = request.headers.get("x-csrf-token") or (await form_body(request)).get("csrf")
        if not c.signer.csrf_ok(staff.session_id, token):
            return with_headers(error_response(ApiError(403, "缺少或错误的 CSRF 令牌。")))
        try:
            await c.storage.signin.end_console_session(signin.digest(staff.session_id))
        except StorageBusy:
            return with_headers(error_response(ApiError(503, "数据库正忙，未能退出登录，请稍后重试。")))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(signin.COOKIE, path="/", httponly=True, samesite="strict", secure=c.secure)
    return with_headers(response)


async def home(request: Request) -> Response:
    return with_headers(RedirectResponse("/inbox", status_code=303))


@page
async def inbox_page(request: Request, staff: Staff) -> Response:
    c = console_of(request)
    try:
        kind = queue_param(request.query_params.get("kind"))
    except ApiError:
        kind = "unanswered"
    items, total = await c.queue(kind, limit=100)
    counts = await c.storage.inbox.review_counts()
    services = [(s.id, s.title) for s in c.catalogue.services]
    return render_page(request, "inbox.html", staff, kind=kind, items=items, total=total, counts=counts,
                       services=services)


@page
async def knowledge_page(request: Request, staff: Staff) -> Response:
    c = console_of(request)
    aliases = await c.storage.taught.aliases()
    taught = await c.storage.taught.rows()
    return render_page(request, "knowledge.html", staff, aliases=[(a, c.title(a.service_id)) for a in aliases],
                       terms=[r for r in taught if r.kind == "term"],
                       out_of_scope=[r for r in taught if r.kind == "out_of_scope"],
                       followups=[(r, c.title(r.target.partition(">")[0]), c.title(r.target.partition(">")[2]))
                                  for r in taught if r.kind == "followup"])


@page
async def history_page(request: Request, staff: Staff) -> Response:
    c = console_of(request)
    return render_page(request, "history.html", staff, entries=await c.storage.taught.history(limit=200))


@page
async def try_page(request: Request, staff: Staff) -> Response:
    c = console_of(request)
    q = request.query_params.get("q", "").strip()[:500]
    result = None
    if q:
        await c.sync()
        r = c.searcher.search(q)
        result = {**await c.answer_of(r), "hits": c.guesses(r, 5)}
    return render_page(request, "try.html", staff, q=q, result=result)


@page
async def dashboard_page(request: Request, staff: Staff) -> Response:
    c = console_of(request)
    try:
        days = int_param(request.query_params.get("days"), 30, 1, 365)
    except ApiError:
        days = 30
    s = await stats_json(c, days)
    day_names = [d["day"] for d in s["daily"]]
    col = {k: [d[k] for d in s["daily"]] for k in ("answered", "suggest", "unanswered", "thumbs_up", "thumbs_down",
                                                     "none_of_these", "questions")}
    rate = {k: [d[k] / d["questions"] if d["questions"] else None for d in s["daily"]]
            for k in ("answered", "suggest", "unanswered")}
    figs = {
        "questions": charts.stacked_bars("每日提问", day_names, [("直接回答", col["answered"]), ("给出候选", col["suggest"]),
                                                                 ("未答出", col["unanswered"])]),
        "rates": charts.lines("回答率 / 候选率 / 未答出率", day_names,
                              [("回答率", rate["answered"]), ("候选率", rate["suggest"]), ("未答出率", rate["unanswered"])]),
        "feedback": charts.stacked_bars("每日反馈", day_names, [("有帮助", col["thumbs_up"]), ("没帮助", col["thumbs_down"]),
                                                              ("都不是", col["none_of_these"])]),
        "top_unanswered": charts.hbars("最常未答出", [(t, n) for t, n in s["top_unanswered"]], tone="bad"),
        "top_services": charts.hbars("最常查看的服务", [(c.title(sid), n) for sid, n in s["top_services"]]),
        "flows": charts.hbars("资格自查：开始次数", [(f["title"], f["starts"]) for f in s["flows"]]),
    }
    return render_page(request, "dashboard.html", staff, days=days, s=s, figs=figs, title=c.title)
