"""Where a typed message goes: input the chat is waiting for, then a running check, then a follow-up staff
taught for the answer just shown, then a question; and the hand-off of a message to staff (留言)."""

from __future__ import annotations

import re

from retrieval.text import compact, strip_invisible

from . import answers, checks, record, texts, views
from .core import Exchange
from .render import esc
from .routes import routes
from .session import Pending
from .taught import followup_key

# Longest text accepted as a question (Telegram itself allows 4096 characters).
MAX_TEXT = 1000


@routes.text()
async def on_text(t: Exchange, raw: str) -> None:
    """Answer a typed message: awaited input first, then a running check, then a search."""
    text = re.sub(r"\s+", " ", strip_invisible(raw or "")).strip()
    if not text or not compact(text):
        t.out.add(esc(texts.EMPTY.format(example=texts.EXAMPLES[0])))
        return
    if len(text) > MAX_TEXT:
        t.out.add(esc(texts.TOO_LONG.format(limit=MAX_TEXT)))
        return
    pending = t.session.pending
    if pending is not None:
        t.session.pending = None
        route = t.a.router.awaiting(pending.kind)
        if route is not None and (not route.staff or t.a.staff_here(t.sender)):
            await route.handler(t, text, pending.ref)
            return
    await t.a.search_ahead(text)  # in a worker thread: the event loop stays free for every other chat
    if t.session.check is not None:
        if await checks.on_check_text(t, text):
            return
    if await taught_followup(t, text):
        return
    await answers.respond(t, text)


async def taught_followup(t: Exchange, text: str) -> bool:
    """Answer a follow-up staff taught for the answer just shown (网上能查进度吗 after 13); False if none fits."""
    if not t.a.followups:
        return False
    _, shown = record.context_of(t)
    service = t.a.followups.get((shown or "", followup_key(text, t.a.searcher.parts.followup)))
    if service is None or t.a.catalogue.service(service) is None:
        return False
    result = t.a.searcher.search(text)
    qid = await record.log_question(t, text, result, shown=service, decision="answered", reason="learned")
    t.session.last_query, t.session.last_text = qid, text
    views.show_answer(t, service, text, result, qid)
    return True


@routes.button("ho")
async def start_handoff(t: Exchange) -> None:
    """Wait for a message to staff, in this chat."""
    t.session.pending = Pending("ticket", str(t.sender.chat_id))
    t.out.add(esc(texts.HANDOFF_PROMPT), [[t.button(texts.BTN_CANCEL_INPUT, "x")]])


@routes.awaiting("ticket")
async def leave_message(t: Exchange, text: str, chat_ref: str) -> None:
    """Exchange the awaited message into a ticket whose answer goes back to the chat it was started in."""
    if chat_ref and chat_ref != str(t.sender.chat_id):
        t.session.pending = Pending("ticket", chat_ref)  # started in another chat: keep waiting there
        await on_text_without_pending(t, text)
        return
    await t.a.storage.tickets.open_ticket(t.key, t.sender.chat_id, text[:MAX_TEXT])  # staff see it in 留言 only
    t.out.add(esc(texts.HANDOFF_DONE.format(phone=t.a.switchboard)))


async def on_text_without_pending(t: Exchange, text: str) -> None:
    """Answer text as a question even though input is awaited elsewhere."""
    pending, t.session.pending = t.session.pending, None
    await on_text(t, text)
    if t.session.pending is None:
        t.session.pending = pending
