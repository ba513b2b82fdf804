"""The staff console: a small Starlette app with server-rendered Jinja2 pages and the JSON API they use.

    python -m bot.review serve [--host 127.0.0.1] [--port 8080]

It opens the same BOT_DB_PATH as the running bot (SQLite WAL: safe side by side); what staff change
is one transaction, recorded in the history with who made it, and reaches a running bot within
BOT_SYNC_SECONDS. Every page and API call needs a session (sign-in: bot/webauth.py); every POST needs
the session's CSRF token (header X-CSRF-Token, or a hidden field in a plain form). Everything shown is
escaped by Jinja2's autoescape; the Content-Security-Policy allows no inline script at all.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from retrieval.decide import Decision
from retrieval.model import Catalogue
from retrieval.search import SearchResult, Searcher

from . import cards, changes, charts, export, render, texts, webauth
from .console import to_plain
from .inbox import QUEUES, followup_pair, group_items
from .settings import Settings
from .storage import ChangeRefused, ReviewItem, Storage, StorageBusy, Ticket

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
MAX_BODY = 64 * 1024
MAX_IDS = 50
QUEUE_WINDOW = 500        # items read per queue before grouping near-duplicates
SWEEP_EVERY = 10.0        # seconds between sweeps for abandoned suggestions
DECISIONS = {"answered": "直接回答", "suggest": "给出候选（您是不是想问）", "unanswered": "未答出"}
REASONS = {"chitchat": "闲聊", "empty": "没有内容", "out_of_scope": "范围外，已拒答", "no_match": "没有匹配",
           "low_coverage": "匹配太少", "low_information": "信息太少", "clear": "明确", "phrase": "名称匹配",
           "learned": "工作人员已关联", "close": "几项接近", "other_level": "别的层级的项目，已拒答",
           "passing_mention": "只是顺带提到", "aspect_only": "只问了方面没说服务", "profile": "按身份列出",
           "societies": "学会名单", "related": "相关服务", "followup": "接着问"}
ACTIONS = {"link": "关联", "out_of_scope": "范围外", "term": "术语", "dismiss": "忽略", "reply": "回复留言",
           "close": "关闭留言", "remove": "删除", "undo": "撤销"}
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


@dataclass(frozen=True)
class Staff:
    """A signed-in staff member: who (a Telegram id or "cli"), the session id, its CSRF token."""

    who: str
    session_id: str
    csrf: str
    expires: float


class ApiError(Exception):
    """An API refusal: HTTP status and a Chinese message (plus extra JSON fields)."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


