"""Staff changes, the same from Telegram, the command line and the console: each is one transaction,
recorded with who made it and a readable summary, and (except a sent reply) undoable."""

from __future__ import annotations

from collections.abc import Sequence

from retrieval.model import Catalogue
from retrieval.text import compact, normalise

from ..chat import texts
from ..chat.render import esc
from ..store import ReviewItem, Storage, Ticket

MAX_TERM = 20


class Invalid(ValueError):
    """A change staff asked for that cannot be made as given; str() says why, in Chinese."""


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _many(one: str, more: str, items: Sequence[ReviewItem], **kw: str) -> str:
    lead = _clip(items[0].sample)
    return one.format(text=lead, **kw) if len(items) == 1 else more.format(text=lead, n=len(items), **kw)


async def link(storage: Storage, catalogue: Catalogue, items: Sequence[ReviewItem], service_id: str, who: str) -> str:
    """Teach the items' questions as aliases of a service (the same questions, asked anywhere, answer it).

    The store checks in the change's transaction that the first item is still pending and not purged
    (ChangeRefused otherwise: another member of staff was quicker, or retention erased its text)."""
    service = catalogue.service(service_id)
    if service is None:
        raise Invalid(f"没有编号为“{service_id}”的服务（01–{len(catalogue.services)}）。")
    if not items:
        raise Invalid("没有要关联的问题。")
    summary = _many(texts.AUDIT_LINK, texts.AUDIT_LINK_MORE, items, id=service.id, title=service.title)
    audit_id, _ = await storage.taught.teach_alias(service.id, who, summary, [i.id for i in items],
                                                   normalise=normalise)
    return audit_id


async def link_followup(storage: Storage, catalogue: Catalogue, items: Sequence[ReviewItem], service_id: str,
                        context: str, title: str, who: str) -> str:
    """Teach the items' question as a follow-up in its context: asked right after the answer `context` (called
    `title`), it means the service; asked anywhere else it is left as it was."""
    service = catalogue.service(service_id)
    if service is None:
        raise Invalid(f"没有编号为“{service_id}”的服务（01–{len(catalogue.services)}）。")
    if not items or not context:
        raise Invalid("没有要关联的问题。")
    summary = texts.AUDIT_LINK_FOLLOWUP.format(context=_clip(title, 30), text=_clip(items[0].sample), id=service.id,
                                               title=service.title)
    return await storage.taught.teach_followup(context, items[0].sample, service.id, who, summary,
                                               [i.id for i in items])


async def out_of_scope(storage: Storage, items: Sequence[ReviewItem], who: str) -> str:
    """Teach the items' questions as out-of-scope examples: they and similar questions are declined."""
    if not items:
        raise Invalid("没有要标记的问题。")
    summary = _many(texts.AUDIT_OUT_OF_SCOPE, texts.AUDIT_OUT_OF_SCOPE_MORE, items)
    return await storage.taught.teach_out_of_scope(who, summary, [i.id for i in items])


async def term(storage: Storage, typed: str, meant: str, who: str) -> str:
    """Teach a term (a correction or synonym, typed → meant) that applies to every question."""
    typed, meant = " ".join(str(typed).split()), " ".join(str(meant).split())
    if not compact(typed) or not compact(meant):
        raise Invalid("请填写“用户写的词”和“应理解为”。")
    if len(typed) > MAX_TERM or len(meant) > MAX_TERM:
        raise Invalid(f"术语最多 {MAX_TERM} 个字。")
    if len(compact(typed)) < 2:
        raise Invalid("“用户写的词”至少要两个字，否则会改写太多问题。")
    if compact(typed) == compact(meant):
        raise Invalid("两个词相同，不需要教。")
    if any(compact(r.text) == compact(typed) for r in await storage.taught.rows("term")):
        raise Invalid(f"已经教过“{typed}”，如需修改请先在“已教内容”里删除。")
    return await storage.taught.teach_term(typed, meant, who, texts.AUDIT_TERM.format(typed=typed, meant=meant))


async def dismiss(storage: Storage, items: Sequence[ReviewItem], who: str) -> str:
    """Mark items as dealt with, teaching nothing."""
    if not items:
        raise Invalid("没有要忽略的问题。")
    return await storage.taught.dismiss_items([i.id for i in items], who,
                                              _many(texts.AUDIT_DISMISS, texts.AUDIT_DISMISS_MORE, items))


def reply_html(ticket: Ticket, answer: str) -> str:
    """Return the message a user gets as the answer to their ticket."""
    return esc(texts.STAFF_REPLY_PREFIX) + esc(texts.STAFF_REPLY_QUOTE.format(question=ticket.text or "")) + esc(answer)


async def reply_ticket(storage: Storage, ticket: Ticket, answer: str, who: str) -> str:
    """Answer a ticket: the running bot delivers the reply to the chat it came from."""
    answer = answer.strip()
    if not answer:
        raise Invalid("回复不能为空。")
    if len(answer) > 3000:
        raise Invalid("回复最多 3000 字。")
    return await storage.tickets.reply_ticket(ticket.id, answer, reply_html(ticket, answer), who,
                                              texts.AUDIT_REPLY.format(text=_clip(ticket.text or "")))


async def close_ticket(storage: Storage, ticket: Ticket, who: str) -> str:
    """Close a ticket without a reply."""
    return await storage.tickets.close_ticket(ticket.id, who, texts.AUDIT_CLOSE.format(text=_clip(ticket.text or "")))


async def remove(storage: Storage, kind: str, row_id: str, who: str) -> str | None:
    """Remove a taught alias, term or out-of-scope example; return the audit id, or None if it is not active."""
    if kind == "alias":
        alias = next((a for a in await storage.taught.aliases() if a.id == row_id), None)
        if alias is None:
            return None
        summary = texts.AUDIT_REMOVE_ALIAS.format(text=_clip(alias.text), id=alias.service_id)
        return await storage.taught.remove_taught("alias", row_id, who, summary)
    row = next((r for r in await storage.taught.rows() if r.id == row_id), None)
    if row is None:
        return None
    summary = (texts.AUDIT_REMOVE_TERM.format(typed=row.text, meant=row.target) if row.kind == "term"
               else texts.AUDIT_REMOVE_FOLLOWUP.format(text=_clip(row.text), id=row.target.partition(">")[2])
               if row.kind == "followup" else texts.AUDIT_REMOVE_OUT_OF_SCOPE.format(text=_clip(row.text)))
    return await storage.taught.remove_taught("taught", row_id, who, summary)


async def undo(storage: Storage, audit_id: str, who: str) -> str:
    """Undo a change exactly (ChangeRefused when it was undone already, cannot be, or its ticket is gone)."""
    entry = await storage.taught.audit_entry(audit_id)
    summary = texts.AUDIT_UNDO.format(summary=entry.summary if entry else audit_id)
    return await storage.taught.undo(audit_id, who, summary)
