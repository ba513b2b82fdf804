"""Staff review in the chat: /review, /stats, linking questions to services, answering tickets.

Callers check `sender.is_staff` before anything here runs (commands in Assistant._command, buttons
in Assistant.press), so nothing from the log reaches anyone else.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from retrieval.text import normalise

from . import texts
from .render import esc
from .replies import Button, Replies, Reply, Sender, encode
from .storage import ReviewItem

if TYPE_CHECKING:
    from .core import Assistant, Session

PAGE = 5


def _when(ts: float) -> str:
    return time.strftime("%m-%d %H:%M", time.localtime(ts))


class Staff:
    """Review queue, statistics and ticket answers for ids in BOT_STAFF_IDS."""

    def __init__(self, assistant: Assistant) -> None:
        self.a = assistant

    async def command(self, sender: Sender, key: str, session: Session, name: str, args: str, out: Replies) -> None:
        if name == "review":
            await self.review_page(0, out)
        elif name == "stats":
            days = 7
            if args:
                if not re.fullmatch(r"\d{1,3}", args) or not 1 <= int(args) <= 365:
                    out.add(esc(texts.STATS_BAD_DAYS))
                    return
                days = int(args)
            out.add(self.render_stats(await self.a.storage.stats(days)))

    def _guesses(self, item: ReviewItem) -> str:
        names = [f"{g} {self.a.catalogue.by_id[g].title}" if g in self.a.catalogue.by_id else g for g in item.guesses]
        return "、".join(names) or texts.NONE_YET

    async def review_page(self, page: int, out: Replies, edit: bool = False) -> None:
        """Show one page of pending questions and, on the first page, open tickets."""
        storage = self.a.storage
        total = await storage.review_count()
        items = await storage.review_items(limit=PAGE, offset=page * PAGE)
        lines: list[str] = []
        rows: list[list[Button]] = []
        if page == 0:
            tickets = await storage.tickets(limit=PAGE)
            if tickets:
                lines.append(texts.REVIEW_TICKETS.format(total=len(tickets)))
                for n, t in enumerate(tickets, 1):
                    lines.append(texts.REVIEW_TICKET.format(n=n, when=_when(t.ts), text=esc(t.text or "")))
                    rows.append([Button(texts.BTN_REPLY.format(n=n), encode("rt", t.id))])
                lines.append("")
        if not items and not lines:
            out.add(esc(texts.REVIEW_EMPTY), edit=edit)
            return
        if items:
            lines.append(texts.REVIEW_HEADER.format(total=total, page=page + 1))
            for n, item in enumerate(items, 1):
                kinds = "、".join(texts.REVIEW_KINDS.get(k, k) for k in item.kinds)
                lines.append(texts.REVIEW_ITEM.format(n=n, text=esc(item.sample), count=item.count,
                                                      first=_when(item.first_seen), last=_when(item.last_seen),
                                                      kinds=esc(kinds), guesses=esc(self._guesses(item))))
                rows.append([Button(texts.BTN_LINK.format(n=n), encode("rl", item.id)),
                             Button(texts.BTN_DISMISS.format(n=n), encode("rd", item.id))])
        nav = []
        if page > 0:
            nav.append(Button(texts.BTN_PREV_PAGE, encode("rv", str(page - 1))))
        if (page + 1) * PAGE < total:
            nav.append(Button(texts.BTN_NEXT_PAGE, encode("rv", str(page + 1))))
        if nav:
            rows.append(nav)
        out.add("\n".join(lines), rows, edit=edit)

    async def on_press(self, sender: Sender, key: str, session: Session, kind: str, args: tuple[str, ...],
                       out: Replies) -> None:
        storage = self.a.storage
        if kind == "rv":
            await self.review_page(int(args[0]), out, edit=True)
            return
        if kind == "ru":
            alias = next((a for a in await storage.aliases() if a.id == args[0]), None)
            if alias is None or not await storage.remove_alias(args[0]):
                out.add("", notice=texts.STALE_BUTTON)
                return
            await self.a.sync_aliases()
            out.add(esc(texts.UNLINK_DONE.format(text=alias.text, id=alias.service_id)), edit=True)
            return
        if kind == "rt":
            ticket = await storage.ticket(args[0])
            if ticket is None or ticket.status != "open" or ticket.chat_id is None:
                out.add(esc(texts.STAFF_REPLY_GONE))
                return
            session.pending = f"staff_reply:{ticket.id}"
            out.add(esc(texts.STAFF_REPLY_PROMPT.format(text=ticket.text or "")),
                    [[Button(texts.BTN_CANCEL, encode("x"))]])
            return
        item = await storage.review_item(args[0])
        if item is None or item.status != "pending":
            out.add("", notice=texts.STALE_BUTTON)
            return
        if kind == "rd":
            await storage.dismiss(item.id)
            out.add(esc(texts.DISMISS_DONE.format(text=item.sample)), edit=True)
        elif kind == "rl":
            rows = [[Button(f"{g} {self.a.catalogue.by_id[g].title}"[:60], encode("rk", item.id, g))]
                    for g in item.guesses if g in self.a.catalogue.by_id]
            rows.append([Button(texts.BTN_SEARCH, encode("rq", item.id))])
            rows.append([Button(texts.BTN_TOP, encode("rv", "0"))])
            out.add(esc(texts.LINK_PICK.format(text=item.sample)), rows, edit=True)
        elif kind == "rq":
            session.pending = f"staff_search:{item.id}"
            out.add(esc(texts.LINK_SEARCH_PROMPT), [[Button(texts.BTN_CANCEL, encode("x"))]])
        elif kind == "rk":
            await self.link(item, args[1], out)

    async def link(self, item: ReviewItem, service_id: str, out: Replies) -> None:
        """Teach the item's question as an alias of a service; the index takes it in at once."""
        service = self.a.catalogue.service(service_id)
        if service is None:
            out.add("", notice=texts.STALE_BUTTON)
            return
        alias_id = await self.a.storage.link(item.id, service.id, item.sample, normalise(item.sample))
        await self.a.sync_aliases()
        out.add(esc(texts.LINK_DONE.format(text=item.sample, id=service.id, title=service.title)),
                [[Button(texts.BTN_UNLINK, encode("ru", alias_id))], [Button(texts.BTN_TOP, encode("rv", "0"))]],
                edit=True)

    async def on_pending(self, sender: Sender, key: str, session: Session, pending: str, text: str,
                         out: Replies) -> bool:
        """Handle the text a staff member was asked for (a ticket answer or a service search)."""
        kind, _, ref = pending.partition(":")
        storage = self.a.storage
        if kind == "staff_reply":
            ticket = await storage.ticket(ref)
            if ticket is None or ticket.status != "open" or ticket.chat_id is None:
                out.add(esc(texts.STAFF_REPLY_GONE))
                return True
            html = esc(texts.STAFF_REPLY_PREFIX) + esc(texts.STAFF_REPLY_QUOTE.format(question=ticket.text or "")) + \
                esc(text)
            out.items.append(Reply(html, chat_id=ticket.chat_id))
            await storage.answer_ticket(ticket.id, text)
            out.add(esc(texts.STAFF_REPLY_DONE))
            return True
        if kind == "staff_search":
            item = await storage.review_item(ref)
            if item is None:
                out.add("", notice=texts.STALE_BUTTON)
                return True
            m = re.fullmatch(r"\s*(\d{1,2})\s*", text)
            ids = [f"{int(m.group(1)):02d}"] if m else [h.id for h in self.a.searcher.search(text).hits[:5]]
            ids = [i for i in ids if i in self.a.catalogue.by_id]
            if not ids:
                out.add(esc(texts.STAFF_SEARCH_NONE))
                session.pending = pending
                return True
            rows = [[Button(f"{i} {self.a.catalogue.by_id[i].title}"[:60], encode("rk", item.id, i))] for i in ids]
            out.add(esc(texts.LINK_PICK.format(text=item.sample)), rows)
            return True
        return False

    def render_stats(self, s: dict) -> str:  # type: ignore[type-arg]
        """Return the /stats message."""
        def pct(v: float | None) -> str:
            return "—" if v is None else f"{v:.0%}"

        def lines(pairs: list[tuple[str, int]], label: bool) -> str:
            if not pairs:
                return texts.NONE_YET
            out = []
            for text, count in pairs:
                name = f"{text} {self.a.catalogue.by_id[text].title}" if label and text in self.a.catalogue.by_id else text
                out.append(f"• {esc(name)}（{count}）")
            return "\n".join(out)

        verdicts = "，".join(f"{k} {v}" for k, v in s["verdicts"].items()) or texts.NONE_YET
        return texts.STATS.format(
            days=s["days"], questions=s["questions"], answered=s["answered"], suggest=s["suggest"],
            unanswered=s["unanswered"], answer_rate=pct(s["answer_rate"]), unanswered_rate=pct(s["unanswered_rate"]),
            up=s["thumbs_up"], down=s["thumbs_down"], none=s["none_of_these"],
            ratio=pct(s["thumbs_up"] / (s["thumbs_up"] + s["thumbs_down"]) if s["thumbs_up"] + s["thumbs_down"] else None),
            starts=s["flow_events"].get("start", 0), verdicts=s["flow_events"].get("verdict", 0),
            verdict_counts=esc(verdicts), top_unanswered=lines(s["top_unanswered"], False),
            top_services=lines(s["top_services"], True))
