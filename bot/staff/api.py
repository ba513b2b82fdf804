"""The staff console's JSON API: queues, actions on them (each one transaction, recorded and undoable),
taught knowledge, history and undo, statistics, 试一试 and CSV export."""

from __future__ import annotations

import re
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..store import ChangeRefused, Ticket
from . import changes, export
from .console import ApiError, StaffConsole, stats_json
from .http import Staff, api, console_of, int_param, json_body, queue_param
from .inbox import needs_context


@api
async def api_session(request: Request, staff: Staff) -> Any:
    return {"who": staff.who, "csrf": staff.csrf, "expires": staff.expires}


@api
async def api_queue(request: Request, staff: Staff) -> Any:
    c = console_of(request)
    kind = queue_param(request.query_params.get("kind"))
    limit = int_param(request.query_params.get("limit"), 50, 1, 200)
    offset = int_param(request.query_params.get("offset"), 0, 0, 100_000)
    items, total = await c.queue(kind, limit, offset)
    return {"kind": kind, "total": total, "counts": await c.storage.inbox.review_counts(), "items": items}


def done(audit_id: str, message: str) -> dict[str, Any]:
    return {"ok": True, "audit": audit_id, "message": message}


@api
async def api_link(request: Request, staff: Staff) -> Any:
    c = console_of(request)
    body = await json_body(request)
    items = await c.pending(request.path_params["item_id"], body.get("ids", []))
    raw = str(body.get("service", "")).strip()
    m = re.match(r"(\d{1,2})(?:\s|$)", raw)  # "57" or "57 评聘天津科普大使" (the page's list)
    service = m.group(1).zfill(2) if m else raw
    if c.catalogue.service(service) is None:
        raise ApiError(400, f"没有编号为“{service}”的服务。")
    await c.sync()
    lead = items[0]
    in_context = needs_context(lead, c.searcher.search(lead.sample), c.searcher.parts.followup, service)
    use_pair = body.get("pair")
    if in_context and use_pair is None:
        title = c.title(lead.context_answer)
        raise ApiError(409, f"这句是接着上一轮的回答（{title}）问的：单独关联会让所有人问这句时都得到这项服务。"
                            "建议只在接着上一轮时关联，或明确选择单独关联这句。",
                       followup={"context": lead.context_answer, "title": title})
    if in_context and use_pair is True:
        title = c.title(lead.context_answer)
        audit_id = await changes.link_followup(c.storage, c.catalogue, items, service, lead.context_answer, title,
                                               staff.who)
        await c.sync()
        return done(audit_id, f"已关联到 {c.title(service)}（只在接着“{title}”问时）")
    audit_id = await changes.link(c.storage, c.catalogue, items, service, staff.who)
    await c.sync()
    return done(audit_id, f"已关联到 {c.title(service)}")


@api
async def api_out_of_scope(request: Request, staff: Staff) -> Any:
    c = console_of(request)
    body = await json_body(request)
    items = await c.pending(request.path_params["item_id"], body.get("ids", []))
    audit_id = await changes.out_of_scope(c.storage, items, staff.who)
    await c.sync()
    return done(audit_id, "已标为范围外：同样的问题今后会被礼貌拒答")


@api
async def api_dismiss(request: Request, staff: Staff) -> Any:
    c = console_of(request)
    body = await json_body(request)
    items = await c.pending(request.path_params["item_id"], body.get("ids", []))
    return done(await changes.dismiss(c.storage, items, staff.who), "已忽略")


async def _open_ticket(c: StaffConsole, ticket_id: str) -> Ticket:
    ticket = await c.storage.tickets.ticket(ticket_id)
    if ticket is None or ticket.status != "open":
        raise ChangeRefused("ticket_gone")
    return ticket


@api
async def api_reply(request: Request, staff: Staff) -> Any:
    c = console_of(request)
    body = await json_body(request)
    ticket = await _open_ticket(c, request.path_params["ticket_id"])
    audit_id = await changes.reply_ticket(c.storage, ticket, str(body.get("text", "")), staff.who)
    return done(audit_id, "回复已交给机器人发送")