class Console:
    """What the console's pages and API share: storage, catalogue, the current searcher, the signer."""

    def __init__(self, settings: Settings, storage: Storage, catalogue: Catalogue, searcher: Searcher, key: bytes,
                 *, clock: Callable[[], float] = time.time, flow_titles: dict[str, str] | None = None) -> None:
        self.settings = settings
        self.storage = storage
        self.catalogue = catalogue
        self.base_searcher = searcher
        self.searcher = searcher
        self.signer = webauth.Signer(key)
        self.clock = clock
        self.flow_titles = flow_titles or {}
        self.secure = (settings.bot_admin_url or "").startswith("https://")
        self._version = -1
        self._swept = float("-inf")
        self.env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                               trim_blocks=True, lstrip_blocks=True)
        self.env.filters["when"] = lambda ts: time.strftime("%m-%d %H:%M", time.localtime(ts)) if ts else ""
        self.env.filters["pct"] = lambda v: "—" if v is None else f"{v:.0%}"
        self.env.globals.update(queue_names=texts.QUEUE_NAMES, queues=QUEUES, actions=ACTIONS)

    # -- knowledge ------------------------------------------------------------------------------

    async def sync(self) -> None:
        """Rebuild the searcher from the base when what staff taught changed (here or in another process)."""
        from .taught import read_taught

        version = await self.storage.taught_version()
        if version != self._version:
            self.searcher = self.base_searcher.with_taught(await read_taught(self.storage))
            self._version = version

    async def sweep(self) -> None:
        """Move abandoned suggestions into the 未选择 queue (at most every few seconds)."""
        now = time.monotonic()
        if now - self._swept >= SWEEP_EVERY:
            self._swept = now
            try:
                await self.storage.sweep_abandoned(self.settings.bot_abandoned_minutes)
            except StorageBusy as exc:  # best effort: the next read tries again
                log.warning("could not move abandoned suggestions now: %s", exc)

    def title(self, answer_id: str) -> str:
        """Return "13 实施…" for a service, the name of an appendix answer, or the id."""
        s = self.catalogue.service(answer_id)
        if s is not None:
            return f"{s.id} {s.title}"
        names = {"societies": self.catalogue.societies.name, "enterprise-association-rules": self.catalogue.rules.name}
        if answer_id in names:
            return names[answer_id]
        return next((o.name for o in self.catalogue.organisations if o.id == answer_id), answer_id)

    def answer_of(self, result: SearchResult) -> dict[str, Any]:
        """Return what the assistant does with a question now: decision, reason, answer, corrections, reply."""
        best = result.best
        answer = best.id if best and result.decision is Decision.ANSWERED else None
        if answer and (service := self.catalogue.service(answer)):
            reply = to_plain(render.service_card(service, result.intents))
        elif answer:
            reply = self.title(answer)
        elif result.decision is Decision.SUGGEST:
            n = self.base_searcher.config.suggest_count
            reply = "\n".join([texts.SUGGEST_HEADER] + [f"• {self.title(h.id)}" for h in result.hits[:n]]
                              + [f"• {texts.NONE_OF_THESE}"])
        elif result.reason == "chitchat":
            reply = texts.CHITCHAT.format(example=texts.EXAMPLES[0])
        else:
            reply = cards.decline_message(self.catalogue, result, self.catalogue.organisation("tast").contact.phones[0])
        return {"decision": result.decision.value, "decision_label": DECISIONS[result.decision.value],
                "reason": result.reason, "reason_label": REASONS.get(result.reason, result.reason),
                "answer": answer, "title": self.title(answer) if answer else None,
                "corrections": [list(c) for c in result.corrections], "reply": reply}

    def guesses(self, result: SearchResult, limit: int = 3) -> list[dict[str, Any]]:
        """Return the top hits with their scores."""
        return [{"id": h.id, "title": self.title(h.id),
                 "score": None if h.score == float("inf") else round(h.score, 2)} for h in result.hits[:limit]]

    # -- queue items ----------------------------------------------------------------------------

    def item_json(self, members: list[ReviewItem]) -> dict[str, Any]:
        """Return a group of near-duplicate questions as the API and the pages show it."""
        lead = members[0]
        result = self.searcher.search(lead.sample)
        pair = followup_pair(lead, result, self.title)
        return {
            "id": lead.id, "text": lead.sample, "kind": lead.queue, "kinds": list(lead.kinds),
            "count": sum(m.count for m in members), "first_seen": min(m.first_seen for m in members),
            "last_seen": max(m.last_seen for m in members),
            "members": [{"id": m.id, "text": m.sample, "count": m.count} for m in members],
            "context": {"text": lead.context_text, "answer": lead.context_answer,
                        "title": self.title(lead.context_answer)} if lead.context_answer else None,
            "shown": {"answer": lead.shown, "title": self.title(lead.shown)} if lead.shown else None,
            "answer": self.answer_of(result), "guesses": self.guesses(result),
            "followup": {"pair": pair} if pair else None,
        }

    def ticket_json(self, t: Ticket) -> dict[str, Any]:
        """Return a ticket as a 留言 queue item."""
        result = self.searcher.search(t.text or "")
        return {"id": t.id, "text": t.text or "", "kind": "ticket", "kinds": ["ticket"], "count": 1,
                "first_seen": t.ts, "last_seen": t.ts, "members": [], "context": None, "shown": None,
                "answer": self.answer_of(result), "guesses": self.guesses(result), "followup": None,
                "can_reply": t.chat_id is not None}

    async def queue(self, kind: str, limit: int = 50, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        """Return one page of a queue's grouped items, and how many groups it holds."""
        await self.sync()
        await self.sweep()
        if kind == "ticket":
            tickets = await self.storage.tickets(limit=QUEUE_WINDOW)
            return [self.ticket_json(t) for t in tickets[offset: offset + limit]], len(tickets)
        items = await self.storage.review_items(limit=QUEUE_WINDOW, queues=[kind])
        groups = group_items(items)
        return [self.item_json(g.items) for g in groups[offset: offset + limit]], len(groups)

    async def pending(self, item_id: str, ids: Any) -> list[ReviewItem]:
        """Return the pending items an action is for: the item and the other members of its group."""
        if not isinstance(ids, list) or len(ids) > MAX_IDS or not all(isinstance(i, str) for i in ids):
            raise ApiError(400, "ids 应为问题编号的列表（最多 50 个）。")
        chosen: list[ReviewItem] = []
        for i in dict.fromkeys([item_id, *ids]):
            item = await self.storage.review_item(i)
            if item is not None and item.status == "pending":
                chosen.append(item)
        if not chosen or chosen[0].id != item_id:
            raise ApiError(409, "这个问题已经处理过了（请刷新页面）。")
        return chosen


# -- requests, sessions, refusals ------------------------------------------------------------------

def _console(request: Request) -> Console:
    return request.app.state.console


async def current_staff(request: Request) -> Staff | None:
    """Return the signed-in staff member of a request, or None (no cookie, forged, expired or ended)."""
    c = _console(request)
    sid = c.signer.session_id(request.cookies.get(webauth.COOKIE), c.clock())
    if sid is None:
        return None
    found = await c.storage.console_session(webauth.digest(sid))
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


async def _json(request: Request) -> dict[str, Any]:
    raw = await _body(request)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise ApiError(400, "请求内容不是合法的 JSON。") from None
    if not isinstance(data, dict):
        raise ApiError(400, "请求内容应为 JSON 对象。")
    return data


async def _form(request: Request) -> dict[str, str]:
    raw = await _body(request)
    try:
        parsed = parse_qs(raw.decode("utf-8"), max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        return {}
    return {k: v[0] for k, v in parsed.items()}


def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _error(e: ApiError) -> JSONResponse:
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
            if request.method != "GET" and not _console(request).signer.csrf_ok(
                    staff.session_id, request.headers.get("x-csrf-token")):
                raise ApiError(403, "缺少或错误的 CSRF 令牌（X-CSRF-Token），请刷新页面后重试。")
            result = await handler(request, staff)
        except ApiError as e:
            return _headers(_error(e))
        except changes.Invalid as e:
            return _headers(_error(ApiError(400, str(e))))
        except ChangeRefused as e:
            return _headers(_error(ApiError(409, REFUSALS.get(str(e), str(e)))))
        except StorageBusy:
            return _headers(_error(ApiError(503, "数据库正忙，未做任何修改，请稍后重试。")))
        return _headers(result if isinstance(result, Response) else JSONResponse(result))
    return endpoint


REFUSALS = {"no_change": "没有这条记录。", "already_undone": "这项修改已经撤销过了。",
            "not_undoable": "这项操作无法撤销（例如已发出的回复）。",
            "ticket_gone": "这条留言已经处理过，或用户的会话信息已清除。"}


def page(handler: PageHandler) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a page: without a session, the sign-in page (401)."""
    async def endpoint(request: Request) -> Response:
        staff = await current_staff(request)
        if staff is None:
            return _headers(render_page(request, "signin.html", None, status=401))
        return _headers(await handler(request, staff))
    return endpoint


def render_page(request: Request, template: str, staff: Staff | None, status: int = 200, **ctx: Any) -> HTMLResponse:
    """Render a page template."""
    c = _console(request)
    html = c.env.get_template(template).render(staff=staff, path=request.url.path, **ctx)
    return HTMLResponse(html, status_code=status)


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        n = int(value) if value is not None else default
    except ValueError:
        raise ApiError(400, f"“{value}”不是整数。") from None
    if not low <= n <= high:
        raise ApiError(400, f"{n} 超出范围 {low}–{high}。")
    return n


def _kind(value: str | None) -> str:
    kind = value or "unanswered"
    if kind not in QUEUES:
        raise ApiError(400, f"没有“{kind}”这个队列（可用：{', '.join(QUEUES)}）。")
    return kind


# -- sign-in ------------------------------------------------------------------------------------

async def login_form(request: Request) -> Response:
    """Show the sign-in button of a login link (the link itself spends nothing: previews cannot use it up)."""
    token = request.query_params.get("t", "")
    ok = webauth.looks_like_token(token)
    return _headers(render_page(request, "login.html", None, status=200 if ok else 400, token=token if ok else ""))


async def login(request: Request) -> Response:
    """Spend a login token and start a session (signed cookie, HttpOnly, SameSite=Strict)."""
    c = _console(request)
    origin = request.headers.get("origin")
    ours = {request.headers.get("host"), urlsplit(c.settings.bot_admin_url or "").netloc}  # direct, or via the proxy
    if origin and origin != "null" and urlsplit(origin).netloc not in ours:
        return _headers(render_page(request, "signin.html", None, status=403, refused=True))
    try:
        token = (await _form(request)).get("t", "")
    except ApiError:
        token = ""
    who = await c.storage.use_login_token(webauth.digest(token)) if webauth.looks_like_token(token) else None
    if who is None:
        return _headers(render_page(request, "signin.html", None, status=401, refused=True))
    sid = secrets.token_urlsafe(32)
    expires = await c.storage.add_console_session(webauth.digest(sid), who, webauth.SESSION_TTL)
    response = RedirectResponse("/inbox", status_code=303)
    response.set_cookie(webauth.COOKIE, c.signer.cookie(sid, expires), max_age=int(webauth.SESSION_TTL),
                        httponly=True, samesite="strict", secure=c.secure, path="/")
    log.info("console sign-in by %s", who)
    return _headers(response)


async def logout(request: Request) -> Response:
    """End the session (needs the CSRF token as a form field or header)."""
    c = _console(request)
    staff = await current_staff(request)
    if staff is not None:
        token = request.headers.get("x-csrf-token") or (await _form(request)).get("csrf")
        if not c.signer.csrf_ok(staff.session_id, token):
            return _headers(_error(ApiError(403, "缺少或错误的 CSRF 令牌。")))
        await c.storage.end_console_session(webauth.digest(staff.session_id))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(webauth.COOKIE, path="/", httponly=True, samesite="strict", secure=c.secure)
    return _headers(response)


# -- pages --------------------------------------------------------------------------------------

async def home(request: Request) -> Response:
    return _headers(RedirectResponse("/inbox", status_code=303))


@page
async def inbox_page(request: Request, staff: Staff) -> Response:
    c = _console(request)
    try:
        kind = _kind(request.query_params.get("kind"))
    except ApiError:
        kind = "unanswered"
    items, total = await c.queue(kind, limit=100)
    counts = await c.storage.review_counts()
    services = [(s.id, s.title) for s in c.catalogue.services]
    return render_page(request, "inbox.html", staff, kind=kind, items=items, total=total, counts=counts,
                       services=services)


@page
async def knowledge_page(request: Request, staff: Staff) -> Response:
    c = _console(request)
    aliases = await c.storage.aliases()
    taught = await c.storage.taught()
    return render_page(request, "knowledge.html", staff, aliases=[(a, c.title(a.service_id)) for a in aliases],
                       terms=[r for r in taught if r.kind == "term"],
                       out_of_scope=[r for r in taught if r.kind == "out_of_scope"])


@page
async def history_page(request: Request, staff: Staff) -> Response:
    c = _console(request)
    return render_page(request, "history.html", staff, entries=await c.storage.history(limit=200))


@page
async def try_page(request: Request, staff: Staff) -> Response:
    c = _console(request)
    q = request.query_params.get("q", "").strip()[:500]
    result = None
    if q:
        await c.sync()
        r = c.searcher.search(q)
        result = {**c.answer_of(r), "hits": c.guesses(r, 5)}
    return render_page(request, "try.html", staff, q=q, result=result)


@page
async def dashboard_page(request: Request, staff: Staff) -> Response:
    c = _console(request)
    try:
        days = _int(request.query_params.get("days"), 30, 1, 365)
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
        "top_unanswered": charts.hbars("最常未答出", [(t, n) for t, n in s["top_unanswered"]]),
        "top_services": charts.hbars("最常查看的服务", [(c.title(sid), n) for sid, n in s["top_services"]]),
        "flows": charts.hbars("资格自查：开始次数", [(f["title"], f["starts"]) for f in s["flows"]]),
    }
    return render_page(request, "dashboard.html", staff, days=days, s=s, figs=figs, title=c.title)


# -- API ----------------------------------------------------------------------------------------

@api
async def api_session(request: Request, staff: Staff) -> Any:
    return {"who": staff.who, "csrf": staff.csrf, "expires": staff.expires}


@api
async def api_queue(request: Request, staff: Staff) -> Any:
    c = _console(request)
    kind = _kind(request.query_params.get("kind"))
    limit = _int(request.query_params.get("limit"), 50, 1, 200)
    offset = _int(request.query_params.get("offset"), 0, 0, 100_000)
    items, total = await c.queue(kind, limit, offset)
    return {"kind": kind, "total": total, "counts": await c.storage.review_counts(), "items": items}


def _done(audit_id: str, message: str) -> dict[str, Any]:
    return {"ok": True, "audit": audit_id, "message": message}


@api
async def api_link(request: Request, staff: Staff) -> Any:
    c = _console(request)
    body = await _json(request)
    items = await c.pending(request.path_params["item_id"], body.get("ids", []))
    raw = str(body.get("service", "")).strip()
    m = re.match(r"(\d{1,2})(?:\s|$)", raw)  # "57" or "57 评聘天津科普大使" (the page's list)
    service = m.group(1).zfill(2) if m else raw
    if c.catalogue.service(service) is None:
        raise ApiError(400, f"没有编号为“{service}”的服务。")
    await c.sync()
    pair = followup_pair(items[0], c.searcher.search(items[0].sample), c.title)
    use_pair = body.get("pair")
    if pair and use_pair is None:
        raise ApiError(409, "这是接着上一轮回答问的问题：单独关联会让所有人问这句时都得到这项服务。"
                            "建议关联整句（上一轮问题 + 这句），或明确选择只关联这句。", followup={"pair": pair})
    teach = pair if pair and use_pair is True else None
    audit_id = await changes.link(c.storage, c.catalogue, items, service, staff.who, teach=teach)
    await c.sync()
    return _done(audit_id, f"已关联到 {c.title(service)}" + ("（整句）" if teach else ""))


@api
async def api_out_of_scope(request: Request, staff: Staff) -> Any:
    c = _console(request)
    body = await _json(request)
    items = await c.pending(request.path_params["item_id"], body.get("ids", []))
    audit_id = await changes.out_of_scope(c.storage, items, staff.who)
    await c.sync()
    return _done(audit_id, "已标为范围外：同样的问题今后会被礼貌拒答")


@api
async def api_dismiss(request: Request, staff: Staff) -> Any:
    c = _console(request)
    body = await _json(request)
    items = await c.pending(request.path_params["item_id"], body.get("ids", []))
    return _done(await changes.dismiss(c.storage, items, staff.who), "已忽略")


async def _open_ticket(c: Console, ticket_id: str) -> Ticket:
    ticket = await c.storage.ticket(ticket_id)
    if ticket is None or ticket.status != "open":
        raise ChangeRefused("ticket_gone")
    return ticket


@api
async def api_reply(request: Request, staff: Staff) -> Any:
    c = _console(request)
    body = await _json(request)
    ticket = await _open_ticket(c, request.path_params["ticket_id"])
    audit_id = await changes.reply_ticket(c.storage, ticket, str(body.get("text", "")), staff.who)
    return _done(audit_id, "回复已交给机器人发送")


@api
async def api_close(request: Request, staff: Staff) -> Any:
    c = _console(request)
    ticket = await _open_ticket(c, request.path_params["ticket_id"])
    return _done(await changes.close_ticket(c.storage, ticket, staff.who), "留言已关闭（未回复）")


@api
async def api_terms(request: Request, staff: Staff) -> Any:
    c = _console(request)
    body = await _json(request)
    audit_id = await changes.term(c.storage, str(body.get("from", "")), str(body.get("to", "")), staff.who)
    await c.sync()
    return _done(audit_id, "术语已教会，对所有问题生效")


@api
async def api_taught(request: Request, staff: Staff) -> Any:
    c = _console(request)
    taught = await c.storage.taught()
    return {"aliases": [{"id": a.id, "text": a.text, "service": a.service_id, "created_at": a.created_at,
                         "created_by": a.created_by} for a in await c.storage.aliases()],
            "terms": [{"id": r.id, "from": r.text, "to": r.target, "created_at": r.created_at,
                       "created_by": r.created_by} for r in taught if r.kind == "term"],
            "out_of_scope": [{"id": r.id, "text": r.text, "created_at": r.created_at, "created_by": r.created_by}
                             for r in taught if r.kind == "out_of_scope"]}


@api
async def api_remove(request: Request, staff: Staff) -> Any:
    c = _console(request)
    kind = request.path_params["kind"]
    if kind not in ("alias", "taught"):
        raise ApiError(404, "没有这类内容。")
    audit_id = await changes.remove(c.storage, kind, request.path_params["row_id"], staff.who)
    if audit_id is None:
        raise ApiError(409, "这一条已经删除了（请刷新页面）。")
    await c.sync()
    return _done(audit_id, "已删除")


@api
async def api_history(request: Request, staff: Staff) -> Any:
    c = _console(request)
    limit = _int(request.query_params.get("limit"), 100, 1, 1000)
    offset = _int(request.query_params.get("offset"), 0, 0, 1_000_000)
    return {"items": [{"id": e.id, "ts": e.ts, "who": e.who, "action": e.action, "summary": e.summary,
                       "undoable": e.undoable and e.undone_at is None, "undone_at": e.undone_at,
                       "undone_by": e.undone_by} for e in await c.storage.history(limit, offset)]}


@api
async def api_undo(request: Request, staff: Staff) -> Any:
    c = _console(request)
    audit_id = await changes.undo(c.storage, request.path_params["audit_id"], staff.who)
    await c.sync()
    return _done(audit_id, "已撤销")


async def stats_json(c: Console, days: int) -> dict[str, Any]:
    """Return the dashboard's figures: totals, every day of the range, checks by flow."""
    s = await c.storage.stats(days)
    by_day = {d["day"]: d for d in await c.storage.daily(days)}
    today = date.fromtimestamp(c.clock())
    empty = {"questions": 0, "answered": 0, "suggest": 0, "unanswered": 0, "declined": 0, "thumbs_up": 0,
             "thumbs_down": 0, "none_of_these": 0}
    span = [(today - timedelta(days=n)).isoformat() for n in range(min(days, 90) - 1, -1, -1)]
    s["daily"] = [{**empty, **by_day.get(day, {}), "day": day} for day in span]
    s["flows"] = [{**f, "title": c.flow_titles.get(f["flow"], f["flow"])} for f in await c.storage.flow_stats(days)]
    s["queues"] = await c.storage.review_counts()
    return s


@api
async def api_stats(request: Request, staff: Staff) -> Any:
    c = _console(request)
    return await stats_json(c, _int(request.query_params.get("days"), 7, 1, 365))


@api
async def api_try(request: Request, staff: Staff) -> Any:
    c = _console(request)
    q = request.query_params.get("q", "").strip()
    if not q:
        raise ApiError(400, "请输入要试的问题（参数 q）。")
    await c.sync()
    result = c.searcher.search(q[:500])
    return {"text": q[:500], **c.answer_of(result), "hits": c.guesses(result, 5)}


@api
async def api_services(request: Request, staff: Staff) -> Any:
    c = _console(request)
    return {"services": [{"id": s.id, "title": s.title} for s in c.catalogue.services]}


@api
async def api_export(request: Request, staff: Staff) -> Any:
    c = _console(request)
    what = request.query_params.get("kind", "queries")
    days = _int(request.query_params.get("days"), 0, 0, 3650) or None
    if what == "queries":
        body = export.to_csv(export.QUERY_COLUMNS, export.query_rows(await c.storage.export_rows(days)))
    else:
        kind = _kind(what)
        await c.sweep()
        body = export.to_csv(export.QUEUE_COLUMNS, export.queue_rows(await c.storage.queue_export_rows(kind, days)))
    name = f"{what}-{days or 'all'}-{time.strftime('%Y%m%d', time.localtime(c.clock()))}.csv"
    return Response(body.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


async def not_found(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/api/"):
        return _headers(JSONResponse({"error": "没有这个地址。"}, status_code=404))
    return _headers(HTMLResponse("<!doctype html><title>404</title><p>没有这个页面。<a href=\"/inbox\">返回</a>",
                                 status_code=404))


def create_app(settings: Settings, *, console: Console | None = None) -> Starlette:
    """Return the console app; without `console`, it opens the database and loads the data when it starts."""
    @asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        opened: Storage | None = None
        if getattr(app.state, "console", None) is None:
            app.state.console, opened = await open_console(settings)
        try:
            yield
        finally:
            if opened is not None:
                await opened.close()

    routes = [
        Route("/", home), Route("/inbox", inbox_page), Route("/knowledge", knowledge_page),
        Route("/history", history_page), Route("/dashboard", dashboard_page), Route("/try", try_page),
        Route("/login", login_form, methods=["GET"]), Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/api/session", api_session), Route("/api/queue", api_queue),
        Route("/api/queue/{item_id}/link", api_link, methods=["POST"]),
        Route("/api/queue/{item_id}/out-of-scope", api_out_of_scope, methods=["POST"]),
        Route("/api/queue/{item_id}/dismiss", api_dismiss, methods=["POST"]),
        Route("/api/tickets/{ticket_id}/reply", api_reply, methods=["POST"]),
        Route("/api/tickets/{ticket_id}/close", api_close, methods=["POST"]),
        Route("/api/terms", api_terms, methods=["POST"]), Route("/api/taught", api_taught),
        Route("/api/taught/{kind}/{row_id}/remove", api_remove, methods=["POST"]),
        Route("/api/history", api_history), Route("/api/history/{audit_id}/undo", api_undo, methods=["POST"]),
        Route("/api/stats", api_stats), Route("/api/try", api_try), Route("/api/services", api_services),
        Route("/api/export", api_export),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={404: not_found, 405: not_found})
    app.state.console = console
    return app


async def open_console(settings: Settings) -> tuple[Console, Storage]:
    """Open the database and load the catalogue, search and flow titles for a console process."""
    from conversations.loader import load_flows
    from retrieval.loader import load_catalogue

    from .keys import console_key

    storage = Storage(settings.bot_db_path)
    await storage.open()
    try:
        catalogue = load_catalogue()
        searcher = Searcher.build(catalogue)
        flows = load_flows(None, set(catalogue.by_id))
        console = Console(settings, storage, catalogue, searcher, console_key(settings.bot_db_path),
                          flow_titles={f.id: f.title for f in flows.values()})
        await storage.purge(settings.bot_retention_days)
    except BaseException:
        await storage.close()
        raise
    return console, storage
