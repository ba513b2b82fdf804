"""Staff review in the chat: /review, /stats, /admin, linking questions to services, answering and closing tickets.

Every route here is declared staff-only: the core refuses it to anyone not in BOT_STAFF_IDS and
outside a private chat, so nothing from the log reaches anyone else. Changes go through
bot/staff/changes.py, like the console's: recorded with who made them, and undoable.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..chat import texts
from ..chat.core import Exchange
from ..chat.render import esc
from ..chat.replies import Reply
from ..chat.routes import INDEX, ROW, SERVICE, routes
from ..chat.session import Pending
from ..store import ChangeRefused, ReviewItem
from . import changes, signin
from .export import short_when
from .inbox import ACTIONABLE

PAGE = 5


def _title(t: Exchange, sid: str) -> str:
    s = t.a.catalogue.service(sid)
    return f"{sid} {s.title}" if s else sid


def _who(t: Exchange) -> str:
    """Return who is making a change, as the history records it."""
    return f"telegram:{t.sender.user_id}"


@routes.command("review", staff=True, menu="待处理问题", order=20)
async def review_command(t: Exchange, args: str) -> None:
    """Show the first page of the review queue."""
    await review_page(t, 0)


@routes.command("stats", staff=True, menu="统计", order=21)
async def stats_command(t: Exchange, args: str) -> None:
    """Show statistics for the last N days (default 7)."""
    days = 7
    if args:
        if not re.fullmatch(r"\d{1,3}", args) or not 1 <= int(args) <= 365:
            t.out.add(esc(texts.STATS_BAD_DAYS))
            return
        days = int(args)
    t.out.add(render_stats(lambda sid: _title(t, sid), await t.a.storage.stats.stats(days)))


@routes.button("rv", INDEX, staff=True)
async def review_page_button(t: Exchange, page: str) -> None:
    """Show another page of the review queue."""
    await review_page(t, int(page), edit=True)


async def review_page(t: Exchange, page: int, edit: bool = False) -> None:
    """Show one page of pending questions and, on the first page, open tickets."""
    storage = t.a.storage
    total = await storage.inbox.review_count(queues=ACTIONABLE)
    items = await storage.inbox.review_items(limit=PAGE, offset=page * PAGE, queues=ACTIONABLE)
    lines: list[str] = []
    rows = []
    if page == 0:
        tickets = await storage.tickets.tickets(limit=PAGE)
        if tickets:
            lines.append(texts.REVIEW_TICKETS.format(total=len(tickets)))
            for n, tk in enumerate(tickets, 1):
                lines.append(texts.REVIEW_TICKET.format(n=n, when=short_when(tk.ts), text=esc(tk.text or "")))
                rows.append([t.button(texts.BTN_REPLY.format(n=n), "rt", tk.id),
                             t.button(texts.BTN_CLOSE_TICKET.format(n=n), "tc", tk.id)])
            lines.append("")
    if not items and not lines:
        t.out.add(esc(texts.REVIEW_EMPTY), edit=edit)
        return
    if items:
        lines.append(texts.REVIEW_HEADER.format(total=total, page=page + 1))
        for n, item in enumerate(items, 1):
            kinds = "、".join(texts.REVIEW_KINDS.get(k, k) for k in item.kinds)
            guesses = "、".join(_title(t, g) for g in item.guesses) or texts.NONE_YET
            lines.append(texts.REVIEW_ITEM.format(n=n, text=esc(item.sample), count=item.count,
                                                  first=short_when(item.first_seen), last=short_when(item.last_seen),
                                                  kinds=esc(kinds), guesses=esc(guesses)))
            if item.context_answer:  # a follow-up is read with the answer it followed
                before = f"“{item.context_text}” → " if item.context_text else ""
                lines[-1] += esc(texts.REVIEW_CONTEXT.format(context=before + _title(t, item.context_answer)))
            rows.append([t.button(texts.BTN_LINK.format(n=n), "rl", item.id),
                         t.button(texts.BTN_DISMISS.format(n=n), "rd", item.id)])
    nav = []
    if page > 0:
        nav.append(t.button(texts.BTN_PREV_PAGE, "rv", str(page - 1)))
    if (page + 1) * PAGE < total:
        nav.append(t.button(texts.BTN_NEXT_PAGE, "rv", str(page + 1)))
    if nav:
        rows.append(nav)
    t.out.add("\n".join(lines), rows, edit=edit)


async def _pending_item(t: Exchange, item_id: str) -> ReviewItem | None:
    item = await t.a.storage.inbox.review_item(item_id)
    if item is None or item.status != "pending":
        t.out.add("", notice=texts.STALE_BUTTON)
        return None
    return item


@routes.button("rd", ROW, staff=True)
async def dismiss(t: Exchange, item_id: str) -> None:
    """Mark a queue item as dealt with."""
    item = await _pending_item(t, item_id)
    if item is None:
        return
    try:
        await changes.dismiss(t.a.storage, [item], _who(t))
    except ChangeRefused as exc:
        _refused(t, exc)
        return
    t.out.add(esc(texts.DISMISS_DONE.format(text=item.sample)), edit=True)


def _refused(t: Exchange, exc: ChangeRefused) -> None:
    """Say why a change on a queue item was refused (another member of staff was quicker, or it was purged)."""
    t.out.add(esc(texts.STAFF_ITEM_PURGED if str(exc) == "item_purged" else texts.STAFF_ITEM_GONE), edit=True)


@routes.button("rl", ROW, staff=True)
async def link_menu(t: Exchange, item_id: str) -> None:
    """Offer the item's guesses, and a search, as services to link it to."""
    item = await _pending_item(t, item_id)
    if item is None:
        return
    rows = [[t.button(_title(t, g)[:60], "rk", item.id, g)] for g in item.guesses if g in t.a.catalogue.by_id]
    rows.append([t.button(texts.BTN_SEARCH, "rq", item.id)])
    rows.append([t.button(texts.BTN_TOP, "rv", "0")])
    t.out.add(esc(texts.LINK_PICK.format(text=item.sample)), rows, edit=True)