@api
async def api_close(request: Request, staff: Staff) -> Any:
    c = console_of(request)
    ticket = await _open_ticket(c, request.path_params["ticket_id"])
    return done(await changes.close_ticket(c.storage, ticket, staff.who), "留言已关闭（未回复）")


@api
async def api_terms(request: Request, staff: Staff) -> Any:
    c = console_of(request)
    body = await json_body(request)
    audit_id = await changes.term(c.storage, str(body.get("from", "")), str(body.get("to", "")), staff.who)
    await c.sync()
    return done(audit_id, "术语已教会，对所有问题生效")


@api
async def api_taught(request: Request, staff: Staff) -> Any:
    c = console_of(request)
    taught = await c.storage.taught.rows()
    return {"aliases": [{"id": a.id, "text": a.text, "service": a.service_id, "created_at": a.created_at,
                         "created_by": a.created_by} for a in await c.storage.taught.aliases()],
            "terms": [{"id": r.id, "from": r.text, "to": r.target, "created_at": r.created_at,
                       "created_by": r.created_by} for r in taught if r.kind == "term"],
            "out_of_scope": [{"id": r.id, "text": r.text, "created_at": r.created_at, "created_by": r.created_by}
                             for r in taught if r.kind == "out_of_scope"],
            "followups": [{"id": r.id, "text": r.text, "after": r.target.partition(">")[0],
                           "service": r.target.partition(">")[2], "created_at": r.created_at,
                           "created_by": r.created_by} for r in taught if r.kind == "followup"]}


@api
async def api_remove(request: Request, staff: Staff) -> Any:
    c = console_of(request)
    kind = request.path_params["kind"]
    if kind not in ("alias", "taught"):
        raise ApiError(404, "没有这类内容。")
    audit_id = await changes.remove(c.storage, kind, request.path_params["row_id"], staff.who)
    if audit_id is None:
        raise ApiError(409, "这一条已经删除了（请刷新页面）。")
    await c.sync()
    return done(audit_id, "已删除")


@api
async def api_history(request: Request, staff: Staff) -> Any:
    c = console_of(request)
    limit = int_param(request.query_params.get("limit"), 100, 1, 1000)
    offset = int_param(request.query_params.get("offset"), 0, 0, 1_000_000)
    return {"items": [{"id": e.id, "ts": e.ts, "who": e.who, "action": e.action, "summary": e.summary,
                       "undoable": e.undoable and e.undone_at is None, "undone_at": e.undone_at,
                       "undone_by": e.undone_by} for e in await c.storage.taught.history(limit, offset)]}


@api
async def api_undo(request: Request, staff: Staff) -> Any:
    c = console_of(request)
    audit_id = await changes.undo(c.storage, request.path_params["audit_id"], staff.who)
    await c.sync()
    return done(audit_id, "已撤销")


@api
async def api_stats(request: Request, staff: Staff) -> Any:
    c = console_of(request)
    return await stats_json(c, int_param(request.query_params.get("days"), 7, 1, 365))


@api
async def api_try(request: Request, staff: Staff) -> Any:
    c = console_of(request)
    q = request.query_params.get("q", "").strip()
    if not q:
        raise ApiError(400, "请输入要试的问题（参数 q）。")
    await c.sync()
    result = c.searcher.search(q[:500])
    return {"text": q[:500], **await c.answer_of(result), "hits": c.guesses(result, 5)}


@api
async def api_services(request: Request, staff: Staff) -> Any:
    c = console_of(request)
    return {"services": [{"id": s.id, "title": s.title} for s in c.catalogue.services]}


@api
async def api_export(request: Request, staff: Staff) -> Any:
    c = console_of(request)
    what = request.query_params.get("kind", "queries")
    days = int_param(request.query_params.get("days"), 0, 0, 3650) or None
    if what == "queries":
        body = export.to_csv(export.QUERY_COLUMNS, export.query_rows(await c.storage.stats.export_rows(days)))
    else:
        kind = queue_param(what)
        await c.sweep()
        body = export.to_csv(export.QUEUE_COLUMNS, export.queue_rows(await c.storage.inbox.queue_export_rows(kind, days)))
    name = f"{what}-{days or 'all'}-{time.strftime('%Y%m%d', time.localtime(c.clock()))}.csv"
    return Response(body.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