@routes.button("rq", ROW, staff=True)
async def search_services(t: Exchange, item_id: str) -> None:
    """Wait for keywords or a service id to link an item to."""
    item = await _pending_item(t, item_id)
    if item is not None:
        t.session.pending = Pending("staff_search", item.id)
        t.out.add(esc(texts.LINK_SEARCH_PROMPT), [[t.button(texts.BTN_CANCEL_INPUT, "x")]])


@routes.awaiting("staff_search", staff=True)
async def searched_services(t: Exchange, text: str, item_id: str) -> None:
    """List services matching the staff member's keywords or id."""
    item = await t.a.storage.inbox.review_item(item_id)
    if item is None:
        t.out.add("", notice=texts.STALE_BUTTON)
        return
    m = re.fullmatch(r"\s*(\d{1,2})\s*", text)
    ids = [f"{int(m.group(1)):02d}"] if m else [h.id for h in t.a.searcher.search(text).hits[:5]]
    ids = [i for i in ids if i in t.a.catalogue.by_id]
    if not ids:
        t.out.add(esc(texts.STAFF_SEARCH_NONE))
        t.session.pending = Pending("staff_search", item_id)
        return
    rows = [[t.button(_title(t, i)[:60], "rk", item.id, i)] for i in ids]
    t.out.add(esc(texts.LINK_PICK.format(text=item.sample)), rows)


@routes.button("rk", ROW, SERVICE, staff=True)
async def link(t: Exchange, item_id: str, service_id: str) -> None:
    """Teach the item's question as an alias of a service; the index takes it in at once."""
    item = await _pending_item(t, item_id)
    if item is None:
        return
    service = t.a.catalogue.by_id[service_id]
    try:
        audit_id = await changes.link(t.a.storage, t.a.catalogue, [item], service.id, _who(t))
    except ChangeRefused as exc:
        _refused(t, exc)
        return
    await t.a.sync_taught()
    t.out.add(esc(texts.LINK_DONE.format(text=item.sample, id=service.id, title=service.title)),
              [[t.button(texts.BTN_UNLINK, "ru", audit_id)], [t.button(texts.BTN_TOP, "rv", "0")]],
              edit=True)


@routes.button("ru", ROW, staff=True)
async def unlink(t: Exchange, audit_id: str) -> None:
    """Undo a link (the alias goes, the question is pending again)."""
    entry = await t.a.storage.taught.audit_entry(audit_id)
    try:
        if entry is None:
            raise ChangeRefused("no_change")
        await changes.undo(t.a.storage, audit_id, _who(t))
    except ChangeRefused:
        t.out.add("", notice=texts.STALE_BUTTON)
        return
    await t.a.sync_taught()
    t.out.add(esc(texts.UNLINK_DONE.format(summary=entry.summary)), edit=True)


@routes.button("rt", ROW, staff=True)
async def reply_ticket(t: Exchange, ticket_id: str) -> None:
    """Wait for the staff member's reply to a ticket."""
    ticket = await t.a.storage.tickets.ticket(ticket_id)
    if ticket is None or ticket.status != "open" or ticket.chat_id is None:
        t.out.add(esc(texts.STAFF_REPLY_GONE))
        return
    t.session.pending = Pending("staff_reply", ticket.id)
    t.out.add(esc(texts.STAFF_REPLY_PROMPT.format(text=ticket.text or "")),
              [[t.button(texts.BTN_CANCEL_INPUT, "x")]])


@routes.awaiting("staff_reply", staff=True)
async def send_ticket_reply(t: Exchange, text: str, ticket_id: str) -> None:
    """Deliver the reply to the chat the ticket came from, and close the ticket."""
    storage = t.a.storage
    ticket = await storage.tickets.ticket(ticket_id)
    if ticket is None or ticket.status != "open" or ticket.chat_id is None:
        t.out.add(esc(texts.STAFF_REPLY_GONE))
        return
    html = esc(texts.STAFF_REPLY_PREFIX) + esc(texts.STAFF_REPLY_QUOTE.format(question=ticket.text or "")) + esc(text)
    try:  # closed in one transaction with its check: of two replies at once, one is sent
        chat_id = await storage.tickets.answer_ticket(ticket.id, text, by=_who(t),
                                                      summary=texts.AUDIT_REPLY.format(text=(ticket.text or "")[:60]))
    except ChangeRefused:
        t.out.add(esc(texts.STAFF_REPLY_GONE))
        return
    t.out.items.append(Reply(html, chat_id=chat_id))
    t.out.add(esc(texts.STAFF_REPLY_DONE))


@routes.button("tc", ROW, staff=True)
async def close_ticket(t: Exchange, ticket_id: str) -> None:
    """Close a ticket without replying."""
    ticket = await t.a.storage.tickets.ticket(ticket_id)
    if ticket is None or ticket.status != "open":
        t.out.add(esc(texts.STAFF_REPLY_GONE))
        return
    try:
        await changes.close_ticket(t.a.storage, ticket, _who(t))
    except ChangeRefused:
        t.out.add(esc(texts.STAFF_REPLY_GONE))
        return
    t.out.add(esc(texts.TICKET_CLOSED.format(text=ticket.text or "")), edit=True)


@routes.command("admin", staff=True, menu="网页管理台登录链接", order=22)
async def admin(t: Exchange, args: str) -> None:
    """Send a one-time sign-in link to the staff console (when BOT_ADMIN_URL says where it is)."""
    base = t.a.settings.bot_admin_url
    if not base:
        t.out.add(esc(texts.ADMIN_NO_URL))
        return
    url = await signin.new_login_link(t.a.storage, base, _who(t))
    t.out.add(esc(texts.ADMIN_LINK.format(minutes=int(signin.LOGIN_TTL // 60), url=url)))


def render_stats(title: Callable[[str], str], s: dict[str, Any]) -> str:
    """Return the /stats message (Telegram HTML); `title` names a service id."""
    def pct(v: float | None) -> str:
        return "—" if v is None else f"{v:.0%}"

    def lines(pairs: list[tuple[str, int]], label: bool) -> str:
        if not pairs:
            return esc(texts.NONE_YET)
        return "\n".join(f"• {esc(title(text) if label else text)}（{count}）" for text, count in pairs)

    verdicts = "，".join(f"{k} {v}" for k, v in s["verdicts"].items())
    up, down = s["thumbs_up"], s["thumbs_down"]
    return texts.STATS.format(
        days=s["days"], questions=s["questions"], answered=s["answered"], suggest=s["suggest"],
        unanswered=s["unanswered"], answer_rate=pct(s["answer_rate"]), unanswered_rate=pct(s["unanswered_rate"]),
        up=up, down=down, none=s["none_of_these"], ratio=pct(up / (up + down) if up + down else None),
        starts=s["flow_events"].get("start", 0), verdicts=s["flow_events"].get("verdict", 0),
        verdict_counts=esc(f"（{verdicts}）" if verdicts else ""), top_unanswered=lines(s["top_unanswered"], False),
        top_services=lines(s["top_services"], True))
